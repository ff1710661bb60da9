"""openai-agents over `AsyncVertexOpenAI` with `OpenAIChatCompletionsModel`: a two-turn tool run,
a streamed run, and a model under a `model_aliases` name (the name an Azure app already uses)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from integrations.vertex_shape import ANSWER, MODEL, SENT_MODEL, Google, require

require("agents")

from agents import Agent, OpenAIChatCompletionsModel, Runner, function_tool, set_tracing_disabled  # noqa: E402

from vertex_openai import AsyncVertexOpenAI  # noqa: E402

set_tracing_disabled(True)  # the SDK would otherwise upload traces to OpenAI


def weather_agent(google: Google, client: AsyncVertexOpenAI, model: str, **options: Any) -> Agent[None]:
    def get_weather(city: str) -> str:
        """Current temperature in a city."""
        google.rollover()  # the token expires while the tool runs: the next turn meets a 401
        return {"Paris": "18°C"}.get(city, "unknown")

    # the snippet of docs/frameworks.md
    return Agent(
        name="weather",
        instructions="Answer with the tool.",
        model=OpenAIChatCompletionsModel(model=model, openai_client=client),
        tools=[function_tool(get_weather)],
        **options,
    )


def assert_tool_round_trip(google: Google) -> None:
    first, second = google.bodies
    assert first["model"] == second["model"] == SENT_MODEL
    call, signature = google.tool_call_round_trip()
    assert call["extra_content"] == signature
    assert call["id"]  # minted by the client: Gemini sends ""
    tool = next(m for m in second["messages"] if m["role"] == "tool")
    assert tool["tool_call_id"] == call["id"]
    google.assert_rolled_over()


def test_tool_run_over_two_turns(google: Google) -> None:
    agent = weather_agent(google, google.async_client(), MODEL)
    result = asyncio.run(Runner.run(agent, "Weather in Paris?"))
    assert result.final_output == ANSWER
    assert_tool_round_trip(google)


def test_streamed_tool_run(google: Google) -> None:
    agent = weather_agent(google, google.async_client(), MODEL)

    async def main() -> tuple[str, list[str]]:
        result = Runner.run_streamed(agent, "Weather in Paris?")
        kinds: list[str] = [event.type async for event in result.stream_events()]
        return str(result.final_output), kinds

    output, kinds = asyncio.run(main())
    assert output == ANSWER
    assert "raw_response_event" in kinds
    assert all(body["stream"] is True for body in google.bodies)
    assert_tool_round_trip(google)


def test_model_under_an_alias_keeps_signatures(google: Google) -> None:
    """openai-agents restores signatures only for model names containing "gemini"; the client does it."""
    client = google.async_client(model_aliases={"support-bot": SENT_MODEL})
    agent = weather_agent(google, client, "support-bot")
    result = asyncio.run(Runner.run(agent, "Weather in Paris?"))
    assert result.final_output == ANSWER
    assert_tool_round_trip(google)


def rebuilt(item: dict[str, Any]) -> dict[str, Any]:
    """An item as an app stores it: a function call keeps its call_id, name and arguments only."""
    if item.get("type") == "function_call":
        return {k: item[k] for k in ("type", "call_id", "name", "arguments")}
    return item


def test_history_stored_as_json_continues_in_a_new_run(google: Google) -> None:
    """Run 1 stops after the tool ran and stores `to_input_list()` as JSON; run 2, a new client (new
    memory), continues the same turn from it: the model's own signature must go back."""
    first = weather_agent(google, google.async_client(), MODEL, tool_use_behavior="stop_on_first_tool")
    result = asyncio.run(Runner.run(first, "Weather in Paris?"))
    assert result.final_output == "18°C"
    stored = json.dumps([rebuilt(dict(item)) for item in result.to_input_list()])
    assert google.gemini.signatures[0] not in stored

    second = weather_agent(google, google.async_client(), MODEL)
    resumed = asyncio.run(Runner.run(second, json.loads(stored)))
    assert resumed.final_output == ANSWER
    assert_tool_round_trip(google)

"""openai-agents with its default model class, `OpenAIResponsesModel`, over `AsyncVertexOpenAI`: the
client's `responses` bridge carries a two-turn tool run and a streamed run to Gemini 3 chat
completions, thought signatures included (the local Vertex answers 400 without them)."""

from __future__ import annotations

import asyncio

from integrations.vertex_shape import ANSWER, MODEL, SENT_MODEL, Google, require

require("agents")

from agents import Agent, OpenAIResponsesModel, Runner, function_tool, set_tracing_disabled  # noqa: E402

from vertex_openai import AsyncVertexOpenAI  # noqa: E402

set_tracing_disabled(True)  # the SDK would otherwise upload traces to OpenAI


def weather_agent(google: Google, client: AsyncVertexOpenAI) -> Agent[None]:
    def get_weather(city: str) -> str:
        """Current temperature in a city."""
        google.rollover()  # the token expires while the tool runs: the next turn meets a 401
        return {"Paris": "18°C"}.get(city, "unknown")

    return Agent(
        name="weather",
        instructions="Answer with the tool.",
        model=OpenAIResponsesModel(model=MODEL, openai_client=client),
        tools=[function_tool(get_weather)],
    )


def assert_tool_round_trip(google: Google) -> None:
    first, second = google.bodies
    assert first["model"] == second["model"] == SENT_MODEL
    assert first["messages"][0] == {"role": "system", "content": "Answer with the tool."}
    call, signature = google.tool_call_round_trip()
    assert call["extra_content"] == signature
    assert call["id"]  # a call id the bridge or the client minted: Gemini sends ""
    tool = next(m for m in second["messages"] if m["role"] == "tool")
    assert tool["tool_call_id"] == call["id"]
    assert all(s.path.endswith("/chat/completions") for s in google.vertex.seen)  # never /responses
    google.assert_rolled_over()


def test_tool_run_over_two_turns(google: Google) -> None:
    result = asyncio.run(Runner.run(weather_agent(google, google.async_client()), "Weather in Paris?"))
    assert result.final_output == ANSWER
    assert_tool_round_trip(google)


def test_streamed_tool_run(google: Google) -> None:
    agent = weather_agent(google, google.async_client())

    async def main() -> tuple[str, list[str]]:
        result = Runner.run_streamed(agent, "Weather in Paris?")
        kinds: list[str] = [event.type async for event in result.stream_events()]
        return str(result.final_output), kinds

    output, kinds = asyncio.run(main())
    assert output == ANSWER
    assert "raw_response_event" in kinds and "run_item_stream_event" in kinds
    assert all(body["stream"] is True for body in google.bodies)
    assert_tool_round_trip(google)

"""pydantic-ai's `OpenAIChatModel` over `AsyncVertexOpenAI`: run, tool run, stream, `max_retries`."""

from __future__ import annotations

import asyncio

from integrations.vertex_shape import ANSWER, GREETING, MODEL, SENT_MODEL, Google, require

require("pydantic_ai")

from pydantic_ai import Agent  # noqa: E402
from pydantic_ai.models.openai import OpenAIChatModel  # noqa: E402
from pydantic_ai.providers.openai import OpenAIProvider  # noqa: E402


def agent_for(google: Google) -> Agent[None, str]:
    # the snippet of docs/frameworks.md
    model = OpenAIChatModel(MODEL, provider=OpenAIProvider(openai_client=google.async_client()))
    agent = Agent(model)

    def get_weather(city: str) -> str:
        """Current temperature in a city."""
        google.rollover()  # the token expires while the tool runs: the next turn meets a 401
        return {"Paris": "18°C"}.get(city, "unknown")

    agent.tool_plain(get_weather)
    return agent


def test_tool_run_sends_the_signature_back_across_a_rollover(google: Google) -> None:
    result = agent_for(google).run_sync("Weather in Paris?", model_settings={"max_retries": 1})

    assert result.output == ANSWER
    first, second = google.bodies
    assert first["model"] == second["model"] == SENT_MODEL
    call, signature = google.tool_call_round_trip()
    assert call["extra_content"] == signature
    assert call["id"]  # a tool-call id, never Gemini's ""
    tool = next(m for m in second["messages"] if m["role"] == "tool")
    assert tool["tool_call_id"] == call["id"]
    google.assert_rolled_over()


def test_run_after_a_rollover(google: Google) -> None:
    agent = Agent(OpenAIChatModel(MODEL, provider=OpenAIProvider(openai_client=google.async_client())))
    assert agent.run_sync("Hi").output == GREETING
    google.rollover()
    assert agent.run_sync("Hi again", model_settings={"max_retries": 1}).output == GREETING
    assert [b["model"] for b in google.bodies] == [SENT_MODEL, SENT_MODEL]
    google.assert_rolled_over()


def test_refreshes_before_sending_once_the_token_expired(google: Google) -> None:
    client = google.async_client()
    agent = Agent(OpenAIChatModel(MODEL, provider=OpenAIProvider(openai_client=client)))
    assert agent.run_sync("Hi").output == GREETING
    with google.expired(client):
        assert agent.run_sync("Hi again").output == GREETING
    assert len(google.tokens.issued) == 2


def test_streamed_usage_is_the_last_chunks(google: Google) -> None:
    agent = Agent(OpenAIChatModel(MODEL, provider=OpenAIProvider(openai_client=google.async_client())))

    async def main() -> tuple[str, int, int]:
        async with agent.run_stream("Hi") as result:
            text = await result.get_output()
            usage = result.usage
        return text, usage.input_tokens, usage.output_tokens

    text, input_tokens, output_tokens = asyncio.run(main())
    assert text == GREETING
    assert google.bodies[0]["stream"] is True
    last = google.gemini.last_usage
    assert (input_tokens, output_tokens) == (last["prompt_tokens"], last["completion_tokens"])


def test_streamed_tool_run(google: Google) -> None:
    agent = agent_for(google)

    async def main() -> str:
        async with agent.run_stream("Weather in Paris?") as result:
            return str(await result.get_output())

    assert asyncio.run(main()) == ANSWER
    call, signature = google.tool_call_round_trip()
    assert call["extra_content"] == signature
    assert call["id"]
    google.assert_rolled_over()

"""smolagents' `OpenAIModel` over `VertexOpenAI`: streamed usage counted once, a streamed tool call."""

from __future__ import annotations

from integrations.vertex_shape import GREETING, MODEL, SENT_MODEL, Google, require

require("smolagents")

from smolagents import ChatMessage, MessageRole, OpenAIModel, Tool, tool  # noqa: E402
from smolagents.models import agglomerate_stream_deltas  # noqa: E402


def hi() -> list[ChatMessage]:
    return [ChatMessage(role=MessageRole.USER, content=[{"type": "text", "text": "Hi"}])]


def get_weather(city: str) -> str:
    """Current temperature in a city.

    Args:
        city: the city's name.
    """
    return {"Paris": "18°C"}.get(city, "unknown")


def test_streamed_usage_is_the_last_chunks(google: Google) -> None:
    model = OpenAIModel(model_id=MODEL, client=google.client())  # the snippet of docs/frameworks.md
    assert model.generate(hi()).content == GREETING
    google.rollover()
    message = agglomerate_stream_deltas(list(model.generate_stream(hi())))
    assert message.content == GREETING
    last = google.gemini.last_usage
    assert message.token_usage is not None
    assert (message.token_usage.input_tokens, message.token_usage.output_tokens) == (
        last["prompt_tokens"],
        last["completion_tokens"],
    )
    assert [b["model"] for b in google.bodies] == [SENT_MODEL, SENT_MODEL]
    google.assert_rolled_over()


def test_streamed_tool_call(google: Google) -> None:
    model = OpenAIModel(model_id=MODEL, client=google.client())
    tools: list[Tool] = [tool(get_weather)]
    message = agglomerate_stream_deltas(list(model.generate_stream(hi(), tools_to_call_from=tools)))
    assert message.tool_calls is not None
    (call,) = message.tool_calls
    assert call.function.name == "get_weather"
    assert call.id  # minted by the client: Gemini sends ""
    assert google.bodies[0]["tools"][0]["function"]["name"] == "get_weather"

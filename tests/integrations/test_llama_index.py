"""LlamaIndex's `OpenAILike` over `VertexOpenAI` / `AsyncVertexOpenAI`: chat, a tool loop, `FunctionAgent`.

(llama-index-llms-openai needs openai<3: this runs in the openai 2 integrations venv.)"""

from __future__ import annotations

import asyncio

from integrations.vertex_shape import ANSWER, GREETING, MODEL, SENT_MODEL, Google, require

require("llama_index.llms.openai_like")

from llama_index.core.agent.workflow import FunctionAgent  # noqa: E402
from llama_index.core.llms import ChatMessage  # noqa: E402
from llama_index.core.tools import FunctionTool  # noqa: E402
from llama_index.llms.openai_like import OpenAILike  # noqa: E402


def make_llm(google: Google) -> OpenAILike:
    # the snippet of docs/frameworks.md: OpenAILike (OpenAI() rejects non-OpenAI model names)
    return OpenAILike(
        model=MODEL,
        openai_client=google.client(),
        async_openai_client=google.async_client(),
        is_chat_model=True,
        is_function_calling_model=True,
        context_window=1_000_000,
    )


def weather_tool(google: Google) -> FunctionTool:
    def get_weather(city: str) -> str:
        """Current temperature in a city."""
        google.rollover()  # the token expires while the tool runs: the next turn meets a 401
        return {"Paris": "18°C"}.get(city, "unknown")

    return FunctionTool.from_defaults(get_weather)


def test_chat_across_a_rollover(google: Google) -> None:
    llm = make_llm(google)
    assert llm.chat([ChatMessage(role="user", content="Hi")]).message.content == GREETING
    google.rollover()
    answer = asyncio.run(llm.achat([ChatMessage(role="user", content="Hi again")]))
    assert answer.message.content == GREETING
    assert [b["model"] for b in google.bodies] == [SENT_MODEL, SENT_MODEL]
    google.assert_rolled_over()


def test_tool_loop_sends_the_signature_back(google: Google) -> None:
    llm, tool = make_llm(google), weather_tool(google)
    history = [ChatMessage(role="user", content="Weather in Paris?")]
    response = llm.chat_with_tools([tool], chat_history=history)
    calls = llm.get_tool_calls_from_response(response, error_on_no_tool_call=True)
    history.append(response.message)
    for call in calls:
        result = tool.call(**call.tool_kwargs)
        history.append(
            ChatMessage(role="tool", content=str(result), additional_kwargs={"tool_call_id": call.tool_id})
        )
    final = llm.chat_with_tools([tool], chat_history=history)
    assert final.message.content == ANSWER
    call, signature = google.tool_call_round_trip()
    assert call["extra_content"] == signature  # LlamaIndex rebuilt the call; the client re-attached it
    assert call["id"]
    assert [b["model"] for b in google.bodies] == [SENT_MODEL, SENT_MODEL]
    google.assert_rolled_over()


def test_function_agent(google: Google) -> None:
    agent = FunctionAgent(tools=[weather_tool(google)], llm=make_llm(google))

    async def main() -> str:
        return str(await agent.run("Weather in Paris?"))

    assert asyncio.run(main()) == ANSWER
    call, signature = google.tool_call_round_trip()
    assert call["extra_content"] == signature
    assert call["id"]
    assert all(b["model"] == SENT_MODEL for b in google.bodies)
    google.assert_rolled_over()

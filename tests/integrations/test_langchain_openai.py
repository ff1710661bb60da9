"""langchain-openai's `ChatOpenAI` over `VertexOpenAI` / `AsyncVertexOpenAI`: invoke, stream, a
`bind_tools` loop, `with_structured_output`."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from integrations.vertex_shape import ANSWER, GREETING, MODEL, SENT_MODEL, Google, require
from pydantic import BaseModel

from vertex_openai import SignatureMemory

require("langchain_openai")

from langchain_core.messages import (  # noqa: E402
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    ToolMessage,
    messages_from_dict,
    messages_to_dict,
)
from langchain_core.tools import tool  # noqa: E402
from langchain_openai import ChatOpenAI  # noqa: E402


def chat_model(google: Google, memory: SignatureMemory | None = None, **options: Any) -> ChatOpenAI:
    remember: SignatureMemory | bool = True if memory is None else memory
    vx, avx = google.client(remember_signatures=remember), google.async_client(remember_signatures=remember)
    # the snippet of docs/frameworks.md: both pairs, or ChatOpenAI builds plain OpenAI clients
    return ChatOpenAI(
        client=vx.chat.completions,
        root_client=vx,
        async_client=avx.chat.completions,
        root_async_client=avx,
        model=MODEL,
        **options,
    )


def test_invoke_across_a_rollover(google: Google) -> None:
    llm = chat_model(google)
    assert llm.invoke("Hi").content == GREETING
    google.rollover()
    assert asyncio.run(llm.ainvoke("Hi again")).content == GREETING
    assert [b["model"] for b in google.bodies] == [SENT_MODEL, SENT_MODEL]
    google.assert_rolled_over()


def test_refreshes_before_sending_once_the_token_expired(google: Google) -> None:
    vx, avx = google.client(), google.async_client()
    llm = ChatOpenAI(
        client=vx.chat.completions,
        root_client=vx,
        async_client=avx.chat.completions,  # without the async pair ChatOpenAI builds a plain
        root_async_client=avx,  # AsyncOpenAI, which fails for want of OPENAI_API_KEY
        model=MODEL,
    )
    assert llm.invoke("Hi").content == GREETING
    with google.expired(vx):
        assert llm.invoke("Hi again").content == GREETING
    assert len(google.tokens.issued) == 2
    assert [b["model"] for b in google.bodies] == [SENT_MODEL, SENT_MODEL]


def test_streamed_usage_is_the_last_chunks(google: Google) -> None:
    llm = chat_model(google, stream_usage=True)
    total: AIMessageChunk | None = None
    llm.invoke("warm up")
    google.rollover()
    for chunk in llm.stream("Hi"):
        assert isinstance(chunk, AIMessageChunk)
        total = chunk if total is None else total + chunk
    assert total is not None
    assert total.content == GREETING
    assert google.bodies[-1]["stream"] is True
    last = google.gemini.last_usage
    assert total.usage_metadata is not None
    assert total.usage_metadata["input_tokens"] == last["prompt_tokens"]
    assert total.usage_metadata["output_tokens"] == last["completion_tokens"]
    assert total.usage_metadata["total_tokens"] == last["total_tokens"]
    google.assert_rolled_over()


def get_weather(city: str) -> str:
    """Current temperature in a city."""
    return {"Paris": "18°C"}.get(city, "unknown")


weather_tool = tool(get_weather)


def tool_loop(google: Google, llm: ChatOpenAI) -> str:
    with_tools = llm.bind_tools([weather_tool])
    messages: list[BaseMessage] = [HumanMessage("Weather in Paris?")]
    while True:
        answer = with_tools.invoke(messages)
        assert isinstance(answer, AIMessage)
        messages.append(answer)
        if not answer.tool_calls:
            return str(answer.content)
        for call in answer.tool_calls:
            google.rollover()  # the token expires while the tool runs
            messages.append(ToolMessage(weather_tool.invoke(call["args"]), tool_call_id=call["id"]))


def test_bind_tools_loop_sends_the_signature_back(google: Google) -> None:
    assert tool_loop(google, chat_model(google)) == ANSWER
    call, signature = google.tool_call_round_trip()
    assert call["extra_content"] == signature  # LangChain rebuilt the call; the client re-attached it
    assert call["id"]
    assert [b["model"] for b in google.bodies] == [SENT_MODEL, SENT_MODEL]
    google.assert_rolled_over()


def test_streamed_bind_tools_loop(google: Google) -> None:
    assert tool_loop(google, chat_model(google, streaming=True)) == ANSWER
    call, signature = google.tool_call_round_trip()
    assert call["extra_content"] == signature
    assert call["id"]
    google.assert_rolled_over()


def test_a_conversation_invoke_starts_and_ainvoke_continues_keeps_its_signature(google: Google) -> None:
    """invoke() answers through the sync client, ainvoke() through the async one: one memory for both."""
    with_tools = chat_model(google, SignatureMemory()).bind_tools([weather_tool])
    messages: list[BaseMessage] = [HumanMessage("Weather in Paris?")]
    first = with_tools.invoke(messages)
    assert isinstance(first, AIMessage) and first.tool_calls
    messages += [
        first,
        ToolMessage(weather_tool.invoke(first.tool_calls[0]["args"]), tool_call_id=first.tool_calls[0]["id"]),
    ]
    final = asyncio.run(with_tools.ainvoke(messages))
    assert final.content == ANSWER
    call, signature = google.tool_call_round_trip()
    assert call["extra_content"] == signature  # put back by the async client from the sync one's answer


class Weather(BaseModel):
    city: str
    celsius: int


def test_with_structured_output(google: Google) -> None:
    llm = chat_model(google)
    llm.invoke("warm up")
    google.rollover()
    weather = llm.with_structured_output(Weather).invoke("Weather in Paris?")
    assert weather == Weather(city="Paris", celsius=1)
    assert google.bodies[-1]["model"] == SENT_MODEL
    google.assert_rolled_over()


def rebuilt(message: BaseMessage) -> BaseMessage:
    """The assistant turn as an app stores it: text, and each tool call's id, name and arguments."""
    if not isinstance(message, AIMessage):
        return message
    calls = [{"id": c["id"], "name": c["name"], "args": c["args"]} for c in message.tool_calls]
    return AIMessage(content=message.content, tool_calls=calls)


@pytest.mark.parametrize("streaming", [False, True], ids=["invoke", "stream"])
def test_history_stored_as_json_continues_in_a_new_run(google: Google, streaming: bool) -> None:
    """Run 1 gets the tool call and stores the conversation as JSON (LangChain's own message dicts,
    tool calls rebuilt); run 2, with new clients and an empty memory, reads it back and continues."""
    first = chat_model(google, SignatureMemory(), streaming=streaming).bind_tools([weather_tool])
    messages: list[BaseMessage] = [HumanMessage("Weather in Paris?")]
    answer = first.invoke(messages)
    assert isinstance(answer, AIMessage) and answer.tool_calls
    call = answer.tool_calls[0]
    messages += [rebuilt(answer), ToolMessage(weather_tool.invoke(call["args"]), tool_call_id=call["id"])]
    stored = json.dumps(messages_to_dict(messages))
    assert google.gemini.signatures[0] not in stored  # the signature is stored only inside the id

    second = chat_model(google, SignatureMemory(), streaming=streaming).bind_tools([weather_tool])
    final = second.invoke(messages_from_dict(json.loads(stored)))
    assert final.content == ANSWER
    sent, signature = google.tool_call_round_trip()
    assert sent["extra_content"] == signature  # the original signature, from the stored id
    tool = next(m for m in google.bodies[-1]["messages"] if m["role"] == "tool")
    assert tool["tool_call_id"] == sent["id"] and len(sent["id"]) == 29  # short ids, still paired

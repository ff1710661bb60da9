"""Schemas Gemini accepts (issue 18): pydantic models through `parse()` and tools, on the wire.

The local Gemini answers a json_schema request with a value that fits the schema it received, so a
round trip through `parse()` shows the translated schema still describes the caller's model.
"""

from __future__ import annotations

import json
from typing import Any, Literal, Optional

import openai
import pytest
from fake_gemini import gemini_reply
from fakes import VertexServer
from helpers_api import chat_helpers
from pydantic import BaseModel, Field

from vertex_openai import VertexOpenAI
from vertex_openai._pipeline._schema import gemini_schema, gemini_schemas

TOKEN = "ya29.schema-token"
REJECTED = ("$ref", "$defs", "definitions", "title", "default", "examples", "const")


class Address(BaseModel):
    city: str = Field(title="City", examples=["Paris"])
    zip_code: Optional[str] = None  # noqa: UP045  # written as users write it


class Person(BaseModel):
    name: str
    role: Literal["admin", "user"]
    kind: Literal["person"] = "person"
    nickname: Optional[str] = None  # noqa: UP045
    age: int | None = Field(default=None, description="Years")
    address: Address
    previous: list[Address] = []
    scores: dict[str, int]
    labels: dict[str, Address]


class Node(BaseModel):
    name: str
    children: list[Node]


@pytest.fixture
def gemini() -> Any:
    server = VertexServer(accept={TOKEN})
    server.responder = gemini_reply
    yield server
    server.close()


def keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys(v)}
    return set()


def test_parse_round_trips_optional_literal_nested_and_dict_fields(gemini: VertexServer) -> None:
    client = VertexOpenAI(base_url=gemini.base_url, access_token=TOKEN)
    completion = chat_helpers(client).parse(
        model="gemini-2.5-flash", messages=[{"role": "user", "content": "Who?"}], response_format=Person
    )
    person = completion.choices[0].message.parsed
    assert isinstance(person, Person) and isinstance(person.address, Address)
    assert person.role == "admin" and person.kind == "person"
    sent = gemini.seen[-1].json["response_format"]["json_schema"]
    schema = sent["schema"]
    assert keys(schema).isdisjoint(REJECTED)  # self-contained, annotations gone
    properties = schema["properties"]
    assert properties["nickname"] == {"type": "string", "nullable": True}  # Optional[str]
    assert properties["age"] == {"type": "integer", "nullable": True, "description": "Years"}
    assert properties["kind"]["enum"] == ["person"]  # a one-value Literal
    assert properties["role"]["enum"] == ["admin", "user"]
    assert properties["address"]["properties"]["city"] == {"type": "string"}  # nested model, inlined
    assert properties["scores"] == {"type": "object", "additionalProperties": {"type": "integer"}}
    assert properties["labels"]["additionalProperties"]["required"] == [
        "city",
        "zip_code",
    ]  # dict[str, Model]
    assert sent["strict"] is True and sent["name"] == "Person"  # the rest of the format as openai wrote it


def test_a_recursive_model_fails_locally_naming_the_path(gemini: VertexServer) -> None:
    client = VertexOpenAI(base_url=gemini.base_url, access_token=TOKEN)
    with pytest.raises(
        ValueError, match=r"response_format\.json_schema\.schema\.properties\.children\.items"
    ):
        chat_helpers(client).parse(
            model="gemini-2.5-flash", messages=[{"role": "user", "content": "Tree?"}], response_format=Node
        )
    with pytest.raises(ValueError, match=r"tools\[0\]\.function\.parameters.*recursive"):
        client.chat.completions.create(
            model="gemini-3-pro-preview",
            messages=[{"role": "user", "content": "Tree?"}],
            tools=[openai.pydantic_function_tool(Node)],
        )
    assert gemini.seen == []  # refused before any request


def test_pydantic_tools_are_sent_translated_and_their_calls_parse(gemini: VertexServer) -> None:
    client = VertexOpenAI(base_url=gemini.base_url, access_token=TOKEN)
    completion = chat_helpers(client).parse(
        model="gemini-2.5-flash",
        messages=[{"role": "user", "content": "Add Ann."}],
        tools=[openai.pydantic_function_tool(Person)],
    )
    call = (completion.choices[0].message.tool_calls or [])[0]
    assert isinstance(call.function.parsed_arguments, Person)
    parameters = gemini.seen[-1].json["tools"][0]["function"]["parameters"]
    assert keys(parameters).isdisjoint(REJECTED) and parameters["required"]


def test_schemas_gemini_already_accepts_are_sent_as_they_are() -> None:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"city": {"type": "string", "enum": ["Paris"]}, "n": {"type": "integer"}},
        "required": ["city"],
    }
    assert gemini_schema(schema) is schema
    body = {"tools": [{"type": "function", "function": {"name": "f", "parameters": schema}}], "messages": []}
    assert gemini_schemas(body) is body


def test_other_models_get_their_schemas_untouched(gemini: VertexServer) -> None:
    gemini.responder = None
    client = VertexOpenAI(base_url=gemini.base_url, access_token=TOKEN)
    tool = openai.pydantic_function_tool(Person)
    client.chat.completions.create(
        model="meta/llama-3.3-70b-instruct-maas", messages=[{"role": "user", "content": "?"}], tools=[tool]
    )
    assert gemini.seen[-1].json["tools"][0] == json.loads(json.dumps(tool))


def test_what_cannot_be_resolved_is_refused_not_dropped() -> None:
    with pytest.raises(
        ValueError, match=r"tools\[0\]\.function\.parameters\.properties\.a: \$ref 'https://x/y'"
    ):
        gemini_schemas(
            {
                "tools": [
                    {
                        "type": "function",
                        "function": {
                            "name": "f",
                            "parameters": {"properties": {"a": {"$ref": "https://x/y"}}},
                        },
                    }
                ]
            }
        )
    root_recursion = {"type": "object", "properties": {"next": {"$ref": "#"}}}
    with pytest.raises(ValueError, match=r"schema\.properties\.next: the schema is recursive"):
        gemini_schema(root_recursion)


def test_type_lists_with_null_and_one_schema_all_of() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": ["string", "null"]},
            "b": {"allOf": [{"$ref": "#/definitions/B"}], "description": "the b"},
            "c": {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]},
        },
        "definitions": {"B": {"type": "object", "properties": {"x": {"type": "number"}}, "title": "B"}},
    }
    translated = gemini_schema(schema)
    assert translated == {
        "type": "object",
        "properties": {
            "a": {"type": "string", "nullable": True},
            "b": {"type": "object", "properties": {"x": {"type": "number"}}, "description": "the b"},
            "c": {"anyOf": [{"type": "string"}, {"type": "integer"}], "nullable": True},
        },
    }
    assert "definitions" in schema  # the caller's schema is not changed

"""instructor over `VertexOpenAI` / `AsyncVertexOpenAI`: structured output in tools and JSON modes.

(instructor 1.x pins jiter<0.15, which the newest openai 3 does not allow: this runs in the openai 2
integrations venv.)"""

from __future__ import annotations

import asyncio

import pytest
from integrations.vertex_shape import MODEL, SENT_MODEL, Google, require
from pydantic import BaseModel

instructor = require("instructor")

MODES = ["TOOLS", "JSON", "JSON_SCHEMA", "MD_JSON"]


class Weather(BaseModel):
    city: str
    celsius: int


@pytest.mark.parametrize("mode", MODES)
def test_structured_output_across_a_rollover(google: Google, mode: str) -> None:
    # the snippet of docs/frameworks.md
    client = instructor.from_openai(google.client(), mode=instructor.Mode[mode])
    aclient = instructor.from_openai(google.async_client(), mode=instructor.Mode[mode])
    messages = [{"role": "user", "content": "Weather in Paris?"}]

    first = client.chat.completions.create(model=MODEL, response_model=Weather, messages=messages)
    google.rollover()
    second = asyncio.run(
        aclient.chat.completions.create(model=MODEL, response_model=Weather, messages=messages)
    )

    assert first.model_dump() == second.model_dump() == {"city": "Paris", "celsius": 1}
    assert [b["model"] for b in google.bodies] == [SENT_MODEL, SENT_MODEL]
    if mode == "TOOLS":
        assert google.bodies[0]["tool_choice"]["function"]["name"] == "Weather"
    google.assert_rolled_over()

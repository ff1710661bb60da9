"""Structured output: openai's parse() with a pydantic model (Vertex takes a subset of JSON Schema:
keep models flat and non-recursive). Needs openai 1.92 or newer: before that, the same call is
`client.beta.chat.completions.parse`; openai 2 and 3 keep only `client.chat.completions.parse`."""

import pydantic

from vertex_openai import VertexOpenAI


class City(pydantic.BaseModel):
    name: str
    country: str
    population: int


def main() -> None:
    client = VertexOpenAI()
    completion = client.chat.completions.parse(
        model="google/gemini-2.5-flash",
        messages=[{"role": "user", "content": "Tell me about the capital of France."}],
        response_format=City,
    )
    city = completion.choices[0].message.parsed
    print(repr(city))


if __name__ == "__main__":
    main()

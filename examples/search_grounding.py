"""Google Search grounding: web_search_options turns it on (Vertex takes no sub-options)."""

from vertex_openai import VertexOpenAI


def main() -> None:
    client = VertexOpenAI()
    response = client.chat.completions.create(
        model="google/gemini-2.5-flash",
        messages=[{"role": "user", "content": "Who won the most recent Formula 1 race?"}],
        web_search_options={},
    )
    print(response.choices[0].message.content)


if __name__ == "__main__":
    main()

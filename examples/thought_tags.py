"""Thought tags: thought summaries split from the answer, whole and streamed."""

from vertex_openai import ThinkingConfig, VertexOpenAI, gemini_options, iter_thoughts, split_thoughts

OPTIONS = gemini_options(thinking_config=ThinkingConfig(include_thoughts=True), thought_tag_marker="think")


def main() -> None:
    client = VertexOpenAI()
    question = [{"role": "user", "content": "How many r's are in 'strawberry'?"}]

    response = client.chat.completions.create(
        model="google/gemini-2.5-flash", messages=question, extra_body=OPTIONS
    )
    thoughts, answer = split_thoughts(response.choices[0].message.content, "think")
    print("thoughts:", thoughts)
    print("answer:", answer)

    stream = client.chat.completions.create(
        model="google/gemini-2.5-flash", messages=question, extra_body=OPTIONS, stream=True
    )
    current = None
    for kind, text in iter_thoughts(stream, "think"):
        if kind != current:
            print(f"\n--- {kind} ---")
            current = kind
        print(text, end="", flush=True)
    print()


if __name__ == "__main__":
    main()

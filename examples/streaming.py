"""Streaming: print the answer as it arrives, then the final message assembled by openai's helper."""

from vertex_openai import VertexOpenAI


def main() -> None:
    client = VertexOpenAI()
    messages = [{"role": "user", "content": "Write a haiku about the sea."}]

    for chunk in client.chat.completions.create(
        model="google/gemini-2.5-flash", messages=messages, stream=True
    ):
        if chunk.choices:
            print(chunk.choices[0].delta.content or "", end="", flush=True)
    print()

    with client.chat.completions.stream(model="google/gemini-2.5-flash", messages=messages) as stream:
        final = stream.get_final_completion()
    print("final message role:", final.choices[0].message.role)  # "assistant", not "assistantassistant"


if __name__ == "__main__":
    main()

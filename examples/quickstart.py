"""Quick start: one question, one answer. Uses Application Default Credentials and GOOGLE_CLOUD_PROJECT."""

from vertex_openai import VertexOpenAI


def main() -> None:
    client = VertexOpenAI()  # project from GOOGLE_CLOUD_PROJECT, location "global"
    response = client.chat.completions.create(
        model="google/gemini-2.5-flash",
        messages=[{"role": "user", "content": "Explain to me how AI works in one sentence."}],
    )
    print(response.choices[0].message.content)


if __name__ == "__main__":
    main()

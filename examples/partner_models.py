"""Partner and open models (Model as a Service) on the same client: Llama, DeepSeek, Qwen, gpt-oss ...

Documented ids work bare (the client adds the publisher: `meta/llama-...`). MaaS models are served in
fewer locations than Gemini: a 404 names the locations Google documents for the model. Llama 4 needs
`max_tokens`, or it answers with empty text (the client warns).
"""

from vertex_openai import PARTNER_MODELS, VertexOpenAI


def main() -> None:
    for entry in PARTNER_MODELS[:3]:
        print(f"{entry.id}: {', '.join(entry.locations)}")
    client = VertexOpenAI(location="us-east5")  # where Google documents Llama 4
    response = client.chat.completions.create(
        model="llama-4-maverick-17b-128e-instruct-maas",
        messages=[{"role": "user", "content": "Say hello in one short sentence."}],
        max_tokens=256,
    )
    print(response.model, "->", response.choices[0].message.content)
    for model in client.models.list():  # Google's models, as ids chat calls take
        if model.id.startswith("google/gemini-2.5"):
            print("available:", model.id)


if __name__ == "__main__":
    main()

"""Embeddings for retrieval (RAG): embed documents, find the closest to a question, answer with Gemini.

Google's embedding models (text-embedding-005, text-multilingual-embedding-002, gemini-embedding-001)
are served in regions, not on `global`: this client uses us-central1. Long lists are split into
Vertex-sized requests and sent concurrently; the answer comes back in input order.
"""

import math

from vertex_openai import VertexOpenAI, embedding_options

DOCUMENTS = [
    "Vertex AI serves Gemini models through an OpenAI-compatible endpoint.",
    "The Eiffel Tower is 330 metres tall.",
    "Embeddings map text to vectors so that similar texts are close together.",
]


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def main() -> None:
    client = VertexOpenAI(location="us-central1")
    stored = client.embeddings.create(
        model="text-embedding-005",
        input=DOCUMENTS,
        dimensions=256,
        extra_body=embedding_options(task_type="RETRIEVAL_DOCUMENT"),
    )
    question = "How tall is the Eiffel Tower?"
    query = client.embeddings.create(
        model="text-embedding-005",
        input=question,
        dimensions=256,
        extra_body=embedding_options(task_type="RETRIEVAL_QUERY"),
    )
    size = len(stored.data[0].embedding)
    print(f"{len(stored.data)} vectors of {size} dimensions, {stored.usage.total_tokens} tokens")
    scores = [cosine(query.data[0].embedding, item.embedding) for item in stored.data]
    best = DOCUMENTS[max(range(len(scores)), key=scores.__getitem__)]
    answer = client.chat.completions.create(
        model="google/gemini-2.5-flash",
        messages=[{"role": "user", "content": f"Using this context: {best}\nAnswer: {question}"}],
    )
    print(answer.choices[0].message.content)


if __name__ == "__main__":
    main()

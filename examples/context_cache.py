"""Context cache: answer from a cache created with the native Vertex AI API, in the same location.

Set CACHED_CONTENT=projects/PROJECT/locations/LOCATION/cachedContents/ID (see Google's "Create a
context cache" page; the OpenAI-compatible endpoint reads caches but cannot create them).
"""

import os

from vertex_openai import VertexOpenAI, gemini_options


def main() -> None:
    cache = os.environ.get(
        "CACHED_CONTENT", "projects/my-project/locations/us-central1/cachedContents/1234567890"
    )
    location = cache.split("/")[3]
    client = VertexOpenAI(location=location)
    response = client.chat.completions.create(
        model="google/gemini-2.5-flash",
        messages=[{"role": "user", "content": "Summarize the cached document in three bullet points."}],
        extra_body=gemini_options(cached_content=cache),
    )
    print(response.choices[0].message.content)
    if response.usage is not None:
        print("prompt tokens:", response.usage.prompt_tokens)


if __name__ == "__main__":
    main()

"""A self-deployed Model Garden model (vLLM or TGI container) on its own endpoint.

Set ENDPOINT_ID and ENDPOINT_LOCATION. Model names are sent as they are on endpoint routes.
"""

import os

from vertex_openai import VertexOpenAI


def main() -> None:
    client = VertexOpenAI(
        location=os.environ.get("ENDPOINT_LOCATION", "us-central1"),
        endpoint_id=os.environ.get("ENDPOINT_ID", "1234567890"),
    )
    print("calling", client.base_url)
    response = client.chat.completions.create(
        model="",  # the deployed model's id, or "" for the endpoint's default
        messages=[{"role": "user", "content": "Hello!"}],
    )
    print(response.choices[0].message.content)


if __name__ == "__main__":
    main()

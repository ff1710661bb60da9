"""OpenAI's Batch API on Vertex AI batch prediction: upload a JSONL file, run it, read the results.

The code is OpenAI's batch guide as written; only the constructor differs. Set up once:
    pip install 'vertex-openai[batch]'
    export GOOGLE_CLOUD_PROJECT=my-project VERTEX_OPENAI_BATCH_BUCKET=gs://my-bucket/openai-batch
Batch prediction runs in a region (here us-central1), about half the online price.
"""

import json
import time

from vertex_openai import VertexOpenAI

REVIEWS = ["The battery lasts all day.", "It broke after a week.", "Fine for the price."]


def write_batch_file(path: str) -> None:
    with open(path, "w") as out:
        for n, review in enumerate(REVIEWS):
            body = {
                "model": "gemini-2.5-flash",
                "messages": [
                    {"role": "system", "content": "Answer positive, negative or mixed."},
                    {"role": "user", "content": review},
                ],
                "max_tokens": 10,
            }
            line = {"custom_id": f"review-{n}", "method": "POST", "url": "/v1/chat/completions", "body": body}
            out.write(json.dumps(line) + "\n")


def main() -> None:
    client = VertexOpenAI(location="us-central1")  # the one line that differs from OpenAI's guide
    write_batch_file("batchinput.jsonl")

    with open("batchinput.jsonl", "rb") as batch_file:
        batch_input_file = client.files.create(file=batch_file, purpose="batch")
    batch = client.batches.create(
        input_file_id=batch_input_file.id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        metadata={"description": "nightly eval job"},
    )
    print(f"created {batch.id}")
    while batch.status not in ("completed", "failed", "expired", "cancelled"):
        time.sleep(30)  # a real job takes minutes to hours
        batch = client.batches.retrieve(batch.id)
    print(f"{batch.status}: {batch.request_counts}")

    for line in client.files.content(batch.output_file_id).text.splitlines():
        result = json.loads(line)
        answer = result["response"]["body"]["choices"][0]["message"]["content"]
        print(f"{result['custom_id']}: {answer}")
    if batch.error_file_id:
        for line in client.files.content(batch.error_file_id).text.splitlines():
            print("failed:", json.loads(line)["custom_id"])


if __name__ == "__main__":
    main()

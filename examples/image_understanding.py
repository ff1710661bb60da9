"""Image understanding: a local file as a data URL, and an image in Cloud Storage by gs:// URI."""

import base64
import sys
from pathlib import Path

from vertex_openai import VertexOpenAI

HERE = Path(__file__).parent


def main() -> None:
    client = VertexOpenAI()
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "assets" / "pixel.png"
    data_url = "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()

    for image in (data_url, "gs://cloud-samples-data/generative-ai/image/scones.jpg"):
        response = client.chat.completions.create(
            model="google/gemini-2.5-flash",
            messages=[
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Describe this image in one sentence."},
                        {"type": "image_url", "image_url": {"url": image}},
                    ],
                }
            ],
        )
        print(response.choices[0].message.content)


if __name__ == "__main__":
    main()

"""Audio input: a WAV file sent as input_audio (base64); any audio MIME type works."""

import base64
import sys
from pathlib import Path

from vertex_openai import VertexOpenAI

HERE = Path(__file__).parent


def main() -> None:
    client = VertexOpenAI()
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "assets" / "silence.wav"
    audio = base64.b64encode(path.read_bytes()).decode()
    response = client.chat.completions.create(
        model="google/gemini-2.5-flash",
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Transcribe this recording, or say that it is silent."},
                    {"type": "input_audio", "input_audio": {"data": audio, "format": "wav"}},
                ],
            }
        ],
    )
    print(response.choices[0].message.content)


if __name__ == "__main__":
    main()

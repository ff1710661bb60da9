"""Image generation: ask an image model for an image and save what comes back."""

from vertex_openai import VertexOpenAI, response_images


def main() -> None:
    client = VertexOpenAI()
    response = client.chat.completions.create(
        model="google/gemini-2.5-flash-image",
        messages=[{"role": "user", "content": "A watercolor painting of a fox in the snow."}],
        modalities=["image"],  # type: ignore[list-item]  # openai's types know only text and audio
    )
    for number, image in enumerate(response_images(response)):
        name = f"generated-{number}.{image.mime_type.split('/')[-1]}"
        image.save(name)
        print(f"saved {name} ({len(image.data)} bytes)")


if __name__ == "__main__":
    main()

"""Async with many concurrent requests: 20 questions at once, one token refresh for all of them."""

import asyncio

from vertex_openai import AsyncVertexOpenAI


async def ask(client: AsyncVertexOpenAI, number: int) -> str:
    response = await client.chat.completions.create(
        model="google/gemini-2.5-flash",
        messages=[{"role": "user", "content": f"Give me one fact about the number {number}."}],
    )
    return response.choices[0].message.content or ""


async def main_async(count: int = 20) -> list[str]:
    async with AsyncVertexOpenAI() as client:
        semaphore = asyncio.Semaphore(10)  # stay within your quota

        async def limited(number: int) -> str:
            async with semaphore:
                return await ask(client, number)

        return await asyncio.gather(*(limited(n) for n in range(count)))


def main() -> None:
    for number, answer in enumerate(asyncio.run(main_async())):
        print(number, answer)


if __name__ == "__main__":
    main()

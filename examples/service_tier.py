"""Service tiers: Flex PayGo (about half price, slower) and Priority PayGo, with OpenAI's own argument.

`service_tier="flex"` or `"priority"` (global only) and `"provisioned"` become the request headers
Vertex reads; Flex calls get a 30-minute timeout unless you set one. `traffic_type()` says which tier
served a response (`ON_DEMAND`, `ON_DEMAND_FLEX`, `ON_DEMAND_PRIORITY`, `PROVISIONED_THROUGHPUT`).
"""

from vertex_openai import VertexOpenAI, traffic_type


def main() -> None:
    client = VertexOpenAI()  # location "global"
    response = client.chat.completions.create(
        model="google/gemini-2.5-flash",
        messages=[{"role": "user", "content": "Summarise the idea of flex processing in one sentence."}],
        service_tier="flex",
    )
    print(response.choices[0].message.content)
    print("served as:", traffic_type(response) or "not reported")

    batch_client = client.with_options(default_service_tier="flex")  # every chat call of this copy: Flex
    urgent = batch_client.chat.completions.create(
        model="google/gemini-2.5-flash",
        messages=[{"role": "user", "content": "Hello!"}],
        service_tier="priority",  # a call's own tier wins
    )
    print(urgent.choices[0].message.content)


if __name__ == "__main__":
    main()

"""Function calling as a full loop on Gemini 3: the assistant message goes back as it came, so its
thought signatures do too (Gemini 3 answers 400 without them)."""

import json

from vertex_openai import VertexOpenAI

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current temperature in a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
]


def get_weather(city: str) -> str:
    return {"Paris": "18°C", "London": "12°C"}.get(city, "no data")


def main() -> None:
    client = VertexOpenAI()  # Gemini 3 previews are served on location "global"
    messages: list = [{"role": "user", "content": "What's the weather in Paris?"}]
    while True:
        response = client.chat.completions.create(
            model="google/gemini-3-pro-preview", messages=messages, tools=TOOLS
        )
        message = response.choices[0].message
        if not message.tool_calls:  # a tool-call turn may end with finish_reason "stop": test tool_calls
            break
        messages.append(message)  # keeps extra_content.google.thought_signature
        for call in message.tool_calls:
            arguments = json.loads(call.function.arguments)
            print(f"calling {call.function.name}({arguments})")
            messages.append({"role": "tool", "tool_call_id": call.id, "content": get_weather(**arguments)})
    print(message.content)


if __name__ == "__main__":
    main()

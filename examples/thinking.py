"""Thinking: with OpenAI's reasoning_effort, and with Gemini's own ThinkingConfig."""

from vertex_openai import ThinkingConfig, VertexOpenAI, gemini_options


def main() -> None:
    client = VertexOpenAI()
    question = [{"role": "user", "content": "A bat and a ball cost $1.10 in total. How much is the ball?"}]

    # OpenAI's knob: low / medium / high map to thinking budgets of 1024 / 8192 / 24576 tokens.
    effort = client.chat.completions.create(
        model="google/gemini-2.5-flash", messages=question, reasoning_effort="low"
    )
    print("reasoning_effort=low:", effort.choices[0].message.content)

    # Gemini's knob: an exact budget (Gemini 2.5) or thinking_level="LOW" (Gemini 3).
    budget = client.chat.completions.create(
        model="google/gemini-2.5-flash",
        messages=question,
        extra_body=gemini_options(thinking_config=ThinkingConfig(thinking_budget=2048)),
    )
    print("thinking_budget=2048:", budget.choices[0].message.content)
    usage = budget.usage
    if usage is not None:  # completion_tokens includes thinking, as OpenAI counts (and Google bills) it
        thinking = usage.completion_tokens_details.reasoning_tokens if usage.completion_tokens_details else 0
        print(
            "tokens:",
            usage.prompt_tokens,
            "in,",
            usage.completion_tokens,
            f"out ({thinking} thinking),",
            usage.total_tokens,
            "total",
        )


if __name__ == "__main__":
    main()

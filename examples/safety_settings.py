"""Safety settings: a company-wide default on the client, and a stricter rule for one call."""

from vertex_openai import HarmBlockThreshold, HarmCategory, SafetySetting, VertexOpenAI, gemini_options


def main() -> None:
    client = VertexOpenAI(
        default_gemini_options=gemini_options(
            safety_settings=[
                SafetySetting(HarmCategory.HARM_CATEGORY_HATE_SPEECH, HarmBlockThreshold.BLOCK_LOW_AND_ABOVE),
                SafetySetting(
                    HarmCategory.HARM_CATEGORY_DANGEROUS_CONTENT, HarmBlockThreshold.BLOCK_MEDIUM_AND_ABOVE
                ),
            ]
        )
    )
    question = [{"role": "user", "content": "Write a friendly limerick about a cat."}]
    response = client.chat.completions.create(model="google/gemini-2.5-flash", messages=question)
    print(response.choices[0].message.content)

    # per call: this list replaces the default list for this request only
    strict = gemini_options(
        safety_settings=[SafetySetting("HARM_CATEGORY_HARASSMENT", "BLOCK_LOW_AND_ABOVE", method="SEVERITY")]
    )
    response = client.chat.completions.create(
        model="google/gemini-2.5-flash", messages=question, extra_body=strict
    )
    choice = response.choices[0]
    if choice.finish_reason == "content_filter":  # blocked answers may have content None
        print("blocked by the safety settings")
    else:
        print(choice.message.content)


if __name__ == "__main__":
    main()

"""Issue 18's request steps, measured: `python -m benchmarks.signatures [--callgrind]`.

1. the steps alone (`_signatures.shape_chat_body`: signatures from memory / ids / placeholders, Gemini
   schemas, reasoning_effort), in µs per request body, for a plain chat body (the common path) and
   for a Gemini 3 tool loop history whose ids carry signatures (the decoding path);
2. `--callgrind`: instructions per call, plain openai vs vertex-openai, over openai's in-memory
   transport (`common.Endpoint`), for the plain body and the tool-loop body (difference of two runs,
   so start-up is left out). A count, not a time: the same on a busy machine.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import timeit
from typing import Any

from benchmarks import common
from vertex_openai._pipeline import _sigid
from vertex_openai._pipeline._signatures import SignatureMemory, mint_call_id, shape_chat_body

GEMINI3 = "google/gemini-3-pro-preview"
TOOLS: list[Any] = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
]


def tool_history(steps: int = 3, signature_bytes: int = 320) -> list[Any]:
    """A question and `steps` tool-call steps of two parallel calls each, the first signed in its id."""
    messages: list[Any] = [{"role": "user", "content": "Weather in Paris and Rome, twice?"}]
    for _ in range(steps):
        signature = base64.b64encode(os.urandom(signature_bytes)).decode()
        ids = [_sigid.encode(mint_call_id(), signature), mint_call_id()]
        calls = [
            {
                "id": i,
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
            }
            for i in ids
        ]
        messages.append({"role": "assistant", "content": None, "tool_calls": calls})
        messages += [{"role": "tool", "tool_call_id": i, "content": "18°C"} for i in ids]
    return messages


def steps_alone(number: int = 20000) -> dict[str, float]:
    bodies = {
        "plain body, gemini-3 (common path)": {"model": GEMINI3, "messages": common.MESSAGES},
        "plain body, gemini-2.5 with tools": {
            "model": common.MODEL,
            "messages": common.MESSAGES,
            "tools": TOOLS,
        },
        "3-step tool history, carrier ids": {"model": GEMINI3, "messages": tool_history(), "tools": TOOLS},
    }
    memory = SignatureMemory()
    out = {}
    for name, body in bodies.items():
        seconds = min(timeit.repeat(lambda b=body: shape_chat_body(b, memory), number=number, repeat=5))  # type: ignore[misc]
        out[name] = seconds / number * 1e6
    return out


_CALLS_SCRIPT = """
import json, sys
from benchmarks import common, signatures
common.keep_google_auth_offline()
google = common.Google(private_key_pem=sys.argv[4])
client = common.contenders(common.Endpoint(), google)[sys.argv[1]]
kwargs = json.loads(sys.argv[3])
for _ in range(int(sys.argv[2])):
    client.chat.completions.create(**kwargs)
google.close()
"""


def _instructions(name: str, calls: int, kwargs: str, key: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        done = subprocess.run(
            [
                *("valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"),
                *(sys.executable, "-c", _CALLS_SCRIPT, name, str(calls), kwargs, key),
            ],
            check=False,
            capture_output=True,
            cwd=common.ROOT,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{name} under callgrind failed: {done.stderr.decode()[-2000:]}")
        with open(out) as file:
            for line in file:
                if line.startswith(("totals:", "summary:")):
                    return int(line.split()[1])
    raise RuntimeError("callgrind wrote no totals")


def instructions(few: int = 10, many: int = 60) -> dict[str, dict[str, float]]:
    from fakes import new_private_key_pem  # tests/ is on the path once `common` is imported

    key = new_private_key_pem()
    requests = {
        "plain body": {"model": common.MODEL, "messages": common.MESSAGES},
        "3-step tool history": {"model": GEMINI3, "messages": tool_history(), "tools": TOOLS},
    }
    out: dict[str, dict[str, float]] = {}
    for label, kwargs in requests.items():
        text = json.dumps(kwargs)
        per_call = {}
        for name in ("plain", "vertex-openai"):
            counts = [_instructions(name, calls, text, key) for calls in (few, many)]
            per_call[name] = (counts[1] - counts[0]) / (many - few)
        out[label] = {**per_call, "ratio": per_call["vertex-openai"] / per_call["plain"]}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.signatures")
    parser.add_argument("--callgrind", action="store_true", help="also count instructions per call")
    args = parser.parse_args()
    for name, micros in steps_alone().items():
        print(f"steps alone | {name}: {micros:.2f} µs/body")
    if args.callgrind:
        for label, row in instructions().items():
            print(
                f"callgrind | {label}: plain {row['plain']:.0f}, vertex-openai {row['vertex-openai']:.0f} "
                f"instructions/call, ratio {row['ratio']:.3f}"
            )


if __name__ == "__main__":
    main()

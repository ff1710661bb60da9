"""Batch translation: lines per second and peak memory, both ways, against a plain `json` loop.

`python -m benchmarks.batch [--smoke] [--write]` makes an OpenAI batch input file and a file of
Vertex prediction lines (100,000 lines each; 2,000 with --smoke), then runs each contender in a
process of its own, several rounds:

- input: `translate_input` (check + translate every chat line to a GenerateContentRequest line)
  vs the floor, `json.loads` + `json.dumps` of each line;
- output: `result_lines` (prediction line -> OpenAI output line with a chat.completion) vs the same
  floor over the prediction file.

Peak memory is the process's peak RSS (VmHWM, reset after imports) over its RSS after imports, so it shows
whether memory grows with the file. `--write` puts the table into benchmarks/RESULTS.md (its own
section, between markers).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROUNDS = 3
MARK_START = "<!-- batch translation: benchmarks/batch.py -->"
MARK_END = "<!-- /batch translation -->"
CONTENDERS = ("floor-input", "vertex-input", "floor-output", "vertex-output")


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    """Reset the peak RSS (VmHWM) to the current RSS (Linux: write 5 to /proc/self/clear_refs)."""
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def make_files(folder: Path, lines: int) -> tuple[Path, Path]:
    requests = folder / "input.jsonl"
    predictions = folder / "predictions.jsonl"
    with requests.open("w") as out:
        for n in range(lines):
            body = {
                "model": "gemini-2.5-flash",
                "messages": [
                    {"role": "system", "content": "Label the sentiment of the review: positive or negative."},
                    {
                        "role": "user",
                        "content": f"Review {n}: the battery lasts all day and the screen is sharp.",
                    },
                ],
                "max_tokens": 20,
                "temperature": 0,
            }
            out.write(
                json.dumps(
                    {
                        "custom_id": f"review-{n}",
                        "method": "POST",
                        "url": "/v1/chat/completions",
                        "body": body,
                    }
                )
                + "\n"
            )
    with predictions.open("w") as out:
        for n in range(lines):
            request = {
                "contents": [
                    {"role": "user", "parts": [{"text": f"Review {n}: the battery lasts all day."}]}
                ],
                "generationConfig": {"maxOutputTokens": 20, "temperature": 0},
                "labels": {"openai_custom_id": f"review-{n}"},
            }
            response = {
                "candidates": [
                    {"content": {"role": "model", "parts": [{"text": "positive"}]}, "finishReason": "STOP"}
                ],
                "usageMetadata": {"promptTokenCount": 21, "candidatesTokenCount": 1, "totalTokenCount": 22},
                "modelVersion": "gemini-2.5-flash-001",
                "createTime": "2026-12-05T10:08:00.123456Z",
                "responseId": f"resp-{n}",
            }
            out.write(json.dumps({"request": request, "response": response, "status": ""}) + "\n")
    return requests, predictions


def run_one(name: str, path: Path, sink: Path) -> dict[str, float]:
    """One contender over one file, in this process: seconds, lines, peak RSS growth (KiB)."""
    from vertex_openai._pipeline._maas import ModelTable
    from vertex_openai._pipeline._model import ModelResolver
    from vertex_openai._resources._batch._translate import result_lines, translate_input

    resolve = ModelResolver({}, ModelTable(()), openapi_route=True)
    _reset_peak()
    base = _status_kib("VmRSS")
    start = time.perf_counter()
    lines = 0
    with path.open("rb") as source, sink.open("wb") as out:
        if name.startswith("floor"):
            for raw in source:
                out.write(json.dumps(json.loads(raw)).encode() + b"\n")
                lines += 1
        elif name == "vertex-input":
            lines = translate_input(
                source, out.write, file_id="file-bench", endpoint="/v1/chat/completions", resolve=resolve
            ).requests
        else:
            for line in result_lines(source, "output", model="google/gemini-2.5-flash", batch="bench"):
                out.write(line)
                lines += 1
    seconds = time.perf_counter() - start
    peak = _status_kib("VmHWM")  # the peak since _reset_peak()
    return {"seconds": seconds, "lines": lines, "peak_growth_kib": max(peak - base, 0)}


def measure(smoke: bool) -> dict[str, Any]:
    lines = 2_000 if smoke else 100_000
    rounds = 1 if smoke else ROUNDS
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in CONTENDERS}
    with tempfile.TemporaryDirectory() as folder:
        requests, predictions = make_files(Path(folder), lines)
        sink = Path(folder) / "out.jsonl"
        for _ in range(rounds):
            for name in CONTENDERS:
                path = requests if name.endswith("input") else predictions
                done = subprocess.run(
                    [sys.executable, "-m", "benchmarks.batch", "--one", name, str(path), str(sink)],
                    capture_output=True, text=True, check=True,
                )  # fmt: skip
                samples[name].append(json.loads(done.stdout))
    rows = []
    for name in CONTENDERS:
        rates = [s["lines"] / s["seconds"] for s in samples[name]]
        floor = "floor-input" if name.endswith("input") else "floor-output"
        floor_rate = statistics.median(s["lines"] / s["seconds"] for s in samples[floor])
        rows.append(
            {
                "contender": name,
                "lines": int(samples[name][0]["lines"]),
                "lines_per_s": statistics.median(rates),
                "spread": (min(rates), max(rates)),
                "ratio": statistics.median(rates) / floor_rate,
                "peak_mb": max(s["peak_growth_kib"] for s in samples[name]) / 1024,
            }
        )
    return {"lines": lines, "rounds": rounds, "rows": rows}


def table(result: dict[str, Any]) -> str:
    names = {
        "floor-input": "json loop (floor), input file",
        "vertex-input": "vertex-openai: check + translate to GenerateContentRequest",
        "floor-output": "json loop (floor), prediction file",
        "vertex-output": "vertex-openai: prediction -> OpenAI output line",
    }
    out = [
        MARK_START,
        "## Batch translation (benchmarks/batch.py)",
        "",
        f"`python -m benchmarks.batch --write`: {result['lines']:,} lines each way, "
        f"{result['rounds']} rounds, each "
        "contender in a process of its own. Peak memory is the peak RSS growth over the process's RSS after "
        "imports. The floor is `json.loads` + `json.dumps` of each line.",
        "",
        "| contender | lines | lines/s (median) | range | of floor | peak memory growth |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in result["rows"]:
        low, high = row["spread"]
        out.append(
            f"| {names[row['contender']]} | {row['lines']:,} | {row['lines_per_s']:,.0f} | "
            f"{low:,.0f}-{high:,.0f} | "
            f"{row['ratio']:.2f}x | {row['peak_mb']:.2f} MB |"
        )
    out.append(MARK_END)
    return "\n".join(out)


def write(text: str, path: Path) -> None:
    current = path.read_text() if path.exists() else ""
    if MARK_START in current and MARK_END in current:
        head, _, rest = current.partition(MARK_START)
        _, _, tail = rest.partition(MARK_END)
        current = head.rstrip("\n") + "\n\n" + text + tail
    else:
        current = current.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(current)


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        print(json.dumps(run_one(argv[1], Path(argv[2]), Path(argv[3]))))
        return
    result = measure("--smoke" in argv)
    text = table(result)
    print(text)
    if "--write" in argv:
        write(text, Path(__file__).parent / "RESULTS.md")
    if os.environ.get("BENCH_OUTPUT"):
        Path(os.environ["BENCH_OUTPUT"]).write_text(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])

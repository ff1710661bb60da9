"""Issue 20 item 2's per-attempt cost, measured: `python -m benchmarks.telemetry [--callgrind]`.

The pipeline's telemetry step (`_pipeline._telemetry_step`) runs once per attempt of every call.
Measured with no span recording, for OpenTelemetry not loaded and loaded (an installed
instrumentor that is not tracing this call):
1. nanoseconds per call (best of 7 rounds of 200,000 calls), next to an empty Python call;
2. `--callgrind`: instructions per call (difference of a 1,000-call and a 101,000-call run, so
   start-up is left out); compare with benchmarks/RESULTS.md's instructions per plain openai call.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from types import SimpleNamespace

RUN = """
import sys
if sys.argv[2] == "loaded":
    import opentelemetry.trace
from benchmarks.telemetry import step_and_arguments
step, attempt, setup = step_and_arguments()
for _ in range(int(sys.argv[1])):
    step(attempt, setup)
"""


def step_and_arguments() -> tuple[object, object, object]:
    from vertex_openai._pipeline._steps import _telemetry_step  # the step as the pipeline runs it

    url = "https://aiplatform.googleapis.com/v1/projects/p/locations/global/endpoints/openapi"
    model = SimpleNamespace(wire="google/gemini-2.5-flash", requested="gemini-2.5-flash")
    attempt = SimpleNamespace(options=SimpleNamespace(url="/chat/completions"), model=model)
    setup = SimpleNamespace(endpoint=SimpleNamespace(base_url=url, project="p", location="global"))
    return _telemetry_step, attempt, setup


def timing(loaded: bool) -> tuple[float, float]:
    code = (
        "import sys, timeit\n"
        + ("import opentelemetry.trace\n" if loaded else "")
        + "from benchmarks.telemetry import step_and_arguments\n"
        "step, attempt, setup = step_and_arguments()\n"
        "empty = lambda a, b: None\n"
        "t = min(timeit.repeat(lambda: step(attempt, setup), number=200000, repeat=7)) / 200000\n"
        "e = min(timeit.repeat(lambda: empty(attempt, setup), number=200000, repeat=7)) / 200000\n"
        "print(t, e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    step, empty = (float(x) * 1e9 for x in out.split())
    return step, empty


def instructions(calls: int, mode: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg")
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                sys.executable,
                "-c",
                RUN,
                str(calls),
                mode,
            ],
            capture_output=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        with open(out) as file:
            for line in file:
                if line.startswith("summary:") or line.startswith("totals:"):
                    return int(line.split()[1])
    raise RuntimeError("no callgrind total")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callgrind", action="store_true", help="also count instructions (needs valgrind)")
    arguments = parser.parse_args()
    for mode in ("absent", "loaded"):
        step, empty = timing(mode == "loaded")
        line = f"OpenTelemetry {mode}: {step:.0f} ns per call ({step - empty:.0f} ns over an empty call)"
        if arguments.callgrind:
            per_call = (instructions(101_000, mode) - instructions(1_000, mode)) / 100_000
            line += f", {per_call:.0f} instructions per call"
        print(line)


if __name__ == "__main__":
    main()

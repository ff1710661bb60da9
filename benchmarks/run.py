"""Run every scenario, each in a process of its own, and write RESULTS.md and the rollover plot.

python -m benchmarks            # full run (a few minutes), writes benchmarks/RESULTS.md
python -m benchmarks --smoke    # a few iterations, to check that everything runs
python -m benchmarks --out DIR  # write somewhere else
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from .scenarios import SCENARIOS

HERE = Path(__file__).resolve().parent

READING = [
    "- Contenders: `plain` is `openai.OpenAI` with a static key (no Google auth: the floor);",
    "  `openai-provider` is `openai.OpenAI(provider=openai.providers.vertex.vertex(...))` with the same",
    "  credentials and base URL, and `openai-provider-nonblocking` the same with google-auth's",
    "  `credentials.with_non_blocking_refresh()` (refresh in the background from STALE on, no lock held",
    "  across the token request); `refresher-proxy` refreshes in `__getattr__` when the credentials are not",
    "  `valid`, as Google's sample does. All use real google-auth service-account credentials (a key made",
    "  for the run) against a local token server, and an in-memory Vertex endpoint (no sockets).",
    "- Wall-clock ratios on this shared 2-core machine move by about +-3% between identical rounds, the",
    "  size of the per-call goal; ratios are therefore medians of per-round ratios (contenders measured",
    "  back to back), and the callgrind row counts instructions, which a busy machine cannot move.",
    "- Import: whole `python -c` runs, interpreter start included; `python -X importtime` lists",
    "  vertex_openai's own modules (the Responses bridge, Batch and the models listing load on first use).",
    "- Rollover: tokens are issued to go STALE 2 s after issue, the token server answers in 1 s, 32",
    "  threads send without pause to an endpoint that answers in 50 ms. A request 'waited' when it took",
    "  at least half the token server's delay; 'during rollover' means in flight while a token request",
    "  was. openai's provider holds a lock around google-auth's `before_request`, which refreshes",
    "  (blocking) from STALE on; the proxy refreshes in every thread that sees a non-`valid` token.",
    "- google-auth >= 2.6x starts a background 'regional access boundary' lookup from",
    "  `before_request` (openai's provider calls it); the benchmark process turns that lookup off so that",
    "  nothing leaves the machine. vertex-openai never calls `before_request`.",
]


def run_scenario(name: str, smoke: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "result.json"
        command = [sys.executable, "-m", "benchmarks.scenarios", name, *(["--smoke"] if smoke else [])]
        env = {**os.environ, "BENCH_OUTPUT": str(output)}
        subprocess.run(command, check=True, cwd=HERE.parent, env=env)
        return json.loads(output.read_text())  # type: ignore[no-any-return]


def machine() -> dict[str, str]:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    except OSError:
        pass
    versions = {
        name: _version(name) for name in ("openai", "google-auth", "httpx", "httpx2", "vertex-openai")
    }
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        **{k: v for k, v in versions.items() if v},
    }


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def write_results(results: list[dict[str, Any]], out: Path, smoke: bool) -> Path:
    lines = ["# Benchmark results", ""]
    if smoke:
        lines += ["**Smoke run: too few iterations for the figures to mean anything.**", ""]
    lines += [
        "Written by `python -m benchmarks` (see `benchmarks/run.py`); every figure is from the same run.",
        "",
    ]
    lines += ["| machine | |", "| --- | --- |", *[f"| {k} | {v} |" for k, v in machine().items()], ""]
    lines += [
        "Ratios are to the floor measured in the same run (plain `openai.OpenAI` with a static key, or",
        "`import openai`, or iterating the raw stream). Spread is the interquartile range over rounds.",
        "",
        "| scenario | contender | figure | median | spread (q1-q3) | ratio | goal | met |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for result in results:
        for row in result["rows"]:
            spread = f"{_fmt(row.get('q1'))}-{_fmt(row.get('q3'))}" if "q1" in row else ""
            met = {True: "yes", False: "**no**", None: ""}[row.get("met")]
            note = f" ({row['note']})" if row.get("note") else ""
            lines.append(
                f"| {row['scenario']} | {row['contender']}{note} | {row['unit']} | {_fmt(row['median'])} | "
                f"{spread} | {_fmt(row.get('ratio'))} | {row.get('goal', '')} | {met} |"
            )
    lines += ["", "## Counters", ""]
    for result in results:
        for key, value in result.get("counters", {}).items():
            lines.append(f"- {result['scenario']}: {key} = {value}")
    if any("series" in r for r in results):
        lines += ["", "![request latency across token rollovers](rollover.png)", ""]
    lines += ["", "## Reading the figures", "", *READING]
    path = out / "RESULTS.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def plot_rollover(result: dict[str, Any], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (pip install -e '.[bench]'): no plot", file=sys.stderr)
        return False
    series = result["series"]
    figure, axes = plt.subplots(len(series), 1, figsize=(10, 2.4 * len(series)), sharex=True, squeeze=False)
    for axis, (name, data) in zip(axes[:, 0], series.items(), strict=True):
        times = [t for t, _ in data["samples"]]
        latencies = [lat * 1000 for _, lat in data["samples"]]
        axis.scatter(times, latencies, s=2, alpha=0.5)
        for start, end in data["grants"]:
            axis.axvspan(start, end, color="orange", alpha=0.25)
        axis.set_yscale("log")
        axis.set_ylabel("ms")
        axis.set_title(f"{name}: request latency (orange: token request in flight)", fontsize=9)
    axes[-1, 0].set_xlabel("seconds")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    return True


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--smoke", action="store_true", help="a few iterations: checks that everything runs")
    parser.add_argument("--out", type=Path, default=HERE, help="where RESULTS.md and rollover.png go")
    parser.add_argument("--only", nargs="*", choices=sorted(SCENARIOS), help="run only these scenarios")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    for name in args.only or SCENARIOS:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results.append(run_scenario(name, args.smoke))
    (args.out / "results.json").write_text(json.dumps(results))
    for result in results:
        if result.get("series"):
            plot_rollover(result, args.out / "rollover.png")
    print(write_results(results, args.out, args.smoke))


if __name__ == "__main__":
    main()

"""The benchmarks run, and their counters are right. No timing is asserted here: figures live in
benchmarks/RESULTS.md, made by a full `python -m benchmarks` run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from harness import ROOT


def test_benchmarks_smoke(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--out", str(tmp_path)], cwd=ROOT, check=True
    )
    results = {r["scenario"]: r for r in json.loads((tmp_path / "results.json").read_text())}
    assert set(results) == {
        "per_call",
        "cold_start",
        "rollover",
        "short_tokens",
        "loop_lag",
        "import_time",
        "streams",
        "memory",
        "embeddings",
        "responses_bridge",
    }
    assert "| per-call overhead (sync) | vertex-openai" in (tmp_path / "RESULTS.md").read_text()

    contenders = {row["contender"] for row in results["per_call"]["rows"]}
    assert {"plain", "vertex-openai", "refresher-proxy"} <= contenders

    cold = results["cold_start"]["counters"]
    assert cold["threads: vertex-openai token requests"] == 1
    assert cold["tasks: vertex-openai token requests"] == 1
    assert cold["threads: plain token requests"] == 0

    rollover = results["rollover"]["counters"]
    assert rollover["vertex-openai: rollovers"] >= 1
    assert rollover["vertex-openai: token requests during the run"] == rollover["vertex-openai: rollovers"]
    assert rollover["plain: token requests during the run"] == 0

    short = results["short_tokens"]["counters"]
    assert short["vertex-openai: token requests"] <= 2  # 5 s tokens over 3 s: one refresh at half-life
    assert results["loop_lag"]["counters"]["vertex-openai: token requests"] == 1
    assert results["memory"]["counters"] == {"requests": 300, "token requests": 1}
    assert results["streams"]["counters"]["stream requests"] == 3 + 3 * 2  # warm-up, then 2 rounds
    embeddings = results["embeddings"]["counters"]
    assert embeddings["gemini-embedding-001: requests"] == 2 * 100  # 100 texts, one per request, two ways
    assert embeddings["text-embedding-005: requests"] == 2  # 100 texts fit one request
    # one warm-up stream per way (chat, bridged Responses), then 2 rounds of both
    assert results["responses_bridge"]["counters"]["stream requests"] == 2 + 2 * 2

"""benchmarks/batch.py runs and translates every line both ways (its figures live in RESULTS.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_batch_benchmark_smoke(tmp_path: Path) -> None:
    out = tmp_path / "batch.json"
    subprocess.run(
        [sys.executable, "-m", "benchmarks.batch", "--smoke"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={**os.environ, "BENCH_OUTPUT": str(out)},
        timeout=120,
    )
    result = json.loads(out.read_text())
    rows = {row["contender"]: row for row in result["rows"]}
    assert set(rows) == {"floor-input", "vertex-input", "floor-output", "vertex-output"}
    assert all(row["lines"] == 2000 and row["lines_per_s"] > 0 for row in rows.values())

"""The scenarios. Each runs in a process of its own: `python -m benchmarks.scenarios NAME [--smoke]`
prints one JSON object: rows (figures with median and spread), counters, and series for plots.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import gc
import json
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from google.auth import _helpers

from . import common
from .common import MESSAGES, MODEL, Endpoint, Google, contenders


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    quartiles = statistics.quantiles(ordered, n=4) if len(ordered) > 1 else [ordered[0]] * 3
    return {"median": statistics.median(ordered), "q1": quartiles[0], "q3": quartiles[2], "n": len(ordered)}


def paired_rows(
    scenario: str, unit: str, samples: dict[str, list[float]], floor: str, goal: str, limit: float
) -> list[dict[str, Any]]:
    """Rows for contenders measured in the same rounds as `floor`. A contender's ratio is the median
    of its per-round ratios to the floor (each round measured back to back), which cancels the drift
    of a shared machine; `goal` and `limit` apply to the contenders whose name starts with "vertex"."""
    rows = []
    for name, values in samples.items():
        ratios = [value / base for value, base in zip(values, samples[floor], strict=True)]
        ratio = statistics.median(ratios)
        ours = name.startswith("vertex")
        spread = summary(ratios)
        rows.append(
            {
                "scenario": scenario,
                "contender": name,
                "unit": unit,
                **summary(values),
                "ratio": ratio,
                "goal": goal if ours else "",
                "met": ratio <= limit if ours else None,
                **(
                    {"note": f"per-round ratio q1-q3 {spread['q1']:.3f}-{spread['q3']:.3f}"}
                    if name != floor
                    else {}
                ),
            }
        )
    return rows


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


# --- 1. per-call client overhead, fresh token ---
def per_call(smoke: bool) -> dict[str, Any]:
    rounds, calls = (2, 20) if smoke else (31, 400)
    google = Google()
    results: dict[str, Any] = {"rows": [], "counters": {}}
    try:
        for mode in ("sync", "async"):
            clients = contenders(Endpoint(), google, use_async=mode == "async")
            if mode == "sync":
                per_round = _rounds_sync(clients, rounds, calls)
            else:
                per_round = asyncio.run(_rounds_async(clients, rounds, calls))
            results["rows"] += paired_rows(
                f"per-call overhead ({mode})", "µs/call", per_round, "plain", "<= 1.03x plain", 1.03
            )
            results["counters"][f"{mode}: token requests, all contenders"] = google.tokens.requests
    finally:
        google.close()
    if not smoke and shutil.which("valgrind"):
        results["rows"] += instruction_rows()
    return results


_CALLS_SCRIPT = """
import sys
from benchmarks import common
common.keep_google_auth_offline()
google = common.Google(private_key_pem=sys.argv[3])  # one key for every run: key generation varies
client = common.contenders(common.Endpoint(), google)[sys.argv[1]]
for _ in range(int(sys.argv[2])):
    client.chat.completions.create(model=common.MODEL, messages=common.MESSAGES)
google.close()
"""


#: str hashes, and with them dict and type-cache layouts, vary per process (PYTHONHASHSEED): the same
#: code counts a few thousand instructions more or less per call from one process to the next
_HASH_SEEDS = ("1", "2", "3")


def instruction_rows(few: int = 50, many: int = 450) -> list[dict[str, Any]]:
    """Instructions per call under callgrind: a count, not a time, so the same on a busy machine.
    The difference of a run with `many` calls and one with `few` leaves start-up out; the median over
    a few fixed hash seeds (each the same on every run) leaves out one process's layout."""
    key = common.new_private_key_pem()
    names = ("plain", "vertex-openai")
    runs = [(name, seed, calls) for name in names for seed in _HASH_SEEDS for calls in (few, many)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # counts do not depend on load
        counts = dict(zip(runs, pool.map(lambda run: _instructions(*run, key), runs), strict=True))
    per_seed = {
        name: [(counts[name, seed, many] - counts[name, seed, few]) / (many - few) for seed in _HASH_SEEDS]
        for name in names
    }
    per_call = {name: statistics.median(values) for name, values in per_seed.items()}
    ratio = per_call["vertex-openai"] / per_call["plain"]
    ratios = [v / p for v, p in zip(per_seed["vertex-openai"], per_seed["plain"], strict=True)]  # per seed
    return [
        {
            "scenario": "per-call instructions (sync, callgrind)",
            "contender": name,
            "unit": "instructions/call",
            "median": value,
            "ratio": value / per_call["plain"],
            "goal": "<= 1.03x plain" if name != "plain" else "",
            "met": ratio <= 1.03 if name != "plain" else None,
            "note": f"difference of {many} and {few} calls, median of {len(_HASH_SEEDS)} hash seeds"
            + (f"; per seed {min(ratios):.4f}-{max(ratios):.4f}x" if name != "plain" else ""),
        }
        for name, value in per_call.items()
    ]


def _instructions(name: str, seed: str, calls: int, key: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                sys.executable,
                "-c",
                _CALLS_SCRIPT,
                name,
                str(calls),
                key,
            ],
            check=True,
            capture_output=True,
            cwd=common.ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        with open(out) as file:
            for line in file:
                if line.startswith("totals:") or line.startswith("summary:"):
                    return int(line.split()[1])
    raise RuntimeError("callgrind wrote no totals")


def _rotations(clients: dict[str, Any], rounds: int) -> list[list[tuple[str, Any]]]:
    """Each round visits every contender, starting with a different one (no order bias)."""
    items = list(clients.items())
    return [items[n % len(items) :] + items[: n % len(items)] for n in range(rounds)]


def _rounds_sync(clients: dict[str, Any], rounds: int, calls: int) -> dict[str, list[float]]:
    per_round: dict[str, list[float]] = {name: [] for name in clients}
    for client in clients.values():  # warm up: tokens fetched, code paths hot
        for _ in range(20):
            client.chat.completions.create(model=MODEL, messages=MESSAGES)
    for order in _rotations(clients, rounds):
        for name, client in order:
            gc.collect()
            start = time.perf_counter()
            for _ in range(calls):
                client.chat.completions.create(model=MODEL, messages=MESSAGES)
            per_round[name].append((time.perf_counter() - start) / calls * 1e6)
    return per_round


async def _rounds_async(clients: dict[str, Any], rounds: int, calls: int) -> dict[str, list[float]]:
    per_round: dict[str, list[float]] = {name: [] for name in clients}
    for client in clients.values():
        for _ in range(20):
            await client.chat.completions.create(model=MODEL, messages=MESSAGES)
    for order in _rotations(clients, rounds):
        for name, client in order:
            gc.collect()
            start = time.perf_counter()
            for _ in range(calls):
                await client.chat.completions.create(model=MODEL, messages=MESSAGES)
            per_round[name].append((time.perf_counter() - start) / calls * 1e6)
    return per_round


# --- 2. cold start: 64 threads / 64 tasks, no token yet ---
def cold_start(smoke: bool) -> dict[str, Any]:
    workers, token_delay, latency, rounds = (16, 0.05, 0.01, 1) if smoke else (64, 0.25, 0.05, 5)
    results: dict[str, Any] = {"rows": [], "counters": {}}
    for mode in ("threads", "tasks"):
        walls: dict[str, list[float]] = {}
        tokens: dict[str, list[int]] = {}
        fetches = []
        for _ in range(rounds):  # new credentials every round: every round starts cold
            google = Google()
            google.tokens.delay = token_delay
            fetches.append(_token_fetch(google))
            for name, client in contenders(
                Endpoint(latency=latency), google, use_async=mode == "tasks"
            ).items():
                before = google.tokens.requests
                walls.setdefault(name, []).append(_burst(client, workers, mode))
                tokens.setdefault(name, []).append(google.tokens.requests - before)
            google.close()
        floor, fetch = statistics.median(walls["plain"]), statistics.median(fetches)
        limit = fetch + 1.1 * floor
        for name, samples in walls.items():
            results["counters"][f"{mode}: {name} token requests"] = max(tokens[name])
            if name == "plain":
                continue
            stats = summary(samples)
            ours = name == "vertex-openai"
            results["rows"].append(
                {
                    "scenario": f"cold start, {workers} {mode}",
                    "contender": name,
                    "unit": "s to last answer",
                    **stats,
                    "ratio": stats["median"] / limit,
                    "goal": f"1 token request; <= {limit:.3f} s (one token fetch {fetch:.3f} s, of which the "
                    f"server's delay {token_delay:g} s, + 1.1x no-auth {floor:.3f} s)",
                    "met": max(tokens[name]) == 1 and stats["median"] <= limit if ours else None,
                    "note": f"token requests per round: {sorted(set(tokens[name]))}",
                }
            )
    return results


def _token_fetch(google: Google) -> float:
    """What one token costs with google-auth alone: the signed grant, the HTTP round trip, the delay."""
    credentials = google.credentials()
    start = time.perf_counter()
    credentials.refresh(common.google.auth.transport.requests.Request())
    return time.perf_counter() - start


def _burst(client: Any, workers: int, mode: str) -> float:
    if mode == "threads":
        barrier = threading.Barrier(workers + 1)
        done: list[float] = []

        def one() -> None:
            barrier.wait()
            client.chat.completions.create(model=MODEL, messages=MESSAGES)
            done.append(time.perf_counter())

        threads = [threading.Thread(target=one) for _ in range(workers)]
        for thread in threads:
            thread.start()
        start = time.perf_counter()
        barrier.wait()
        for thread in threads:
            thread.join()
        return max(done) - start

    async def many() -> float:
        start = time.perf_counter()
        await asyncio.gather(
            *(client.chat.completions.create(model=MODEL, messages=MESSAGES) for _ in range(workers))
        )
        return time.perf_counter() - start

    return asyncio.run(many())


# --- 3. rollover under load ---
def rollover(smoke: bool) -> dict[str, Any]:
    workers, duration, token_delay, stale_after, latency = (
        (8, 2.5, 0.3, 1.0, 0.01) if smoke else (32, 12.0, 1.0, 2.0, 0.05)
    )
    results: dict[str, Any] = {"rows": [], "counters": {}, "series": {}}
    # Every token goes STALE `stale_after` seconds after it is issued, then is refreshed. google-auth's
    # threshold is shrunk to `stale_after` for the run (for every contender alike), so that the token
    # lives 2 x stale_after: vertex-openai never refreshes before half a token's lifetime.
    real_threshold = _helpers.REFRESH_THRESHOLD
    _helpers.REFRESH_THRESHOLD = datetime.timedelta(seconds=stale_after)
    try:
        return _rollover(results, workers, duration, token_delay, stale_after, latency)
    finally:
        _helpers.REFRESH_THRESHOLD = real_threshold


def _rollover(
    results: dict[str, Any],
    workers: int,
    duration: float,
    token_delay: float,
    stale_after: float,
    latency: float,
) -> dict[str, Any]:
    for name in _contender_names():
        google = Google()
        google.tokens.expires_in = int(2 * stale_after)
        endpoint = Endpoint(latency=latency)
        client = contenders(endpoint, google)[name]
        if name != "plain":  # the first token, before the clock starts
            client.chat.completions.create(model=MODEL, messages=MESSAGES)
        google.tokens.delay = token_delay
        first_grant = len(google.tokens.timeline)
        samples = _load(client, workers, duration)
        grants = google.tokens.timeline[first_grant:]
        google.close()
        windows = [(start, end + 0.1) for start, end in grants]
        steady = [lat for t, lat in samples if not _overlaps(t, t + lat, windows)]
        during = [lat for t, lat in samples if _overlaps(t, t + lat, windows)]
        rollovers = _clusters([start for start, _ in grants], gap=token_delay / 2)
        blocked = sum(1 for _, lat in samples if lat >= token_delay * 0.5)
        origin = min(t for t, _ in samples)
        results["series"][name] = {
            "samples": [(t - origin, lat) for t, lat in samples],
            "grants": [(a - origin, b - origin) for a, b in grants],
        }
        counters = results["counters"]
        counters[f"{name}: token requests during the run"] = len(grants)
        counters[f"{name}: rollovers"] = rollovers
        counters[f"{name}: requests that waited on the token server"] = blocked
        steady_p99 = percentile(steady, 0.99)
        if name == "plain":
            counters["plain: p99 ms"] = round(steady_p99 * 1000, 2)
            continue
        during_p99 = percentile(during, 0.99) if during else float("nan")
        per_rollover = len(grants) / rollovers if rollovers else float("nan")
        results["rows"].append(
            {
                "scenario": f"rollover, {workers} workers, token server {token_delay:g} s",
                "contender": name,
                "unit": "p99 ms during rollover",
                "median": during_p99 * 1000,
                "ratio": during_p99 / steady_p99 if steady_p99 else float("nan"),
                "goal": "0 waiting; p99 <= 1.1x steady; 1 token request per rollover",
                "met": (blocked == 0 and per_rollover == 1 and during_p99 <= 1.1 * steady_p99)
                if name == "vertex-openai"
                else None,
                "note": f"steady p99 {steady_p99 * 1000:.1f} ms; {blocked} of {len(samples)} requests "
                f"waited; {len(grants)} token requests for {rollovers} rollovers",
            }
        )
    return results


# --- 3b. short-lived tokens under steady load ---
def short_tokens(smoke: bool) -> dict[str, Any]:
    """Tokens that live 5 s: shorter than google-auth's 3 min 45 s threshold, so STALE when issued.
    Reported: token requests per second under steady load (1-hour tokens: about 1 an hour)."""
    workers, duration, lifetime = (4, 3.0, 5) if smoke else (16, 20.0, 5)
    results: dict[str, Any] = {"rows": [], "counters": {}}
    for name in _contender_names():
        if name == "plain":
            continue
        google = Google()
        google.tokens.expires_in = lifetime
        client = contenders(Endpoint(latency=0.005), google)[name]
        client.chat.completions.create(model=MODEL, messages=MESSAGES)  # the first token
        first_grant = len(google.tokens.timeline)
        samples = _load(client, workers, duration)
        grants = len(google.tokens.timeline) - first_grant
        google.close()
        per_second = grants / duration
        results["counters"][f"{name}: token requests"] = grants
        results["counters"][f"{name}: requests"] = len(samples)
        results["rows"].append(
            {
                "scenario": f"{lifetime} s tokens, {workers} workers, {duration:g} s",
                "contender": name,
                "unit": "token requests per second",
                "median": per_second,
                "ratio": float("nan"),
                "goal": f"at most one per half lifetime ({2 / lifetime:g}/s)",
                "met": per_second <= 2 / lifetime + 1 / duration if name == "vertex-openai" else None,
                "note": f"{grants} token requests for {len(samples)} requests",
            }
        )
    return results


def _contender_names() -> list[str]:
    names = ["plain", "vertex-openai"]
    if common.has_provider():
        names += ["openai-provider", "openai-provider-nonblocking"]
    return [*names, "refresher-proxy"]


def _overlaps(first: float, last: float, windows: list[tuple[float, float]]) -> bool:
    """Whether a request that ran from `first` to `last` was in flight during a token request."""
    return any(first <= end and last >= start for start, end in windows)


def _clusters(starts: list[float], gap: float) -> int:
    """How many separate bursts the grant start times form (one burst per rollover)."""
    count, last = 0, None
    for start in sorted(starts):
        if last is None or start - last > gap:
            count += 1
        last = start
    return count


def _load(client: Any, workers: int, duration: float) -> list[tuple[float, float]]:
    samples: list[tuple[float, float]] = []
    stop = time.perf_counter() + duration
    lock = threading.Lock()

    def worker() -> None:
        while (start := time.perf_counter()) < stop:
            client.chat.completions.create(model=MODEL, messages=MESSAGES)
            end = time.perf_counter()
            with lock:
                samples.append((start, end - start))

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


# --- 4. event-loop lag during a refresh ---
def loop_lag(smoke: bool) -> dict[str, Any]:
    token_delay, rounds = (0.2, 1) if smoke else (0.5, 7)
    results: dict[str, Any] = {"rows": [], "counters": {}}
    for name in _contender_names():
        if name == "plain":
            continue
        lags, token_requests = [], 0
        for _ in range(rounds):  # new credentials every round: every round refreshes
            google = Google()
            google.tokens.delay = token_delay
            client = contenders(Endpoint(), google, use_async=True)[name]
            lags.append(asyncio.run(_lag_during_first_call(client)) * 1000)
            token_requests += google.tokens.requests
            google.close()
        results["counters"][f"{name}: token requests"] = token_requests
        stats = summary(lags)
        results["rows"].append(
            {
                "scenario": f"event-loop lag during a refresh (token server {token_delay:g} s)",
                "contender": name,
                "unit": "max lag ms",
                **stats,
                "goal": "< 10 ms",
                "met": max(lags) < 10 if name == "vertex-openai" else None,
                "note": f"worst of {rounds} rounds {max(lags):.1f} ms",
            }
        )
    return results


async def _lag_during_first_call(client: Any) -> float:
    worst = 0.0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal worst
        while not stop.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            worst = max(worst, time.perf_counter() - before - 0.001)

    _ = getattr(client, "client", client).chat.completions  # openai imports its resources on first access
    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    await client.chat.completions.create(model=MODEL, messages=MESSAGES)
    stop.set()
    await task
    return worst


# --- 5. import time ---
def import_time(smoke: bool) -> dict[str, Any]:
    runs = 1 if smoke else 41
    times: dict[str, list[float]] = {"openai": [], "vertex_openai": []}
    for number in range(runs):
        for module in sorted(times, reverse=number % 2 == 1):  # alternate which goes first
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
            times[module].append(time.perf_counter() - start)
    in_ms = {module: [t * 1000 for t in samples] for module, samples in times.items()}
    rows = paired_rows("python -c 'import X'", "ms", in_ms, "openai", "<= 1.10x import openai", 1.10)
    return {"rows": rows, "counters": {}}


# --- 6. streams ---
def streams(smoke: bool) -> dict[str, Any]:
    chunks, rounds = (50, 2) if smoke else (2000, 15)
    parts = []
    for number in range(chunks):
        delta = {
            "content": f"<think>t{number}</think>" if number % 10 == 0 else f"word{number} ",
            "role": "assistant",
        }
        chunk = {
            "choices": [{"delta": delta, "index": 0}],
            "created": 1,
            "model": MODEL,
            "object": "chat.completion.chunk",
        }
        chunk["usage"] = {"completion_tokens": number, "prompt_tokens": 3, "total_tokens": number + 3}
        parts.append(f"data: {json.dumps(chunk)}\n\n")
    body = ("".join(parts) + "data: [DONE]\n\n").encode()
    google = Google()
    endpoint = Endpoint(body=body, content_type="text/event-stream")
    clients = contenders(endpoint, google)
    plain, vertex = clients["plain"], clients["vertex-openai"]
    from vertex_openai import iter_thoughts

    def consume(client: Any) -> Callable[[], int]:
        return lambda: sum(
            1 for _ in client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)
        )

    def thoughts() -> int:
        stream = vertex.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)
        return sum(1 for _ in iter_thoughts(stream, "think"))

    ways = {
        "plain (raw stream)": consume(plain),
        "vertex-openai (repaired)": consume(vertex),
        "vertex-openai + iter_thoughts": thoughts,
    }
    samples: dict[str, list[float]] = {name: [] for name in ways}
    for way in ways.values():
        way()
    for _ in range(rounds):
        for name, way in ways.items():
            gc.collect()
            start = time.perf_counter()
            way()
            samples[name].append((time.perf_counter() - start) * 1000)
    google.close()
    rows = paired_rows(
        f"iterate a {chunks}-chunk stream", "ms", samples, "plain (raw stream)", "<= 1.05x raw", 1.05
    )
    return {"rows": rows, "counters": {"stream requests": endpoint.requests}}


# --- 7. memory ---
def memory(smoke: bool) -> dict[str, Any]:
    total, warmup = (300, 100) if smoke else (20000, 1000)
    google = Google()
    endpoint = Endpoint()
    client = contenders(endpoint, google)["vertex-openai"]
    for _ in range(warmup):
        client.chat.completions.create(model=MODEL, messages=MESSAGES)
    gc.collect()
    before = _rss_kib()
    for _ in range(total - warmup):
        client.chat.completions.create(model=MODEL, messages=MESSAGES)
    gc.collect()
    growth = (_rss_kib() - before) / 1024
    google.close()
    row = {
        "scenario": f"RSS growth over {total} requests",
        "contender": "vertex-openai",
        "unit": "MB",
        "median": growth,
        "goal": "< 5 MB",
        "met": growth < 5,
    }
    return {
        "rows": [row],
        "counters": {"requests": endpoint.requests, "token requests": google.tokens.requests},
    }


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# --- 8. embeddings: per-call overhead over a plain POST, and batching ---
def _predict_answer(texts: int, dimensions: int) -> bytes:
    prediction = {"embeddings": {"statistics": {"token_count": 5, "truncated": False},
                                 "values": [0.125] * dimensions}}  # fmt: skip
    return json.dumps({"predictions": [prediction] * texts}).encode()


def embeddings(smoke: bool) -> dict[str, Any]:
    from vertex_openai._resources import _embeddings

    rounds, calls, texts, dims = (2, 10, 16, 256) if smoke else (21, 200, 16, 256)
    google = Google()
    results: dict[str, Any] = {"rows": [], "counters": {}}
    base = common.BASE_URL.replace("/locations/global/", "/locations/us-central1/")
    documents = [f"document {n} about something" for n in range(texts)]
    endpoint = Endpoint(body=_predict_answer(texts, dims))
    credentials = google.credentials()
    vertex = common.VertexOpenAI(base_url=base, credentials=credentials, http_client=endpoint.client())
    plain = common.openai.OpenAI(api_key="static-key", base_url=base, http_client=endpoint.client())
    url = base.replace("/endpoints/openapi", "/publishers/google/models/text-embedding-005:predict")
    body = _embeddings.predict_body(documents, dimensions=dims, options={}, titles=None)
    # for reference: what openai-python itself costs for the same vectors from OpenAI's own shape
    vectors = [{"object": "embedding", "index": n, "embedding": [0.125] * dims} for n in range(texts)]
    usage = {"prompt_tokens": 80, "total_tokens": 80}
    as_floats = Endpoint(
        body=json.dumps({"object": "list", "model": "m", "data": vectors, "usage": usage}).encode()
    )
    packed = base64.b64encode(struct.pack(f"<{dims}f", *([0.125] * dims))).decode()
    b64 = [{**v, "embedding": packed} for v in vectors]
    as_b64 = Endpoint(body=json.dumps({"object": "list", "model": "m", "data": b64, "usage": usage}).encode())
    floats_client = common.openai.OpenAI(api_key="k", base_url=base, http_client=as_floats.client())
    b64_client = common.openai.OpenAI(api_key="k", base_url=base, http_client=as_b64.client())
    ways: dict[str, Callable[[], object]] = {
        "plain POST (same :predict body)": lambda: plain.post(url, body=body, cast_to=object),
        "vertex-openai embeddings.create": lambda: vertex.embeddings.create(
            model="text-embedding-005", input=documents, dimensions=dims
        ),
        "openai embeddings.create on OpenAI, floats": lambda: floats_client.embeddings.create(
            model="m", input=documents, encoding_format="float"
        ),
        "openai embeddings.create on OpenAI, base64 (its default)": lambda: b64_client.embeddings.create(
            model="m", input=documents
        ),
    }
    per_round: dict[str, list[float]] = {name: [] for name in ways}
    for way in ways.values():
        for _ in range(20):
            way()
    for number in range(rounds):
        items = list(ways.items())
        order = items[number % len(items) :] + items[: number % len(items)]
        for name, way in order:
            gc.collect()
            start = time.perf_counter()
            for _ in range(calls):
                way()
            per_round[name].append((time.perf_counter() - start) / calls * 1e6)
    results["rows"] += paired_rows(
        f"embeddings.create, {texts} texts x {dims} dims", "µs/call", per_round,
        "plain POST (same :predict body)", "<= 1.10x plain POST", 1.10,
    )  # fmt: skip

    # 1,000 texts, an endpoint that answers in `latency`: bounded concurrency vs one request at a time
    total, latency, batch_rounds = (100, 0.002, 1) if smoke else (1000, 0.005, 3)
    many = [f"text {n}" for n in range(total)]
    for model, per_request in (("text-embedding-005", 250), ("gemini-embedding-001", 1)):
        slow = Endpoint(latency=latency, body=_predict_answer(min(per_request, total), dims))
        credentials = google.credentials()
        client = common.VertexOpenAI(base_url=base, credentials=credentials, http_client=slow.client())
        walls: dict[str, list[float]] = {"sequential": [], "bounded concurrency": []}
        limit = _embeddings.MAX_CONCURRENT_REQUESTS
        for _ in range(batch_rounds):
            for name, bound in (("sequential", 1), ("bounded concurrency", limit)):
                _embeddings.MAX_CONCURRENT_REQUESTS = bound
                start = time.perf_counter()
                answer = client.embeddings.create(model=model, input=many, dimensions=dims)
                walls[name].append(time.perf_counter() - start)
                assert len(answer.data) == total
        _embeddings.MAX_CONCURRENT_REQUESTS = limit
        requests = -(-total // per_request)
        results["rows"] += paired_rows(
            f"{total} texts, {model} ({requests} requests, endpoint {latency * 1000:g} ms)", "s",
            walls, "sequential", f"< sequential (at most {limit} in flight)", 1.0,
        )  # fmt: skip
        results["counters"][f"{model}: requests"] = slow.requests
    results["counters"]["token requests"] = google.tokens.requests
    google.close()
    return results


# --- Responses bridge: client.responses over chat completions (issue 12) ---
def _paired(ways: dict[str, Callable[[], Any]], rounds: int) -> dict[str, list[float]]:
    """Per-round milliseconds of each way, rounds rotated so that no way always runs first."""
    samples: dict[str, list[float]] = {name: [] for name in ways}
    for way in ways.values():
        way()  # warm up: token fetched, code paths hot
    for order in _rotations(ways, rounds):
        for name, way in order:
            gc.collect()
            start = time.perf_counter()
            way()
            samples[name].append((time.perf_counter() - start) * 1000)
    return samples


def responses_bridge(smoke: bool) -> dict[str, Any]:
    """The bridge's own cost: `responses.create` against `chat.completions.create` on the same client
    and in-memory endpoint (per call, <= 1.03x), and iterating a bridged Responses event stream
    against iterating the (repaired) chat stream it comes from (<= 1.05x)."""
    rounds, calls, chunks = (2, 20, 50) if smoke else (31, 300, 2000)
    google = Google()
    client = contenders(Endpoint(), google)["vertex-openai"]

    def chat_calls() -> None:
        for _ in range(calls):
            client.chat.completions.create(model=MODEL, messages=MESSAGES)

    def responses_calls() -> None:
        for _ in range(calls):
            client.responses.create(model=MODEL, input=MESSAGES, store=False)

    per_call = _paired(
        {"chat.completions.create": chat_calls, "vertex-openai responses.create": responses_calls}, rounds
    )
    per_call = {name: [ms * 1000 / calls for ms in values] for name, values in per_call.items()}
    rows = paired_rows(
        "Responses bridge per call (sync)",
        "µs/call",
        per_call,
        "chat.completions.create",
        "<= 1.03x chat",
        1.03,
    )
    parts = []
    for number in range(chunks):
        chunk = {
            "choices": [{"delta": {"content": f"word{number} ", "role": "assistant"}, "index": 0}],
            "created": 1,
            "model": MODEL,
            "object": "chat.completion.chunk",
            "usage": {"completion_tokens": number, "prompt_tokens": 3, "total_tokens": number + 3},
        }
        parts.append(f"data: {json.dumps(chunk)}\n\n")
    endpoint = Endpoint(body=("".join(parts) + "data: [DONE]\n\n").encode(), content_type="text/event-stream")
    streaming = contenders(endpoint, google)["vertex-openai"]
    stream_rounds = 2 if smoke else 15
    ways = {
        "chat stream (repaired)": lambda: sum(
            1 for _ in streaming.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)
        ),
        "vertex-openai responses stream": lambda: sum(
            1 for _ in streaming.responses.create(model=MODEL, input=MESSAGES, stream=True, store=False)
        ),
    }
    rows += paired_rows(
        f"Responses bridge, iterate a {chunks}-chunk stream",
        "ms",
        _paired(ways, stream_rounds),
        "chat stream (repaired)",
        "<= 1.05x chat stream",
        1.05,
    )
    google.close()
    return {"rows": rows, "counters": {"stream requests": endpoint.requests}}


SCENARIOS: dict[str, Callable[[bool], dict[str, Any]]] = {
    "per_call": per_call,
    "cold_start": cold_start,
    "rollover": rollover,
    "short_tokens": short_tokens,
    "loop_lag": loop_lag,
    "import_time": import_time,
    "streams": streams,
    "memory": memory,
    "embeddings": embeddings,
    "responses_bridge": responses_bridge,
}


def main() -> None:
    name, smoke = sys.argv[1], "--smoke" in sys.argv
    common.keep_google_auth_offline()
    result = SCENARIOS[name](smoke)
    output = os.environ.get("BENCH_OUTPUT")
    text = json.dumps({"scenario": name, **result})
    if output:
        with open(output, "w") as file:
            file.write(text)
    else:
        print(text)


if __name__ == "__main__":
    main()

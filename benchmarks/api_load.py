"""Load benchmark for the service, loopback only, bounded in count and time.

Starts `uvicorn api.main:create_app` on 127.0.0.1 with a fresh SQLite database seeded from a
scenario, creates one proposal, then sends GET requests at a fixed rate (open loop: a request is
sent on schedule whether or not earlier ones have answered, so slow answers show as latency, not as
a lower rate) and prints p50 / p99 / max latency, the achieved rate and the error count.

    python benchmarks/api_load.py --rate 100 --duration 60 --target proposal

Targets: `recommend` (GET /cases/{id}/recommendations, cycling over 200 open cases; one warm-up
request builds the cached index first), `proposal` (GET /proposals/{id}: a center's proposal with its
explanations), `cases` (GET /cases: a coordinator's queue).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.core.security import hash_token  # noqa: E402
from api.db.models import ApiKeyRow, UserRow  # noqa: E402
from api.db.session import make_engine, migrate, session_factory  # noqa: E402
from api.services.store import seed_from_scenario  # noqa: E402

SECRET = "benchmark-secret-0123456789"
TOKEN = "mk_benchmark_coordinator"


def _seed(url: str, scenario_name: str, center: str | None) -> str:
    from matcher.scenarios import load_scenario

    scenario = load_scenario(scenario_name)
    root = center or next(c.id for c in scenario.centers if c.parent is None)
    engine = make_engine(url)
    migrate(engine)
    with session_factory(engine).begin() as db:
        seed_from_scenario(db, scenario)
        db.add(UserRow(id="bench", name="bench", role="coordinator", center_id=root))
        db.flush()
        db.add(ApiKeyRow(user_id="bench", key_hash=hash_token(TOKEN, SECRET)))
    engine.dispose()
    return root


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _fire(client: httpx.AsyncClient, paths: list[str], rate: float, duration: float) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    n = int(rate * duration)
    start = time.perf_counter()

    async def one(i: int) -> None:
        nonlocal errors
        await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
        t0 = time.perf_counter()
        try:
            r = await client.get(paths[i % len(paths)])
            if r.status_code != 200:
                errors += 1
        except httpx.HTTPError:
            errors += 1
        latencies.append((time.perf_counter() - t0) * 1000)

    await asyncio.gather(*(one(i) for i in range(n)))
    return latencies, errors, time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rate", type=float, default=100.0, help="requests per second")
    ap.add_argument("--duration", type=float, default=60.0, help="seconds (capped at 300)")
    ap.add_argument("--target", choices=["recommend", "proposal", "cases"], default="recommend")
    ap.add_argument("--scenario", default="baoan")
    ap.add_argument("--center", default=None, help="the coordinator's center (default: the root)")
    ap.add_argument("--solve-time-limit", type=float, default=10.0)
    ap.add_argument("--server-workers", type=int, default=2, help="uvicorn processes (one per core)")
    args = ap.parse_args()
    duration = min(args.duration, 300.0)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/load.sqlite"
        center = _seed(url, args.scenario, args.center)
        port = _free_port()
        env = {**os.environ, "MATCHER_DATABASE_URL": url, "MATCHER_SECRET_KEY": SECRET, "MATCHER_ENVIRONMENT": "test",
               "MATCHER_SOLVE_TIME_LIMIT_S": str(args.solve_time_limit)}
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "api.main:create_app", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning", "--workers", str(args.server_workers)], env=env, cwd=ROOT,
        )
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {TOKEN}"}
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            paths = ["/cases?limit=200"]
            if args.target == "recommend":
                cases = httpx.get(f"{base}/cases?status=open&limit=200", headers=headers, timeout=30).json()
                paths = [f"/cases/{c['id']}/recommendations?k=5" for c in cases]
                warm = httpx.get(base + paths[0], headers=headers, timeout=120)
                print(f"warm-up {warm.status_code}: {len(warm.json().get('recommendations', []))} recommendations")
            if args.target == "proposal":
                job = httpx.post(f"{base}/centers/{center}/proposals", headers=headers, timeout=30).json()
                while (j := httpx.get(f"{base}/jobs/{job['id']}", headers=headers).json())["status"] in ("queued", "running"):
                    time.sleep(0.2)
                if j["status"] != "succeeded":
                    print(f"proposal job {j['status']}: {j.get('error')}", file=sys.stderr)
                    return 1
                paths = [f"/proposals/{j['result_id']}"]
                lines = len(httpx.get(base + paths[0], headers=headers).json()["lines"])
                print(f"proposal for {center}: {lines} lines")

            async def run() -> tuple[list[float], int, float]:
                limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
                async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10, limits=limits) as client:
                    # Warm-up, not measured: every server process builds its cached index first.
                    await _fire(client, paths, 20.0, 3.0)
                    return await _fire(client, paths, args.rate, duration)

            lat, errors, wall = asyncio.run(run())
        finally:
            server.terminate()
            server.wait(timeout=10)
    q = statistics.quantiles(lat, n=100)
    print(f"target={args.target} scenario={args.scenario} rate={args.rate:g}/s duration={duration:g}s requests={len(lat)}")
    print(f"achieved={len(lat) / wall:.1f}/s p50_ms={statistics.median(lat):.1f} p99_ms={q[98]:.1f} max_ms={max(lat):.1f} errors={errors}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

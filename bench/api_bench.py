"""`make bench` for the dialer API: concurrent clients pulling a large list from a real
`outreach serve` (uvicorn) on 127.0.0.1, and how soon an accepted opt-out leaves the next pull.

The list is published with the real publishing code (assets/publishing.py) from rows made
here, so the figure measures serving, not the pipeline. Half the clients pull the published
file as it is (profile `outreach`), half pull the `spoke` profile (rendered from the
version's profile source). Every request is bounded in time and count and goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def list_rows(count: int):
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    index = pa.array(np.arange(count, dtype=np.int64))
    text = pc.cast(index, pa.string())
    padded = pc.utf8_lpad(text, 7, "0")
    first = pa.array(np.array(["LORI", "JAMES", "MARIA", "O'BRIEN", "ANN-MARIE"])[np.arange(count) % 5])
    return pa.table({
        "contact_id": pc.binary_join_element_wise("c", padded, ""),
        "phone_e164": pc.binary_join_element_wise("+1919", pc.utf8_lpad(pc.cast(pc.add(index, 2_000_000), pa.string()), 7, "0"), ""),
        "first_name": first,
        "last_name": pa.array(np.array(["SMITH", "JOHNSON", "WILLIAMS", "BROWN"])[np.arange(count) % 4]),
        "state": pa.array(["NC"] * count),
        "zip5": pa.array(["27601"] * count),
        "voter_id": pc.binary_join_element_wise("AA", padded, ""),
        "timezone": pa.array(["America/New_York"] * count),
        "window_start_local": pa.array(["09:00"] * count),
        "window_end_local": pa.array(["20:00"] * count),
        "segment": pa.array(["everyone"] * count),
        "score": pa.array(1.0 - np.arange(count) / count),
        "line_type": pa.array(["wireless"] * count),
    })


def publish_list(home: Path, rows: int) -> None:
    import duckdb

    from assets.publishing import publish_version

    con = duckdb.connect()
    con.register("members_arrow", list_rows(rows))
    con.execute("create table members as select * from members_arrow")
    con.execute("create table decisions as select contact_id, phone_e164, true as included, []::varchar[] as rule_ids from members")
    publish_version(con, published=home / "published", list_name="big_list", members_table="members",
                    decisions_table="decisions", manifest_fields={"channel": "p2p_sms", "purpose": "political"},
                    as_of=datetime.now(timezone.utc).replace(microsecond=0), expires_hours=24)
    con.close()


def _outreach(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "orchestration.cli", *args], cwd=ROOT, check=True,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure(work: Path, rows: int = 400_000, clients: int = 20, seconds: float = 30.0) -> dict:
    import httpx

    shutil.rmtree(work, ignore_errors=True)
    home = work / "home"
    publish_list(home, rows)
    tokens = []
    for index in range(clients):
        profile = "outreach" if index % 2 == 0 else "spoke"
        tokens.append((profile, _outreach("consumers", "add", f"client{index:02d}", "--home", str(home), "--lists",
                                          "big_list", "--profile", profile).strip().splitlines()[-1]))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "orchestration.cli", "serve", "--home", str(home), "--port", str(port),
                               "--rate-limit", "1000000"], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        # One pull per profile first, so the figures are of a warm server, as a dialer's day is.
        for profile, token in tokens[:2]:
            httpx.get(f"{url}/v1/lists/big_list/contacts", headers={"Authorization": f"Bearer {token}"}, timeout=120)

        latencies, errors, served_bytes, lock = [], [], [0], threading.Lock()
        stop_at = time.monotonic() + seconds

        def client(token: str) -> None:
            with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as session:
                while time.monotonic() < stop_at:
                    began = time.monotonic()
                    try:
                        response = session.get("/v1/lists/big_list/contacts")
                        ok = response.status_code == 200 and int(response.headers["x-outreach-rows"]) == rows
                    except httpx.HTTPError as error:
                        ok, response = False, error
                    with lock:
                        if ok:
                            latencies.append(time.monotonic() - began)
                            served_bytes[0] += len(response.content)
                        else:
                            errors.append(getattr(response, "status_code", type(response).__name__))

        began = time.monotonic()
        threads = [threading.Thread(target=client, args=(token,)) for _, token in tokens]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began

        # Opt-out to absence: post one, then pull until the number is gone (bounded).
        token = tokens[0][1]
        target = "+19192000007"
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as session:
            accepted = session.post("/v1/opt-outs", json=[{"phone": target, "source": "bench"}])
            accepted_at = time.monotonic()
            assert accepted.status_code == 200, accepted.status_code
            absent_after = None
            for _ in range(50):
                response = session.get("/v1/lists/big_list/contacts")
                if response.status_code == 200 and target.encode() not in response.content:
                    absent_after = time.monotonic() - accepted_at
                    break
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    latencies.sort()
    return {
        "rows": rows, "clients": clients, "seconds": elapsed, "requests": len(latencies), "errors": len(errors),
        "requests_per_second": len(latencies) / elapsed,
        "rows_per_second": len(latencies) * rows / elapsed,
        "megabytes_per_second": served_bytes[0] / elapsed / 2**20,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else None,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else None,
        "opt_out_to_absent_ms": absent_after * 1000 if absent_after is not None else None,
    }


def report_lines(figures: dict) -> list[str]:
    def ms(value):
        return "-" if value is None else f"{value:,.0f} ms"

    return [
        "## Dialer API (`outreach serve`)",
        "",
        f"{figures['clients']} concurrent clients (half profile `outreach`, the published file; half `spoke`, rendered "
        f"and cached) pulling one {figures['rows']:,}-row list for {figures['seconds']:.0f} s from a real uvicorn "
        "server on 127.0.0.1 (`bench/api_bench.py`), on the same 2 cores as the clients:",
        "",
        "| figure | value |",
        "| --- | ---: |",
        f"| pulls completed | {figures['requests']:,} |",
        f"| errors | {figures['errors']:,} |",
        f"| pulls per second | {figures['requests_per_second']:,.1f} |",
        f"| rows served per second | {figures['rows_per_second']:,.0f} |",
        f"| MB served per second | {figures['megabytes_per_second']:,.0f} |",
        f"| latency p50 | {ms(figures['p50_ms'])} |",
        f"| latency p99 | {ms(figures['p99_ms'])} |",
        f"| accepted opt-out to its absence from the next pull | {ms(figures['opt_out_to_absent_ms'])} |",
        "",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "api")
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    figures = measure(args.work, args.rows, args.clients, args.seconds)
    print("\n".join(report_lines(figures)))
    return 0 if figures["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

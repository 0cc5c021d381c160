"""Test helpers for the dialer API: a real `outreach serve` (uvicorn) on 127.0.0.1, and
list versions published with the real publishing code."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb
import httpx
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`outreach serve --home HOME` in its own process; `kill()` is a kill -9."""

    def __init__(self, home: Path, *args: str, env: dict | None = None, scheme: str = "http", verify=True):
        self.home = home
        self.port = free_port()
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self.verify = verify
        environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "orchestration.cli", "serve", "--home", str(home), "--port", str(self.port), *args],
            cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                out, err = self.process.communicate()
                raise RuntimeError(f"outreach serve exited {self.process.returncode}: {err.decode()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1, verify=verify).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("outreach serve did not answer within 60 s")

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, verify=self.verify)

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> tuple[str, str]:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        out, err = self.process.communicate()
        return out.decode(), err.decode()


def outreach(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "orchestration.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)


def add_consumer(home: Path, name: str, lists: str, profile: str = "outreach") -> str:
    done = outreach("consumers", "add", name, "--home", str(home), "--lists", lists, "--profile", profile)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def member_rows(count: int, marker: str = "everyone", first: int = 0) -> pa.Table:
    """Rows shaped like main.list_members (valid NANP numbers 919-555-01xx style, in 919 and 704)."""
    numbers = [f"+1919{2000000 + first + i:07d}" for i in range(count)]
    return pa.table({
        "contact_id": [f"c{first + i:06d}" for i in range(count)],
        "phone_e164": numbers,
        "first_name": [["LORI", "O'BRIEN", "ANN-MARIE", "JOSÉ"][i % 4] for i in range(count)],
        "last_name": [f"SMITH{i % 7}" for i in range(count)],
        "state": ["NC"] * count,
        "zip5": ["27601"] * count,
        "voter_id": [f"AA{first + i:06d}" for i in range(count)],
        "timezone": ["America/New_York"] * count,
        "window_start_local": ["09:00"] * count,
        "window_end_local": ["20:00"] * count,
        "segment": [marker] * count,
        "score": [round(1 - i / max(count, 1), 6) for i in range(count)],
        "line_type": ["wireless"] * count,
    })


def publish(home: Path, list_name: str, rows: pa.Table, as_of: datetime, expires_hours: int = 72,
            channel: str = "p2p_sms") -> tuple[str, dict]:
    from assets.publishing import publish_version

    con = duckdb.connect()
    try:
        con.register("members_arrow", rows)
        con.execute("create table members as select * from members_arrow")
        con.execute("create table decisions as select contact_id, phone_e164, true as included, "
                    "[]::varchar[] as rule_ids from members")
        return publish_version(con, published=home / "published", list_name=list_name, members_table="members",
                               decisions_table="decisions", manifest_fields={"channel": channel, "purpose": "political"},
                               as_of=as_of, expires_hours=expires_hours)
    finally:
        con.close()

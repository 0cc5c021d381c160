"""A run's record, HOME/reports/<run>/run.json: every configured list, published or blocked with
its reason, and the version dialers are still served (with its expiry). `outreach lists` and the
report read it, so a blocked list's reason outlives the terminal that ran it."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from .paths import gate_result_path, mark_latest, run_record_path, write_private


def served_version(published: Path, list_name: str) -> dict | None:
    """The version LATEST points at (what dialers are served), with its expiry; None without one."""
    list_dir = Path(published) / list_name
    latest = list_dir / "LATEST"
    try:
        version = latest.read_text().strip()
        manifest = json.loads((list_dir / version / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    return {"version": version, "expires_at": manifest.get("expires_at"), "rows": manifest.get("row_count")}


def expired(expires_at: str | None, now: datetime | None = None) -> bool | None:
    if not expires_at:
        return None
    try:
        moment = datetime.fromisoformat(expires_at)
    except ValueError:
        return None
    return moment <= (now or datetime.now(timezone.utc))


def write_run_record(home: Path, run_id: str, *, as_of: datetime, exit_status: int, lists: list[dict]) -> dict:
    """`lists`: one dict per configured list with name, channel, published, rows and detail."""
    entries = []
    for item in lists:
        gate_file = gate_result_path(home, run_id, item["name"])
        entries.append({
            **item,
            "served": served_version(Path(home) / "published", item["name"]),
            "gate_result": str(gate_file) if gate_file.exists() else None,
        })
    record = {
        "run_id": run_id,
        "as_of": as_of.isoformat(),
        "finished_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "exit_status": exit_status,
        "lists": entries,
    }
    write_private(run_record_path(home, run_id), json.dumps(record, indent=2) + "\n")
    mark_latest(home, run_id)
    return record


def read_run_record(home: Path, run_id: str) -> dict | None:
    try:
        return json.loads(run_record_path(home, run_id).read_text())
    except (OSError, ValueError):
        return None

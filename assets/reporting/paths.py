"""Where a run's report lives: HOME/reports/<run>/ (CONTRACT section 7), one folder per Dagster
run id, with `index.html`, `run.json` and `gates/<list>.json`. HOME/reports/LATEST names the
newest run that wrote a record (written atomically, like a list's LATEST)."""

from __future__ import annotations

import os
import re
from pathlib import Path

# Dagster run ids are UUIDs; anything else never becomes a folder name.
_RUN_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def reports_dir(home: Path) -> Path:
    return Path(home) / "reports"


def run_dir(home: Path, run_id: str) -> Path:
    if not _RUN_ID.match(run_id):
        raise ValueError(f"not a run id: {run_id!r}")
    return reports_dir(home) / run_id


def report_path(home: Path, run_id: str) -> Path:
    return run_dir(home, run_id) / "index.html"


def run_record_path(home: Path, run_id: str) -> Path:
    return run_dir(home, run_id) / "run.json"


def gate_result_path(home: Path, run_id: str, list_name: str) -> Path:
    return run_dir(home, run_id) / "gates" / f"{list_name}.json"


def write_private(path: Path, text: str) -> None:
    """Write whole or not at all (temporary name, then rename), mode 0600 in 0700 folders."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def mark_latest(home: Path, run_id: str) -> None:
    write_private(reports_dir(home) / "LATEST", run_id + "\n")


def latest_run(home: Path) -> str | None:
    pointer = reports_dir(home) / "LATEST"
    if not pointer.is_file():
        return None
    run_id = pointer.read_text().strip()
    return run_id if _RUN_ID.match(run_id) else None

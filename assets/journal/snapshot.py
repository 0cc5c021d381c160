"""`HOME/ledger/suppressed_numbers.parquet`: the run's every-channel suppressions, for the API.

Written from the dbt model `suppressed_numbers` after every dbt build, complete or absent:
a hidden temporary file in the same folder, fsynced, renamed over the old one, the folder
fsynced. A pull that reads it during a run sees the old or the new snapshot, never a mix.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..warehouse import connect
from .live import SNAPSHOT_COLUMNS, snapshot_path
from .store import fsync_dir, private_dir

SNAPSHOT_SCHEMA = pa.schema([("phone_e164", pa.string()), ("rule_id", pa.string()),
                             ("event_at", pa.timestamp("us", tz="UTC"))])


def write_snapshot(home: Path, table: pa.Table) -> Path:
    target = snapshot_path(home)
    private_dir(target.parent)
    table = table.select(list(SNAPSHOT_COLUMNS)).cast(SNAPSHOT_SCHEMA)
    temporary = target.with_name(f".{target.name}.partial")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb", closefd=False) as handle:
            pq.write_table(table, handle)
            handle.flush()
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        temporary.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.replace(temporary, target)
    fsync_dir(target.parent)
    return target


def snapshot_from_warehouse(warehouse: Path, home: Path) -> dict[str, int]:
    """Write the snapshot from `main.suppressed_numbers`; returns numbers per rule (counts only)."""
    with connect(warehouse, read_only=True) as con:
        table = con.sql(
            "select phone_e164, rule_id, event_at from main.suppressed_numbers order by phone_e164, rule_id"
        ).to_arrow_table()
    write_snapshot(home, table)
    counts: dict[str, int] = {}
    for rule in table.column("rule_id").to_pylist():
        counts[rule] = counts.get(rule, 0) + 1
    counts["numbers"] = len(set(table.column("phone_e164").to_pylist()))
    return counts

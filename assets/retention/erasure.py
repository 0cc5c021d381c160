"""`outreach forget PHONE`: erase a person's personal data, keep the number's suppression.

Order matters, and fails closed: the erasure is appended to the ledger first (from then on
every run excludes the number on every channel, C08, whatever else fails), then the
published history is scrubbed, then the warehouse. The caller holds HOME's run lock, so no
run publishes or builds while this rewrites."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from .. import encryption
from ..build_state import forget_build_state
from ..ledger.store import ident, record_erasure
from ..warehouse import connect
from .published_scrub import RULE_ID, fsync_dir, scrub_published
from .warehouse_scrub import scrub_warehouse

WAREHOUSE_FILE = "warehouse.duckdb"


def mask_phone(phone_e164: str) -> str:
    """What output may say about a number: its last two digits."""
    return f"the number ending in {phone_e164[-2:]}"


@dataclass
class ForgetResult:
    newly_recorded: bool
    published: dict[str, int] = field(default_factory=dict)
    warehouse: dict[str, int] | None = None  # None: no warehouse yet
    warehouse_busy: bool = False


def forget_number(home: Path, phone_e164: str, at: datetime, rule: dict) -> ForgetResult:
    """Erase the person holding `phone_e164` from HOME; `rule` is C08's policy entry (for manifests)."""
    result = ForgetResult(newly_recorded=record_erasure(home, phone_e164, at))
    # The scrub below removes the person from model tables an incremental build would reuse;
    # the next run must build everything, as a cold run would (docs/performance.md).
    forget_build_state(Path(home))
    result.published = scrub_published(Path(home) / "published", phone_e164, at, rule)
    warehouse = Path(home) / WAREHOUSE_FILE
    if warehouse.is_file():
        try:
            with connect(warehouse) as con:
                result.warehouse = scrub_warehouse(con, [phone_e164])
                con.execute("checkpoint")
            compact_warehouse(warehouse)
        except duckdb.IOException:
            # Another process (an analyst's `outreach sql`) has the file open; the next run's
            # erasure_sweep does this from the ledger record written above.
            result.warehouse_busy = True
    return result


def compact_warehouse(warehouse: Path) -> None:
    """Write the warehouse again into a new file and put it in place of the old one.

    DuckDB leaves deleted rows' bytes in the file's free blocks until they are reused, so
    after a delete the name is gone from every query but not from the file. A copy holds
    only live rows. The copy is complete or absent: a dot file beside the warehouse,
    fsynced, renamed over it, the folder fsynced."""
    partial = warehouse.with_name(f".{warehouse.name}.compact-{os.getpid()}")
    for leftover in (partial, partial.with_name(partial.name + ".wal")):
        leftover.unlink(missing_ok=True)
    try:
        with connect(warehouse) as con:
            database = con.execute("select current_database()").fetchone()[0]
            # The copy is encrypted with the warehouse's key like the file it replaces.
            encryption.attach(con, partial, "outreach_compacted", encryption.read_key(warehouse.parent))
            try:
                con.execute(f"copy from database {ident(database)} to outreach_compacted")
            finally:
                con.execute("detach outreach_compacted")
        os.chmod(partial, 0o600)
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, warehouse)
        warehouse.with_name(warehouse.name + ".wal").unlink(missing_ok=True)
        fsync_dir(warehouse.parent)
    finally:
        for leftover in (partial, partial.with_name(partial.name + ".wal")):
            leftover.unlink(missing_ok=True)


__all__ = ["ForgetResult", "RULE_ID", "compact_warehouse", "forget_number", "mask_phone"]

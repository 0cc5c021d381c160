"""Opening the run's DuckDB warehouse: short-lived connections, so dbt (a separate process)
can open the file between Python steps. The file is encrypted (assets/encryption.py): it is
ATTACHed with HOME's key to an in-memory DuckDB under the catalog name `warehouse`."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb
import os

from . import encryption
from .sql_text import sql_string

MEMORY_ENV = "OUTREACH_DUCKDB_MEMORY"
SMALLEST_MEMORY_LIMIT = 2 * 2**30


def memory_limit() -> str:
    """DuckDB's memory limit for every connection and for dbt: OUTREACH_DUCKDB_MEMORY, else a
    quarter of the machine's memory and at least 2 GB. DuckDB spills joins, sorts and most
    grouping to HOME beyond it, but not an aggregate that builds a list per group (the people
    and compliance models have several): ten million voters need more than 2 GB for those."""
    configured = os.environ.get(MEMORY_ENV, "").strip()
    if configured:
        return configured
    try:
        physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        physical = 0
    return f"{max(SMALLEST_MEMORY_LIMIT, physical // 4) // 2**20}MB"


@contextmanager
def connect(warehouse: Path, read_only: bool = False, key: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """`key` defaults to the key of the warehouse's HOME (its folder); MissingKeyError without one."""
    warehouse = Path(warehouse)
    key = key if key is not None else encryption.read_key(warehouse.parent)
    if not read_only:
        warehouse.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    con = encryption.new_connection(warehouse.parent / (warehouse.name + ".tmp"))
    try:
        encryption.attach(con, warehouse, encryption.WAREHOUSE_ALIAS, key, read_only=read_only)
        con.execute(f"use {encryption.WAREHOUSE_ALIAS}")
        con.execute("set TimeZone = 'UTC'")
        # The same bound as the dbt profile (OUTREACH_DUCKDB_MEMORY); DuckDB spills beyond it.
        con.execute(f"set memory_limit = {sql_string(memory_limit())}")
        yield con
    finally:
        con.close()

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
        con.execute(f"set memory_limit = {sql_string(os.environ.get('OUTREACH_DUCKDB_MEMORY', '2GB'))}")
        yield con
    finally:
        con.close()

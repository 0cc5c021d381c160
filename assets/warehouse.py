"""Opening the run's DuckDB warehouse: short-lived connections, so dbt (a separate process)
can open the file between Python steps."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb
import os

from .sql_text import sql_string


@contextmanager
def connect(warehouse: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse), read_only=read_only)
    try:
        con.execute("set TimeZone = 'UTC'")
        # The same bound as the dbt profile (OUTREACH_DUCKDB_MEMORY); DuckDB spills beyond it.
        con.execute(f"set memory_limit = {sql_string(os.environ.get('OUTREACH_DUCKDB_MEMORY', '2GB'))}")
        yield con
    finally:
        con.close()

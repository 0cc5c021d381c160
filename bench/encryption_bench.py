"""The cost of encryption at rest on a real warehouse (docs/security.md "Keys").

`outreach run` always encrypts, so the cost is measured on the warehouse a run built: the
same database is written as an encrypted and as a plain copy (`COPY FROM DATABASE`), and every
table of each copy is read in full from a fresh connection. The plain copy is deleted at once.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assets import encryption  # noqa: E402
from assets.sql_text import ident, sql_string  # noqa: E402
from assets.warehouse import memory_limit  # noqa: E402


def _connection(scratch: Path):
    """A fresh connection bounded like the run's (a 10M warehouse copied without a bound took
    17 GB of this machine's 24)."""
    con = encryption.new_connection(scratch)
    con.execute(f"set memory_limit = {sql_string(memory_limit())}")
    return con


def _tables(con, catalog: str) -> list[tuple[str, str]]:
    return con.execute("select schema_name, table_name from duckdb_tables() where database_name = ? order by all",
                       [catalog]).fetchall()


def _write(source: Path, key: str, target: Path, target_key: str | None, scratch: Path) -> float:
    con = _connection(scratch)
    try:
        encryption.attach(con, source, "source", key, read_only=True)
        if target_key is None:
            con.execute(f"attach {sql_string(str(target))} as target")
        else:
            encryption.attach(con, target, "target", target_key)
        began = time.perf_counter()
        con.execute("copy from database source to target")
        con.execute("detach target")
        return time.perf_counter() - began
    finally:
        con.close()


def _read(path: Path, key: str | None, scratch: Path) -> float:
    con = _connection(scratch)
    try:
        if key is None:
            con.execute(f"attach {sql_string(str(path))} as db (read_only)")
        else:
            encryption.attach(con, path, "db", key, read_only=True)
        began = time.perf_counter()
        for schema, table in _tables(con, "db"):
            con.execute(f"select count(*), sum(hash(columns(*))) from db.{ident(schema)}.{ident(table)}").fetchall()
        return time.perf_counter() - began
    finally:
        con.close()


def measure(warehouse: Path, key: str) -> dict:
    """Seconds to write and to read the whole warehouse, encrypted and plain, and the file size."""
    with tempfile.TemporaryDirectory(prefix="encryption_bench_", dir=warehouse.parent) as scratch:
        work = Path(scratch)
        encrypted, plain = work / "encrypted.duckdb", work / "plain.duckdb"
        figures = {
            "write_encrypted": _write(warehouse, key, encrypted, key, work / "tmp"),
            "write_plain": _write(warehouse, key, plain, None, work / "tmp"),
        }
        figures["read_encrypted"] = _read(encrypted, key, work / "tmp")
        figures["read_plain"] = _read(plain, None, work / "tmp")
        figures["megabytes"] = encrypted.stat().st_size / 2**20
    return figures


def report_lines(figures: dict) -> list[str]:
    def cost(kind: str) -> str:
        return f"{figures[f'{kind}_encrypted'] / figures[f'{kind}_plain'] - 1:+.0%}"

    return [
        "## Encryption at rest",
        "",
        f"The run's warehouse ({figures['megabytes']:,.0f} MB) copied with `COPY FROM DATABASE` into an",
        "encrypted and a plain file, then every table of each read in full from a fresh connection",
        "(`bench/encryption_bench.py`; AES-256-GCM through DuckDB's OpenSSL module, docs/security.md):",
        "",
        "| | encrypted (s) | plain (s) | cost |",
        "| --- | ---: | ---: | ---: |",
        f"| write the whole warehouse | {figures['write_encrypted']:.2f} | {figures['write_plain']:.2f} | {cost('write')} |",
        f"| read every table | {figures['read_encrypted']:.2f} | {figures['read_plain']:.2f} | {cost('read')} |",
        "",
    ]

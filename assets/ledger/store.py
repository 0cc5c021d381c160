"""The durable, append-only suppression and consent ledger: `HOME/ledger/ledger.duckdb`.

The `raw` tables are rebuilt from the inbox on every run; the ledger is not. After each
suppression or consent family is ingested, its new rows are appended here, identified by
(table, sha256 of the source file's bytes, line): re-reading a file adds nothing, a changed
file (new sha256) adds its rows again, which is harmless for suppression. Nothing ever
deletes from the ledger (opt-outs are kept at least five years, R18/R19: simply never
deleted). The run then copies the ledger's tables into the warehouse schema `ledger`, so dbt
and the gates decide from everything ever read, not from what the inbox holds today.

One DuckDB writer per file: the ledger is only ever opened by ATTACHing it to the run's
warehouse connection (or read-only by `outreach ledger`), and the run lock
(orchestration/home_lock.py) keeps a second run away. Everything is set-based SQL; Python
only hashes files and never looks at a row. Paths reach SQL through `sql_string` only.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import duckdb
import pyarrow as pa

from .. import encryption
from ..ingest.file_digests import sha256_of
from ..sql_text import ident, sql_string  # noqa: F401  (imported from here elsewhere)
from .tables import LEDGER_TABLES, LedgerTable, column_type, tables_for_family

LEDGER_DIR = "ledger"
LEDGER_FILE = "ledger.duckdb"
# The catalog name the ledger file is attached under; a constant, never outside text.
ALIAS = "outreach_ledger"
# The warehouse schema the ledger's tables are copied into.
WAREHOUSE_SCHEMA = "ledger"


class LedgerError(RuntimeError):
    """The ledger could not record what the run read; the message names files, never their content."""


def ledger_path(home: Path) -> Path:
    return Path(home) / LEDGER_DIR / LEDGER_FILE


# --- files --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileVersion:
    sha256: str
    size: int
    mtime_ns: int


def _stat_key(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def snapshot_folder(inbox: Path, folder: str) -> dict[str, FileVersion]:
    """sha256 of every regular file under `inbox/folder`, keyed by its path relative to the inbox.

    Taken before the family is read; `absorb_family` checks afterwards that every file the
    raw tables came from is still the one hashed here.
    """
    root = Path(inbox) / folder
    versions = {}
    if not root.is_dir():
        return versions
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        size, mtime = _stat_key(path)
        digest = sha256_of(path)
        versions[path.relative_to(inbox).as_posix()] = FileVersion(digest, size, mtime)
    return versions


# --- attaching ----------------------------------------------------------------------------


def attach(con: duckdb.DuckDBPyConnection, home: Path, read_only: bool = False) -> None:
    """ATTACH the ledger, encrypted with HOME's key (assets/encryption.py), as `outreach_ledger`."""
    path = ledger_path(home)
    key = encryption.read_key(home)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    encryption.attach(con, path, ALIAS, key, read_only=read_only)
    if not read_only:
        _private(path)


def _connection(home: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB able to read and write the encrypted ledger; spills stay in HOME."""
    return encryption.new_connection(ledger_path(home).parent / (LEDGER_FILE + ".tmp"))


def detach(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"detach {ALIAS}")


def _private(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        try:
            os.chmod(candidate, 0o600)
        except OSError:
            pass


def _table(name: str) -> str:
    return f"{ALIAS}.main.{ident(name)}"


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> list[str]:
    return [row[0] for row in con.execute(
        "select column_name from information_schema.columns "
        "where table_catalog = ? and table_schema = ? and table_name = ? order by ordinal_position",
        [catalog, schema, table],
    ).fetchall()]


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create every ledger table that is missing (an empty family still has its table), and
    add the columns a ledger written by older code lacks: dbt staging reads them by name."""
    for table in LEDGER_TABLES:
        columns = ", ".join(f"{ident(c)} {column_type(c)}" for c in table.all_columns)
        con.execute(f"create table if not exists {_table(table.name)} ({columns})")
        have = set(_columns(con, ALIAS, "main", table.name))
        for column in table.all_columns:
            if column not in have:
                con.execute(f"alter table {_table(table.name)} add column {ident(column)} {column_type(column)}")


def _follow_raw_columns(con: duckdb.DuckDBPyConnection, table: LedgerTable, raw_columns: list[str]) -> list[str]:
    """Columns the raw table has and the ledger table lacks are added (text); returns the ledger's columns."""
    ledger_columns = _columns(con, ALIAS, "main", table.name)
    if table.follows_raw:
        for column in raw_columns:
            if column not in ledger_columns:
                con.execute(f"alter table {_table(table.name)} add column {ident(column)} varchar")
                ledger_columns.append(column)
    return ledger_columns


# --- absorbing ----------------------------------------------------------------------------


def absorb_family(con: duckdb.DuckDBPyConnection, home: Path, inbox: Path, family: str,
                  snapshot: dict[str, FileVersion], seen_at: datetime | None = None) -> dict[str, int]:
    """Append the rows of `family`'s raw tables (just loaded on `con`) that the ledger lacks.

    Returns the number of rows added per ledger table. Raises LedgerError, adding nothing,
    when a file the raw tables came from changed after `snapshot` hashed it.
    """
    tables = tables_for_family(family)
    if not tables:
        return {}
    seen_at = seen_at or datetime.now(timezone.utc)
    files = set()
    for table in tables:
        condition, params = _raw_condition(table, family)
        files |= {row[0] for row in con.execute(
            f"select distinct r._file from raw.{ident(table.raw_table)} r where {condition}", params).fetchall()}
    keys = {rel: _snapshot_key(rel, snapshot) for rel in files}
    changed = sorted(rel for rel, key in keys.items() if key is None or _moved(Path(inbox) / key, snapshot[key]))
    if changed:
        raise LedgerError(
            f"{family}: {len(changed)} file(s) changed while this run read them ({', '.join(changed[:5])}); "
            "nothing of them was added to the ledger and no list is built from them: run again"
        )
    # The file list is a registered Arrow table, not a temp table: a transaction writes one database.
    con.register("_ledger_files", pa.table({
        "_file": pa.array(sorted(files), pa.string()),
        "_sha256": pa.array([snapshot[keys[rel]].sha256 for rel in sorted(files)], pa.string()),
    }))
    try:
        attach(con, home)
        try:
            with transaction(con):
                ensure_tables(con)
                added = {table.name: _append(con, table, family, seen_at) for table in tables}
        finally:
            detach(con)
    finally:
        con.unregister("_ledger_files")
    return added


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One DuckDB transaction: committed when the block ends, rolled back on any exception."""
    con.execute("begin transaction")
    try:
        yield
        con.execute("commit")
    except BaseException:
        _rollback(con)
        raise


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("rollback")
    except duckdb.Error:
        pass


def _snapshot_key(rel: str, snapshot: dict[str, FileVersion]) -> str | None:
    """The inbox file a raw `_file` came from: itself, or the archive of a member named
    `opt_outs/a.zip!a.csv` (assets/ingest/reading.py); the archive's bytes are the version."""
    if rel in snapshot:
        return rel
    parts = rel.split("!")
    return next(("!".join(parts[:end]) for end in range(len(parts) - 1, 0, -1) if "!".join(parts[:end]) in snapshot), None)


def _moved(path: Path, version: FileVersion) -> bool:
    try:
        return _stat_key(path) != (version.size, version.mtime_ns)
    except OSError:
        return True


def _raw_condition(table: LedgerTable, family: str) -> tuple[str, dict]:
    if "$family" in table.row_filter:
        return table.row_filter, {"family": family}
    return table.row_filter, {}


def _append(con: duckdb.DuckDBPyConnection, table: LedgerTable, family: str, seen_at: datetime) -> int:
    raw_columns = _columns(con, con.execute("select current_database()").fetchone()[0], "raw", table.raw_table)
    ledger_columns = _follow_raw_columns(con, table, raw_columns)
    data_columns = [c for c in ledger_columns if c not in ("_sha256", "_first_seen_at")]
    selected = [f"r.{ident(c)}" if c in raw_columns else "null" for c in data_columns]
    condition, params = _raw_condition(table, family)
    key_match = " and ".join(
        "l._sha256 = f._sha256" if c == "_sha256" else f"l.{ident(c)} = r.{ident(c)}" for c in table.key)
    partition = ", ".join("f._sha256" if c == "_sha256" else f"r.{ident(c)}" for c in table.key)
    before = con.execute(f"select count(*) from {_table(table.name)}").fetchone()[0]
    for column in (c for c in table.filled_in if c in raw_columns):
        con.execute(
            f"update {_table(table.name)} l set {ident(column)} = r.{ident(column)} "
            f"from raw.{ident(table.raw_table)} r join _ledger_files f on f._file = r._file "
            f"where ({condition}) and {key_match} and l.{ident(column)} is null and r.{ident(column)} is not null",
            params)
    con.execute(
        f"insert into {_table(table.name)} ({', '.join(ident(c) for c in data_columns)}, _sha256, _first_seen_at) "
        f"select {', '.join(selected)}, f._sha256, $seen_at "
        f"from raw.{ident(table.raw_table)} r join _ledger_files f on f._file = r._file "
        f"where ({condition}) "
        f"and not exists (select 1 from {_table(table.name)} l where {key_match}) "
        f"qualify row_number() over (partition by {partition} order by r._file, r._line) = 1",
        {**params, "seen_at": seen_at},
    )
    return con.execute(f"select count(*) from {_table(table.name)}").fetchone()[0] - before


# --- erasure records (outreach forget) ---------------------------------------------------


def record_erasure(home: Path, phone_e164: str, at: datetime) -> bool:
    """Append `phone_e164` to the ledger's `erasures` table unless it is there; True when added.

    Appending is the only write: like every ledger table, an erasure is never deleted, so
    the number stays suppressed (C08) whatever later files say."""
    con = _connection(home)
    try:
        con.execute("set TimeZone = 'UTC'")
        attach(con, home)
        try:
            with transaction(con):
                ensure_tables(con)
                before = con.execute(f"select count(*) from {_table('erasures')}").fetchone()[0]
                con.execute(
                    f"insert into {_table('erasures')} (phone_e164, _sha256, _first_seen_at) "
                    f"select $phone, null, $at where not exists "
                    f"(select 1 from {_table('erasures')} where phone_e164 = $phone)",
                    {"phone": phone_e164, "at": at})
                added = con.execute(f"select count(*) from {_table('erasures')}").fetchone()[0] > before
        finally:
            detach(con)
    finally:
        con.close()
    return added


# --- the warehouse copy -------------------------------------------------------------------


def copy_to_warehouse(con: duckdb.DuckDBPyConnection, home: Path) -> dict[str, dict]:
    """`ledger.<table>` in the warehouse := the ledger's table, for every table (created if missing)."""
    attach(con, home)
    try:
        ensure_tables(con)
        con.execute(f"create schema if not exists {WAREHOUSE_SCHEMA}")
        for table in LEDGER_TABLES:
            con.execute(f"create or replace table {WAREHOUSE_SCHEMA}.{ident(table.name)} as "
                        f"select * from {_table(table.name)}")
        return {table.name: _summary(con, _table(table.name)) for table in LEDGER_TABLES}
    finally:
        detach(con)


def _summary(con: duckdb.DuckDBPyConnection, relation: str) -> dict:
    rows, files, earliest, latest = con.execute(
        f"select count(*), count(distinct _sha256), min(_first_seen_at), max(_first_seen_at) from {relation}").fetchone()
    return {"rows": rows, "files": files, "earliest": earliest, "latest": latest}


# --- reading and exporting (outreach ledger) ---------------------------------------------


def ledger_counts(home: Path) -> dict[str, dict]:
    """Rows, file versions and first-seen range per table; counts only, never a row."""
    path = ledger_path(home)
    if not path.is_file():
        raise FileNotFoundError(path)
    con = _connection(home)
    try:
        con.execute("set TimeZone = 'UTC'")
        attach(con, home, read_only=True)
        present = set(_tables_present(con))
        empty = {"rows": 0, "files": 0, "earliest": None, "latest": None}
        return {table.name: _summary(con, _table(table.name)) if table.name in present else dict(empty)
                for table in LEDGER_TABLES}
    finally:
        con.close()


def _tables_present(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [row[0] for row in con.execute(
        "select table_name from information_schema.tables where table_catalog = ? and table_schema = 'main'",
        [ALIAS]).fetchall()]


def export_ledger(home: Path, target: Path) -> dict[str, int]:
    """Write every ledger table to `target`, a new DuckDB file encrypted with HOME's key
    (complete or absent, mode 0600)."""
    source = ledger_path(home)
    if not source.is_file():
        raise FileNotFoundError(source)
    target = Path(target)
    if target.exists():
        raise FileExistsError(f"{target} already exists")
    if not target.parent.is_dir():
        raise FileNotFoundError(target.parent)
    partial = target.with_name(f".{target.name}.partial")
    for leftover in (partial, partial.with_name(partial.name + ".wal")):
        leftover.unlink(missing_ok=True)
    con = _connection(home)
    try:
        con.execute("set TimeZone = 'UTC'")
        attach(con, home, read_only=True)
        # The export holds every opt-out number: encrypted with the same key as the ledger.
        encryption.attach(con, partial, "outreach_ledger_export", encryption.read_key(home))
        _private(partial)
        counts = {}
        for name in _tables_present(con):
            con.execute(f"create table outreach_ledger_export.main.{ident(name)} as select * from {_table(name)}")
            counts[name] = con.execute(f"select count(*) from outreach_ledger_export.main.{ident(name)}").fetchone()[0]
        con.execute("detach outreach_ledger_export")
        detach(con)
    except BaseException:
        con.close()
        partial.unlink(missing_ok=True)
        raise
    con.close()
    os.replace(partial, target)
    return counts

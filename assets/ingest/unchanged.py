"""Skipping a source family whose files are the ones the previous run read.

A family's fingerprint is the sha256 of: this module's `INGEST_FORMAT`, the policy's
`max_line_bytes` (it decides what is quarantined), the columns of its raw tables, and every
entry under its inbox folder by path, with the sha256 of each regular file's bytes (hidden
files and entries that are not regular files by name and kind only: they are listed, never
read). When the fingerprint equals the one recorded by the last run that loaded the family
completely, the family's raw rows, quarantine rows and `raw.ingest_files` rows are kept as
they are and nothing is read: the loaders are deterministic, so re-reading the same bytes
would write the same rows. The ledger already holds them too (it is keyed by file sha256 and
line, and a fingerprint is recorded only after the family's rows were absorbed).

Two tables in the warehouse, schema `raw`:

- `raw._ingest_fingerprints (family, fingerprint, recorded_at)`: one row per family, written
  after the family was loaded (and absorbed into the ledger), deleted before it is loaded, so
  a run that fails half way never leaves a fingerprint for rows it did not finish writing.
- `raw._ingest_changes (family, changed, files, checked_at)`: one row per family, rewritten by
  each run's ingest step of that family: `changed` is false when the family was skipped as
  unchanged, true when it was read. A family that failed, or never ran, has `changed` true or
  no row: readers (the incremental dbt selection) must treat a missing row as changed.

The erasure sweep blanks raw rows of people forgotten on request; it drops the fingerprints
of every family when it blanked a raw or quarantined row (`forget_all_fingerprints`), so the next run reads them again and
builds exactly what a cold run would before the sweep blanks them again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from .file_digests import sha256_of
from .inbox import HIDDEN_FILE, NOT_A_REGULAR_FILE, _entries, _is_hidden
from .reading import ensure_bookkeeping_tables

# Bump when a loader's output for the same bytes changes: every family is then read again.
INGEST_FORMAT = "2026-12-06.1"
# Families that are always read: the unclaimed listing reads no file and costs nothing.
ALWAYS_READ = frozenset({"unclaimed"})


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    ensure_bookkeeping_tables(con)
    con.execute("create table if not exists raw._ingest_fingerprints ("
                "family varchar, fingerprint varchar, recorded_at timestamptz)")
    con.execute("create table if not exists raw._ingest_changes ("
                "family varchar, changed boolean, files bigint, checked_at timestamptz)")


def family_fingerprint(inbox: Path, folder: str, max_line_bytes: int, table_columns: list[str],
                       digests: dict[str, str] | None = None) -> str:
    """The fingerprint of everything the family's loader would see (see the module's docstring).

    `digests` (path relative to the inbox -> sha256) are hashes already taken this run (the
    ledger's snapshot); any file not in it is hashed here.
    """
    outer = hashlib.sha256()
    for part in (INGEST_FORMAT, str(int(max_line_bytes)), *table_columns):
        outer.update(part.encode("utf-8") + b"\0")
    root = Path(inbox) / folder
    for path in _entries(root):
        rel = path.relative_to(inbox).as_posix()
        if _is_hidden(path.relative_to(root)):
            entry = f"{HIDDEN_FILE}\0{rel}"
        elif not path.is_file():
            entry = f"{NOT_A_REGULAR_FILE}\0{rel}"
        else:
            digest = (digests or {}).get(rel) or sha256_of(path)
            entry = f"file\0{rel}\0{'link' if path.is_symlink() else 'plain'}\0{digest}"
        outer.update(entry.encode("utf-8", "surrogateescape") + b"\n")
    return outer.hexdigest()


def is_unchanged(con: duckdb.DuckDBPyConnection, family: str, fingerprint: str, tables: tuple[str, ...]) -> bool:
    """True when the last complete load of `family` had this fingerprint and its raw tables are there."""
    if family in ALWAYS_READ:
        return False
    ensure_tables(con)
    recorded = con.execute("select fingerprint from raw._ingest_fingerprints where family = ?", [family]).fetchall()
    if [row[0] for row in recorded] != [fingerprint]:
        return False
    present = {row[0] for row in con.execute(
        "select table_name from information_schema.tables where table_schema = 'raw'").fetchall()}
    return set(tables) <= present


def forget_fingerprint(con: duckdb.DuckDBPyConnection, family: str) -> None:
    ensure_tables(con)
    con.execute("delete from raw._ingest_fingerprints where family = ?", [family])


def remember_fingerprint(con: duckdb.DuckDBPyConnection, family: str, fingerprint: str) -> None:
    if family in ALWAYS_READ:
        return
    forget_fingerprint(con, family)
    con.execute("insert into raw._ingest_fingerprints values (?, ?, now())", [family, fingerprint])


def record_change(con: duckdb.DuckDBPyConnection, family: str, changed: bool, files: int) -> None:
    ensure_tables(con)
    con.execute("delete from raw._ingest_changes where family = ?", [family])
    con.execute("insert into raw._ingest_changes values (?, ?, ?, now())", [family, changed, files])


def forget_all_fingerprints(con: duckdb.DuckDBPyConnection) -> None:
    """Make the next run read every family again (raw rows were changed in place)."""
    exists = con.execute("select count(*) from information_schema.tables "
                         "where table_schema = 'raw' and table_name = '_ingest_fingerprints'").fetchone()[0]
    if exists:
        con.execute("delete from raw._ingest_fingerprints")

"""Journal files into the durable ledger, at the start of every run's `ledger_absorb`.

Each journal row becomes a row of the ledger table of its family (`opt_outs`,
`inbound_sms`, `contact_history`) with `_file = 'journal/<family>/<name>'`, `_line` (header
= line 1, as for inbox files), `_sha256` of the file's bytes and `_first_seen_at`: the same
key (sha256, line) as assets/ledger/store.py, so absorbing a file again adds nothing. A
line that cannot be read as a record (never expected: the files are written by
assets/journal/store.py) goes to the ledger's `quarantine`, where C07 suppresses any number
it holds.

Files whose name the ledger already holds are not read again (a journal file is never
changed, and a file is absorbed whole or not at all). The rest are read with Python's csv
module into Arrow tables, and each ledger table takes them in one INSERT; no path or value
is pasted into SQL.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa

from ..ledger.store import ALIAS, attach, detach, ensure_tables, ident, transaction
from .records import FAMILIES, FAMILY_COLUMNS
from .store import ledger_file_name, list_journal, read_journal_file


def _table(name: str) -> str:
    return f"{ALIAS}.main.{ident(name)}"


def _absorbed_names(con: duckdb.DuckDBPyConnection, family: str) -> set[str]:
    prefix = ledger_file_name(family, "")
    names = set()
    for table in (family, "quarantine"):
        names |= {row[0] for row in con.execute(
            f"select distinct _file from {_table(table)} where starts_with(_file, ?)", [prefix]).fetchall()}
    return names


def _rows_table(family: str, files) -> pa.Table:
    columns = FAMILY_COLUMNS[family]
    data = {column: [] for column in (*columns, "_file", "_line", "_sha256")}
    for journal in files:
        for line, record in journal.rows:
            for column in columns:
                data[column].append(record.get(column))
            data["_file"].append(ledger_file_name(family, journal.name))
            data["_line"].append(line)
            data["_sha256"].append(journal.sha256)
    return pa.table({name: pa.array(values, pa.int64() if name == "_line" else pa.string())
                     for name, values in data.items()})


def _quarantine_table(family: str, files) -> pa.Table:
    data = {"source": [], "_file": [], "_line": [], "reason": [], "raw_line": [], "_sha256": []}
    for journal in files:
        for line, text in journal.unreadable:
            data["source"].append(family)
            data["_file"].append(ledger_file_name(family, journal.name))
            data["_line"].append(line)
            data["reason"].append("journal line not readable as a record")
            data["raw_line"].append(text)
            data["_sha256"].append(journal.sha256)
    return pa.table({name: pa.array(values, pa.int64() if name == "_line" else pa.string())
                     for name, values in data.items()})


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table, key: tuple[str, ...],
            seen_at: datetime) -> int:
    if rows.num_rows == 0:
        return 0
    con.register("_journal_rows", rows)
    try:
        columns = ", ".join(ident(c) for c in rows.column_names)
        selected = ", ".join(f"j.{ident(c)}" for c in rows.column_names)
        match = " and ".join(f"l.{ident(c)} = j.{ident(c)}" for c in key)
        partition = ", ".join(f"j.{ident(c)}" for c in key)
        before = con.execute(f"select count(*) from {_table(table)}").fetchall()[0][0]
        con.execute(
            f"insert into {_table(table)} ({columns}, _first_seen_at) "
            f"select {selected}, $seen_at from _journal_rows j "
            f"where not exists (select 1 from {_table(table)} l where {match}) "
            f"qualify row_number() over (partition by {partition} order by j._file, j._line) = 1",
            {"seen_at": seen_at},
        ).fetchall()
        return con.execute(f"select count(*) from {_table(table)}").fetchall()[0][0] - before
    finally:
        con.unregister("_journal_rows")


def absorb_journal(con: duckdb.DuckDBPyConnection, home: Path, seen_at: datetime | None = None) -> dict[str, int]:
    """Append every journal row the ledger lacks; returns rows added per ledger table
    (`quarantine` included). One transaction: all of it or, on an error, nothing."""
    seen_at = seen_at or datetime.now(timezone.utc)
    listed = {family: list_journal(home, family) for family in FAMILIES}
    added = {family: 0 for family in FAMILIES} | {"quarantine": 0}
    if not any(listed.values()):
        return added
    attach(con, home)
    try:
        with transaction(con):
            ensure_tables(con)
            for family in FAMILIES:
                known = _absorbed_names(con, family)
                files = [read_journal_file(home, family, name) for name in listed[family]
                         if ledger_file_name(family, name) not in known]
                added[family] += _insert(con, family, _rows_table(family, files), ("_sha256", "_line"), seen_at)
                added["quarantine"] += _insert(con, "quarantine", _quarantine_table(family, files),
                                               ("source", "_sha256", "_line"), seen_at)
    finally:
        detach(con)
    return added

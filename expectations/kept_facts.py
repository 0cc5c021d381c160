"""Gate facts kept from one run to the next while their sources are unchanged.

Most of the gate's facts come from sources an incremental run leaves alone: the line-type
answers, the contact history, consents and RND answers, the voter, donor and volunteer
records. Deriving them again cost 24 s of every run at ten million voters. So such a part is
kept under `gate.*` with a fingerprint of everything it was derived from, and a later run
whose fingerprint is the same reuses it:

- the content of every source table it reads (row count and a sum of hashes of the columns it
  reads; a sum, so two equal rows do not cancel), raw and ledger copies alike;
- the settings it depends on (as-of, caller entity, the policy values it reads);
- the gate's own code and the packages it normalizes with.

Only the gate's own tables are read or written here: the models it checks never are. The
fingerprints are digests: no phone number is in them.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import metadata
from pathlib import Path

from assets.sql_text import ident

# Source files whose code decides what a kept part holds.
_CODE = ("facts.py", "kept_facts.py", "sql_normalize.py", "nanp_validity.py")
_PACKAGES = ("phonenumbers", "zipcodes", "duckdb")
# Every column of the table (a read of the whole row).
WHOLE_ROW = None


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    digest = hashlib.sha256()
    for name in _CODE:
        digest.update((Path(__file__).with_name(name)).read_bytes())
    for package in _PACKAGES:
        try:
            digest.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package}=absent".encode())
    return digest.hexdigest()


def table_columns(con, schema: str, table: str) -> list[str]:
    """The table's columns in their order; none when there is no such table."""
    return [row[0] for row in con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position", [schema, table]).fetchall()]


def fingerprint(con, reads: list[tuple[str, str, tuple[str, ...] | None]], settings: dict) -> str:
    """A digest of the sources `reads` ((schema, table, columns or WHOLE_ROW)) and `settings`.
    A missing table or column is part of the digest, so it appearing later changes it."""
    parts: list = [code_digest(), json.dumps(settings, sort_keys=True, default=str)]
    for schema, table, wanted in reads:
        have = table_columns(con, schema, table)
        if not have:
            parts.append([schema, table, "absent"])
            continue
        present = have if wanted is WHOLE_ROW else [c for c in wanted if c in have]
        values = ", ".join(ident(c) for c in present) or "null"
        count, total = con.execute(
            f"select count(*), sum(hash(row({values}))::hugeint) from {ident(schema)}.{ident(table)}").fetchone()
        parts.append([schema, table, present, count, str(total)])
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _parts_table(con, schema: str) -> str:
    """`schema.kept_parts`, created when missing: which fingerprint each kept part has."""
    table = f"{ident(schema)}.kept_parts"
    con.execute(f"create table if not exists {table} (part varchar, fingerprint varchar)")
    return table


def kept(con, schema: str, part: str, key: str, tables: tuple[str, ...]) -> bool:
    """Whether `part` was kept under this fingerprint, with all its tables there."""
    row = con.execute(f"select fingerprint from {_parts_table(con, schema)} where part = ?", [part]).fetchone()
    if row is None or row[0] != key:
        return False
    found = {r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = ?", [schema]).fetchall()}
    return set(tables) <= found


def forget(con, schema: str, part: str) -> None:
    """Before `part` is rebuilt: a run that dies halfway leaves it unclaimed, not stale."""
    con.execute(f"delete from {_parts_table(con, schema)} where part = ?", [part])


def remember(con, schema: str, part: str, key: str) -> None:
    forget(con, schema, part)
    con.execute(f"insert into {_parts_table(con, schema)} values (?, ?)", [part, key])

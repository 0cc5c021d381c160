"""The API's audit trail: every request, who made it and what it was given.

`HOME/api/audit.sqlite3` (0600), one table `audit`, append-only: triggers refuse UPDATE and
DELETE. SQLite rather than DuckDB because the server writes it while `outreach run` holds
the warehouse, and several server threads append at once (WAL mode, one short transaction a
request). A row holds the consumer's name, never its token, and counts, never a number.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .consumers import api_dir, private_dir

AUDIT_FILE = "audit.sqlite3"

COLUMNS = ("at", "consumer", "method", "endpoint", "list_name", "version", "profile", "format",
           "rows_served", "rows_suppressed_live", "rows_accepted", "status", "duration_ms", "detail")

_SCHEMA = """
create table if not exists audit (
    id integer primary key autoincrement,
    at text not null,                -- UTC, ISO 8601
    consumer text,                   -- null when the token was missing or unknown
    method text not null,
    endpoint text not null,          -- the route's template, e.g. /v1/lists/{name}/contacts
    list_name text,
    version text,
    profile text,
    format text,
    rows_served integer,
    rows_suppressed_live integer,
    rows_accepted integer,           -- push-back records written to the journal
    status integer not null,
    duration_ms real not null,
    detail text                      -- a reason in words (never a value from the request)
);
create trigger if not exists audit_no_update before update on audit
    begin select raise(abort, 'the audit is append-only'); end;
create trigger if not exists audit_no_delete before delete on audit
    begin select raise(abort, 'the audit is append-only'); end;
"""


@dataclass
class AuditRecord:
    method: str
    endpoint: str
    status: int = 0
    consumer: str | None = None
    list_name: str | None = None
    version: str | None = None
    profile: str | None = None
    format: str | None = None
    rows_served: int | None = None
    rows_suppressed_live: int | None = None
    rows_accepted: int | None = None
    duration_ms: float = 0.0
    detail: str | None = None


def audit_path(home: Path) -> Path:
    return api_dir(home) / AUDIT_FILE


class AuditLog:
    def __init__(self, home: Path):
        self.path = audit_path(home)
        private_dir(self.path.parent)
        self._local = threading.local()
        con = self._connection()
        con.executescript(_SCHEMA)
        for candidate in (self.path, self.path.with_name(self.path.name + "-wal"), self.path.with_name(self.path.name + "-shm")):
            if candidate.exists():
                os.chmod(candidate, 0o600)

    def _connection(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            old = os.umask(0o077)
            try:
                con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            finally:
                os.umask(old)
            con.execute("pragma journal_mode=wal")
            con.execute("pragma synchronous=normal")
            self._local.con = con
        return con

    def append(self, record: AuditRecord) -> None:
        at = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        values = [at] + [getattr(record, column) for column in COLUMNS[1:]]
        self._connection().execute(
            f"insert into audit ({', '.join(COLUMNS)}) values ({', '.join('?' for _ in COLUMNS)})", values)


def read_audit(home: Path, consumer: str | None = None, limit: int | None = None) -> list[dict]:
    """Audit rows, oldest first (the last `limit` when given)."""
    path = audit_path(home)
    if not path.is_file():
        return []
    con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=30)
    try:
        where, params = ("where consumer = ?", [consumer]) if consumer else ("", [])
        rows = con.execute(f"select {', '.join(COLUMNS)} from audit {where} order by id", params).fetchall()
    finally:
        con.close()
    if limit is not None:
        rows = rows[-limit:]
    return [dict(zip(COLUMNS, row)) for row in rows]

"""The journal: what the API accepted, one durable CSV file per request, under
`HOME/ledger/journal/<family>/`.

A request's records are written to a hidden temporary file, flushed and fsynced, renamed to
`<UTC %Y%m%dT%H%M%S%fZ>-<8 hex>.csv` and the folder fsynced, all before `append_records`
returns: the API answers 2xx only after that, so an accepted opt-out survives `kill -9` or a
power cut right after the answer. Nothing is shared between writers (each request has its
own file with a name no other writer can pick), so any number of server workers and threads
may write at once without a lock. Files are never changed or deleted: the next run's
`ledger_absorb` copies their rows into the ledger, and live suppression reads them meanwhile.

Folders are 0700, files 0600. Nothing here logs a phone, name or body.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from configuration.permissions import fsync_dir
from expectations.facts import normalize_phone
from .records import FAMILY_COLUMNS, JournalError, check_family, validate_records

JOURNAL_DIR = ("ledger", "journal")
RECEIVED_VIA = "received_via"
SUFFIX = ".csv"


@dataclass(frozen=True)
class Receipt:
    """What was made durable: `file` is `journal/<family>/<name>`, the `_file` the ledger gives its rows."""

    family: str
    file: str
    rows: int
    sha256: str
    received_via: str
    # Lines holding only the numbers of records that could not be accepted (C07).
    unread: int = 0

    @property
    def name(self) -> str:
        """The file's name in its family folder."""
        return self.file.rsplit("/", 1)[1]


def journal_root(home: Path) -> Path:
    return Path(home).joinpath(*JOURNAL_DIR)


def journal_folder(home: Path, family: str) -> Path:
    return journal_root(home) / check_family(family)


def ledger_file_name(family: str, name: str) -> str:
    """The `_file` of a journal file's rows in the ledger (relative, like inbox files)."""
    return f"journal/{family}/{name}"


def is_journal_file(name: str) -> bool:
    # Temporary files are hidden: a listed name is always a complete, renamed file.
    return name.endswith(SUFFIX) and not name.startswith(".")


def private_dir(path: Path) -> None:
    """Create `path` (0700) and any missing parent up to HOME, each made durable in its parent."""
    if path.is_dir():
        return
    if path.parent != path and not path.parent.is_dir():
        private_dir(path.parent)
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        return
    os.chmod(path, 0o700)   # mkdir's mode is masked by the umask
    fsync_dir(path.parent)


def encode_rows(family: str, rows: list[dict], received_via: str, unread: list[tuple[str, ...]] = ()) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*FAMILY_COLUMNS[family], RECEIVED_VIA])
    for row in rows:
        writer.writerow([row.get(column, "") for column in FAMILY_COLUMNS[family]] + [received_via])
    for numbers in unread:
        # One field where the header has several: read back as a line that is not a record,
        # whose numbers suppress (C07) in live suppression and, through the ledger's
        # quarantine, in every run.
        buffer.write(" ".join(numbers) + "\n")
    return buffer.getvalue().encode("utf-8")


def _checked_unread(unread) -> list[tuple[str, ...]]:
    lines = []
    for numbers in unread or ():
        numbers = tuple(numbers)
        if not numbers or any(not isinstance(n, str) or normalize_phone(n) != n for n in numbers):
            raise ValueError("unread lines hold E.164 numbers only, at least one each")
        lines.append(numbers)
    return lines


def _clean_via(received_via: str) -> str:
    text = " ".join(str(received_via or "").split())
    if not text:
        raise ValueError("received_via is required (who sent the records, e.g. 'api:<consumer>')")
    return text[:200]


def append_records(home: Path, family: str, records: list[dict], *, received_via: str,
                   now: datetime | None = None, unread=()) -> Receipt:
    """Validate `records` (records.validate_records) and make them durable as one new journal file,
    with one line per entry of `unread` (records.unread_lines: the E.164 numbers of a record
    that could not be accepted), which every reader takes as an unreadable line (C07).

    All or nothing: raises JournalError (naming record and column, never a value) when any
    record is invalid or there is nothing to write, writing nothing. Returns only after the
    file and its folder entry are fsynced."""
    check_family(family)
    via = _clean_via(received_via)
    now = now or datetime.now(timezone.utc)
    unread = _checked_unread(unread)
    good, errors = validate_records(family, records, now=now)
    if errors:
        raise JournalError(errors)
    if not good and not unread:
        raise JournalError(["expected at least one record"])
    folder = journal_folder(home, family)
    private_dir(folder)
    data = encode_rows(family, good, via, unread)
    name = f"{now.astimezone(timezone.utc):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}{SUFFIX}"
    temporary = folder / f".{name}.partial"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(temporary, folder / name)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_dir(folder)
    return Receipt(family, ledger_file_name(family, name), len(good), hashlib.sha256(data).hexdigest(), via, len(unread))


def list_journal(home: Path, family: str, skip: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Names of the complete journal files of `family` not in `skip`, oldest first (names sort by time)."""
    try:
        # listdir, not scandir: live suppression lists thousands of names on every pull.
        names = os.listdir(journal_folder(home, family))
    except FileNotFoundError:
        return []
    return sorted(name for name in names if name not in skip and is_journal_file(name))


@dataclass(frozen=True)
class JournalFile:
    family: str
    name: str
    sha256: str
    # (line where the record starts, header = line 1; the record by column name)
    rows: tuple[tuple[int, dict], ...]
    # (line, text) of what could not be read as a record of the family: the numbers of a
    # record the API could not accept (append_records `unread`), or a line damaged on disk;
    # such a line still suppresses every number it holds (C07)
    unreadable: tuple[tuple[int, str], ...]


def read_journal_file(home: Path, family: str, name: str) -> JournalFile:
    """One journal file, parsed with Python's csv module; raises OSError when it cannot be read."""
    data = (journal_folder(home, family) / name).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines()
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, unreadable = [], []
    line = 0
    header = None
    try:
        for fields in reader:
            start, line = line + 1, reader.line_num
            if header is None:
                header = [field.strip().lower() for field in fields]
                continue
            if not fields:
                continue
            if len(fields) != len(header) or "phone" not in header:
                unreadable.append((start, "\n".join(lines[start - 1:line])))
                continue
            rows.append((start, dict(zip(header, fields))))
    except csv.Error:
        unreadable += [(number, lines[number - 1]) for number in range(line + 1, len(lines) + 1)]
    return JournalFile(family, name, digest, tuple(rows), tuple(unreadable))

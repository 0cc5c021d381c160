"""What a dialer or texting tool may push back, and how a pushed record is checked.

The three families are CONTRACT section 2's suppression sources, with their columns:

- `opt_outs`: phone, received_at, channel, source, reason
- `inbound_sms`: phone, received_at, body
- `contact_history`: phone, channel, attempted_at, caller_entity, disposition

Checks are conservative in the direction that keeps people from being contacted:

- `phone` is required and must hold one valid NANP number, read by the same normalizer as the
  gate (`expectations.facts.normalize_phone`); it is journaled as E.164. A field holding a
  second number ("9195550123;9195550456", which reads as the first with an extension) is
  refused, and holds both (C07).
- `inbound_sms` needs `body`; `contact_history` needs `channel` and `disposition`.
- The time column (`received_at`, `attempted_at`) defaults to the moment of validation (UTC)
  when missing or blank. A time that is written but cannot be read is kept as written and,
  like every unreadable event time, counts as having happened before any as-of
  (docs/compliance_defaults.md "Events and ties"): refusing it would lose the opt-out.
- An opt-out's blank `channel` means every channel (CONTRACT section 2); any channel suppresses
  every channel anyway (R09).
- Other keys are ignored and never stored (data minimization).
- A record or CSV line that cannot be accepted still suppresses every valid number it holds
  (C07, fail closed): each error carries those numbers in `held` (never in its text), and the
  caller journals them as one unreadable line (store.append_records `unread`), which the
  ledger quarantines and live suppression reads. Only the numbers are kept, as E.164.

Error messages name the record (0-based index) and column and what was expected, never the value.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import datetime, timezone

from expectations.facts import normalize_phone, phones_in_text, unread_numbers_of_field

FAMILY_COLUMNS: dict[str, tuple[str, ...]] = {
    "opt_outs": ("phone", "received_at", "channel", "source", "reason"),
    "inbound_sms": ("phone", "received_at", "body"),
    "contact_history": ("phone", "channel", "attempted_at", "caller_entity", "disposition"),
}
FAMILIES = tuple(FAMILY_COLUMNS)
REQUIRED: dict[str, tuple[str, ...]] = {
    "opt_outs": ("phone",),
    "inbound_sms": ("phone", "body"),
    "contact_history": ("phone", "channel", "disposition"),
}
TIME_COLUMN = {"opt_outs": "received_at", "inbound_sms": "received_at", "contact_history": "attempted_at"}
# Long enough for a concatenated SMS (10 segments) with room to spare; the API limits bodies anyway.
MAX_VALUE_CHARS = 10_000
# A client that sends a thousand bad records learns enough from the first hundred messages.
MAX_ERRORS = 100
# parse_csv_body tags each record with its CSV line, so errors can name it; never journaled.
LINE_KEY = "_line"


class RecordError(str):
    """One error message (a str, safe to show: never a value), with its parts for a JSON answer.

    `index` is the record's 0-based index (None for the body as a whole), `line` the CSV line
    when the records came from parse_csv_body, `column` the column (None for the whole record),
    `held` the valid numbers (E.164) the record or line that was not accepted holds: never
    shown, only journaled so that they are suppressed (C07)."""

    index: int | None
    line: int | None
    column: str | None
    error: str
    held: frozenset[str]

    def __new__(cls, error: str, index: int | None = None, column: str | None = None, line: int | None = None,
                held: frozenset[str] = frozenset()):
        where = []
        if index is not None:
            where.append(f"record {index}" + (f" (line {line})" if line is not None else ""))
        elif line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column}")
        self = super().__new__(cls, (", ".join(where) + ": " if where else "") + error)
        self.index, self.line, self.column, self.error = index, line, column, error
        self.held = frozenset(held)
        return self

    def as_dict(self) -> dict:
        found = {"index": self.index, "line": self.line, "column": self.column, "error": self.error}
        return {key: value for key, value in found.items() if value is not None}


class JournalError(ValueError):
    """Records that cannot be journaled; `errors` name record and column, never a value."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors[:5]) + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""))
        self.errors = list(errors)


def check_family(family: str) -> str:
    if family not in FAMILY_COLUMNS:
        raise ValueError(f"unknown family {family!r}: expected one of {', '.join(FAMILIES)}")
    return family


def utc_now_text(now: datetime | None = None) -> str:
    return (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="microseconds")


def _text(value) -> str | None:
    """A cell as text, or None when it is not something a CSV cell can hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int):      # a phone sent as a JSON number
        return str(value)
    return None


def numbers_held(record) -> frozenset[str]:
    """Every valid number a pushed record holds, in any of its values, however it is spelled or
    typed (a JSON float `9195550123.0`, "919-555-0123 (cell)", a list of strings)."""
    if isinstance(record, Mapping):
        values = [value for value in record.values() if value is not None and not isinstance(value, bool)]
        text = ",".join(value if isinstance(value, str) else json.dumps(value, default=str) for value in values)
    elif isinstance(record, str):
        text = record
    else:
        text = json.dumps(record, default=str)
    return frozenset(phones_in_text(text))


def unread_lines(errors) -> list[tuple[str, ...]]:
    """The numbers each record or line that was not accepted holds, one sorted tuple per record
    or line that holds any: what store.append_records journals as `unread`."""
    held: dict[tuple, set[str]] = {}
    for error in errors:
        numbers = getattr(error, "held", frozenset())
        if numbers:
            held.setdefault((getattr(error, "index", None), getattr(error, "line", None)), set()).update(numbers)
    return [tuple(sorted(numbers)) for numbers in held.values()]


def validate_records(family: str, records, *, now: datetime | None = None) -> tuple[list[dict], list[str]]:
    """(good records, errors). Good records hold exactly the family's columns, as text, with
    the phone in E.164 and a blank time filled with `now` (default: the current UTC time).

    A record with any error is left out of `good`; callers that must be all-or-nothing (the
    API) refuse the request when `errors` is not empty."""
    check_family(family)
    columns = FAMILY_COLUMNS[family]
    required = REQUIRED[family]
    time_column = TIME_COLUMN[family]
    stamp = utc_now_text(now)
    if isinstance(records, Mapping):
        records = [records]
    if not isinstance(records, (list, tuple)):
        return [], [RecordError("expected a list of records (objects with the columns " + ", ".join(columns) + ")")]
    good, errors = [], []
    for index, record in enumerate(records):
        problems = []
        line = record.get(LINE_KEY) if isinstance(record, Mapping) else None
        line = line if isinstance(line, int) and not isinstance(line, bool) else None

        def problem(error: str, column: str | None = None) -> None:
            # Read for numbers only when refused: the matcher is too slow for every record.
            if not problems:
                held.update(numbers_held({key: value for key, value in record.items() if key != LINE_KEY}
                                         if isinstance(record, Mapping) else record))
            problems.append(RecordError(error, index, column, line, frozenset(held)))

        held: set[str] = set()

        if not isinstance(record, Mapping):
            problem(f"expected an object with the columns {', '.join(columns)}")
        else:
            keys = {str(key).strip().lower(): key for key in record}
            row = {}
            for column in columns:
                value = _text(record[keys[column]]) if column in keys else ""
                if value is None:
                    problem("expected text", column)
                    continue
                if "\x00" in value:
                    problem("expected text without NUL characters", column)
                    continue
                if len(value) > MAX_VALUE_CHARS:
                    problem(f"expected at most {MAX_VALUE_CHARS:,} characters", column)
                    continue
                row[column] = value.strip() if column != "body" else value
            if not problems:
                for column in required:
                    if not row[column].strip():
                        problem("required, expected " + ("a phone number" if column == "phone" else "a value"), column)
                if row["phone"].strip():
                    phone = normalize_phone(row["phone"])
                    if phone is None:
                        problem("expected a valid NANP phone number", "phone")
                    elif unread_numbers_of_field(row["phone"]):
                        # "a;b" reads as a with b for an extension: journaling a alone would lose b.
                        problem("expected one phone number, found more than one", "phone")
                    else:
                        row["phone"] = phone
                if not row[time_column].strip():
                    row[time_column] = stamp
        if problems:
            errors += problems
        else:
            good.append(row)
    if len(errors) > MAX_ERRORS:
        # The errors left out still suppress what their records hold.
        cut = frozenset().union(*(error.held for error in errors[MAX_ERRORS:]))
        errors = errors[:MAX_ERRORS] + [RecordError(f"... and {len(errors) - MAX_ERRORS} more errors", held=cut)]
    return good, errors


def parse_csv_body(text: str, family: str) -> tuple[list[dict], list[RecordError]]:
    """(records, errors) of a CSV body whose header row names the family's columns (any order,
    any case; a byte-order mark and CRLF are accepted; other columns are ignored).

    Each record carries its CSV line (header = line 1) under `_line`, which validate_records
    names in its errors and never journals. A header that lacks a required column gives no
    record; a row with more fields than the header, or not readable as CSV, is an error
    naming its line and is left out. Blank lines are skipped. Each error holds the numbers of
    the lines it left unread (`held`)."""
    check_family(family)
    if text.startswith("\ufeff"):
        text = text[1:]
    # The physical lines as the csv reader counts them, for the numbers of lines not read.
    physical = list(io.StringIO(text, newline=""))

    def held(first: int, last: int | None = None) -> frozenset[str]:
        return frozenset(phones_in_text("".join(physical[first - 1:last])))

    reader = csv.reader(io.StringIO(text, newline=""))
    expected = ", ".join(FAMILY_COLUMNS[family])
    try:
        header = next(reader)
    except StopIteration:
        return [], [RecordError(f"expected a header row naming the columns {expected}", line=1)]
    except csv.Error:
        return [], [RecordError("expected a CSV header row", line=1, held=held(1))]
    names = [name.strip().lower() for name in header]
    missing = [column for column in REQUIRED[family] if column not in names]
    if missing:
        # No line can be read as a record; every number in the body still suppresses (a
        # header-less list of numbers, a column named otherwise).
        return [], [RecordError(f"the header lacks the column(s) {', '.join(missing)}; expected {expected}", line=1,
                                held=held(1))]
    records, errors = [], []
    line = reader.line_num
    try:
        for fields in reader:
            start, line = line + 1, reader.line_num
            if not fields or all(not field.strip() for field in fields):
                continue
            if len(fields) > len(names):
                errors.append(RecordError(f"expected at most {len(names)} fields, found {len(fields)}", line=start,
                                          held=held(start, line)))
                continue
            record = {name: value for name, value in zip(names, fields) if name in FAMILY_COLUMNS[family]}
            record[LINE_KEY] = start
            records.append(record)
    except csv.Error:
        errors.append(RecordError("not readable as CSV (an unterminated quote?); this line and the rest were not read",
                                  line=line + 1, held=held(line + 1)))
    return records, errors

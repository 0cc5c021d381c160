"""Mobilize attendances: JSON files, each one API response page `{"data": [...], "next": ...}`.

Pages are small (the API pages 25 to 100 records), so they are flattened in Python. A JSON page
has no lines that matter, so its "line" is one record: `_line` is the record's 1-based
position in the page's `data` array, and a record whose compact JSON is longer than the
policy's `max_line_bytes`, holds a NUL character anywhere, or is not an attendance object
is quarantined whole with that position. A file that is not a JSON page at all (invalid
JSON, nested too deep, another encoding than UTF-8/16/32) is refused naming the file."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa

from .reading import (
    DEFAULT_OPTIONS,
    NUL_BYTE,
    FileLoad,
    InboxFile,
    LayoutError,
    ReadOptions,
    open_inbox_file,
    over_long_reason,
    record_file,
    reset_source,
    source_files,
)

VOLUNTEER_COLUMNS = [
    "attendance_id", "person_id", "given_name", "family_name", "email", "phone", "other_phones", "postal_code",
    "sms_opt_in_status", "event_id", "event_title", "event_type", "timeslot_start", "status", "attended",
    "created_date", "modified_date",
]


def _primary(entries, key: str):
    """The primary entry's value of a Mobilize contact list (emails, phones, addresses)."""
    if not isinstance(entries, list) or not entries:
        return None
    chosen = next((e for e in entries if isinstance(e, dict) and e.get("primary")), entries[0])
    return chosen.get(key) if isinstance(chosen, dict) else None


# Between the numbers of `other_phones`: a line break, which no phone spelling holds.
OTHER_PHONES_SEPARATOR = "\n"


def _others(entries, key: str) -> str | None:
    """Every value of a Mobilize contact list but the primary one's, one a line: a person's
    SMS opt-out is theirs, so it reaches every number they gave (assets and gate read them)."""
    if not isinstance(entries, list) or len(entries) < 2:
        return None
    chosen = next((e for e in entries if isinstance(e, dict) and e.get("primary")), entries[0])
    values = [_text(e.get(key) if isinstance(e, dict) else e) for e in entries if e is not chosen]
    return OTHER_PHONES_SEPARATOR.join(v for v in values if v and v.strip()) or None


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def flatten_attendance(record: dict) -> dict[str, str | None]:
    person = record.get("person") or {}
    event = record.get("event") or {}
    timeslot = record.get("timeslot") or {}
    values = {
        "attendance_id": record.get("id"),
        "person_id": person.get("user_id", person.get("id")),
        "given_name": person.get("given_name"),
        "family_name": person.get("family_name"),
        "email": _primary(person.get("email_addresses"), "address"),
        "phone": _primary(person.get("phone_numbers"), "number"),
        "other_phones": _others(person.get("phone_numbers"), "number"),
        "postal_code": _primary(person.get("postal_addresses"), "postal_code"),
        "sms_opt_in_status": person.get("sms_opt_in_status"),
        "event_id": event.get("id"),
        "event_title": event.get("title"),
        "event_type": event.get("event_type"),
        "timeslot_start": timeslot.get("start_date"),
        "status": record.get("status"),
        "attended": record.get("attended"),
        "created_date": record.get("created_date"),
        "modified_date": record.get("modified_date"),
    }
    return {key: _text(value) for key, value in values.items()}


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _problem(record, text: str, max_line_bytes: int) -> str | None:
    """Why a record of `data` cannot be loaded, or None."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_line_bytes:
        return over_long_reason(size, max_line_bytes)
    # json.dumps writes a NUL as the escape \u0000, so a record without that text holds none; the
    # walk over the record settles the rare one that has it (a literal backslash-u0000 in a value).
    if "\\u0000" in text and _holds_nul(record):
        return NUL_BYTE
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "not valid Unicode: an unpaired surrogate escape (\\ud800-\\udfff)"
    if not (isinstance(record, dict) and record.get("id") is not None and isinstance(record.get("person"), dict)):
        return "attendance without id or person"
    if any(record.get(key) is not None and not isinstance(record.get(key), dict) for key in ("event", "timeslot")):
        return "attendance whose event or timeslot is not an object"
    return None


def load_volunteers(con: duckdb.DuckDBPyConnection, inbox: Path, options: ReadOptions = DEFAULT_OPTIONS) -> list[FileLoad]:
    reset_source(con, "volunteers", {"volunteers": VOLUNTEER_COLUMNS})
    loads = []
    # The pages' rows are written together: one insert per page (a Mobilize export is hundreds of
    # pages of 25 to 100 records) cost more than reading them. A page that cannot be read fails
    # the family, as before.
    rows: list[dict] = []
    quarantined: list[tuple] = []
    for path, rel in source_files(con, inbox, "volunteers"):
        with open_inbox_file(path, rel, options) as file:
            loads.append(_load_page(con, file, options, rows, quarantined))
        if len(rows) >= _BATCH_ROWS:
            _write(con, rows, quarantined)
    _write(con, rows, quarantined)
    return loads


_BATCH_ROWS = 50_000
_SCHEMA = pa.schema([(c, pa.string()) for c in VOLUNTEER_COLUMNS] + [("_file", pa.string()), ("_line", pa.int64())])


def _write(con, rows: list[dict], quarantined: list[tuple]) -> None:
    """Insert the rows and quarantined records gathered so far, in the order read, and empty the lists."""
    if rows:
        con.register("_page", pa.Table.from_pylist(rows, schema=_SCHEMA))
        try:
            con.execute("insert into raw.volunteers select * from _page")
        finally:
            con.unregister("_page")
    if quarantined:
        con.executemany("insert into raw.quarantine values (?, ?, ?, ?, ?)", quarantined)
    rows.clear()
    quarantined.clear()


def _load_page(con, file: InboxFile, options: ReadOptions, rows: list[dict], quarantined: list[tuple]) -> FileLoad:
    rel = file.name
    try:
        page = json.loads(file.path.read_bytes())
    except UnicodeDecodeError as error:
        raise LayoutError(f"{rel}: not a Mobilize response page: not UTF-8 text ({error.reason} at byte {error.start}); "
                          "expected JSON in UTF-8, UTF-16 or UTF-32.") from None
    except json.JSONDecodeError as error:
        raise LayoutError(f"{rel}: not a Mobilize response page: invalid JSON ({error.msg} at line {error.lineno}, "
                          f"column {error.colno}).") from None
    except RecursionError:
        raise LayoutError(f"{rel}: not a Mobilize response page: JSON nested too deep.") from None
    except ValueError as error:  # a number too long to convert, among others
        raise LayoutError(f"{rel}: not a Mobilize response page: invalid JSON ({str(error).split(':')[0]}).") from None
    if not isinstance(page, dict) or not isinstance(page.get("data"), list):
        raise LayoutError(f'{rel}: not a Mobilize response page. Expected a JSON object {{"data": [...], "next": ...}}.')
    loaded = skipped = 0
    for position, record in enumerate(page["data"], start=1):
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        problem = _problem(record, text, options.max_line_bytes)
        if problem is None:
            rows.append({**flatten_attendance(record), "_file": rel, "_line": position})
            loaded += 1
        else:
            skipped += 1
            # The record as read, NUL characters (and unpaired surrogates) kept as JSON escapes.
            if "surrogate" in problem:
                text = json.dumps(record, separators=(",", ":"))
            quarantined.append(("volunteers", rel, position, problem, text))
    return record_file(con, FileLoad("volunteers", rel, file.converted_from or "utf-8", "mobilize_attendances",
                                     loaded + skipped, loaded, skipped))

"""Mobilize attendances: JSON files, each one API response page `{"data": [...], "next": ...}`.

Pages are small (the API pages 25 to 100 records), so they are flattened in Python; `_line`
is the record's 1-based position in the page's `data` array."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa

from .reading import FileLoad, LayoutError, record_file, reset_source, source_files

VOLUNTEER_COLUMNS = [
    "attendance_id", "person_id", "given_name", "family_name", "email", "phone", "postal_code",
    "sms_opt_in_status", "event_id", "event_title", "event_type", "timeslot_start", "status", "attended",
    "created_date", "modified_date",
]


def _primary(entries, key: str):
    """The primary entry's value of a Mobilize contact list (emails, phones, addresses)."""
    if not isinstance(entries, list) or not entries:
        return None
    chosen = next((e for e in entries if isinstance(e, dict) and e.get("primary")), entries[0])
    return chosen.get(key) if isinstance(chosen, dict) else None


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


def load_volunteers(con: duckdb.DuckDBPyConnection, inbox: Path) -> list[FileLoad]:
    reset_source(con, "volunteers", {"volunteers": VOLUNTEER_COLUMNS})
    loads = []
    for path, rel in source_files(con, inbox, "volunteers"):
        try:
            page = json.loads(path.read_bytes())
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise LayoutError(f"{rel}: not a Mobilize response page: invalid JSON ({error.msg if hasattr(error, 'msg') else error.reason}).") from None
        if not isinstance(page, dict) or not isinstance(page.get("data"), list):
            raise LayoutError(f'{rel}: not a Mobilize response page. Expected a JSON object {{"data": [...], "next": ...}}.')
        rows, quarantined = [], []
        for position, record in enumerate(page["data"], start=1):
            if isinstance(record, dict) and record.get("id") is not None and isinstance(record.get("person"), dict):
                rows.append({**flatten_attendance(record), "_file": rel, "_line": position})
            else:
                quarantined.append(("volunteers", rel, position, "attendance without id or person", json.dumps(record)[:2000]))
        if rows:
            table = pa.Table.from_pylist(rows, schema=pa.schema([(c, pa.string()) for c in VOLUNTEER_COLUMNS] + [("_file", pa.string()), ("_line", pa.int64())]))
            con.register("_page", table)
            con.execute("insert into raw.volunteers select * from _page")
            con.unregister("_page")
        if quarantined:
            con.executemany("insert into raw.quarantine values (?, ?, ?, ?, ?)", quarantined)
        loads.append(record_file(con, FileLoad("volunteers", rel, "utf-8", "mobilize_attendances",
                                               len(rows) + len(quarantined), len(rows), len(quarantined))))
    return loads

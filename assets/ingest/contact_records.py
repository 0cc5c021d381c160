"""The small comma CSV sources of CONTRACT section 2: opt-outs, inbound SMS, consents,
line types, RND answers, contact history and surveys.

Columns are matched by header name (case-insensitive, surrounding whitespace ignored; extra
columns are dropped, absent optional ones stay NULL). Files are read line by line
(`load_csv_lines`): a record never spans lines, so a bad line costs that line alone."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from .reading import FileLoad, LayoutError, csv_header, detect_text_encoding, load_csv_lines, reset_source, source_files


@dataclass(frozen=True)
class CsvSource:
    folder: str
    table: str
    columns: list[str]
    required: list[str]


CONTACT_RECORD_SOURCES = [
    CsvSource("opt_outs", "opt_outs", ["phone", "received_at", "channel", "source", "reason"], ["phone", "received_at"]),
    CsvSource("inbound_sms", "inbound_sms", ["phone", "received_at", "body"], ["phone", "received_at", "body"]),
    CsvSource(
        "consents",
        "consents",
        ["phone", "caller_entity", "scope", "consented_at", "method", "source", "disclosure_version", "revoked_at"],
        ["phone", "caller_entity", "scope", "consented_at", "revoked_at"],
    ),
    CsvSource("line_types", "line_types", ["phone", "line_type", "checked_at", "source"], ["phone", "line_type", "checked_at"]),
    CsvSource("rnd", "rnd", ["phone", "consent_date", "result", "queried_at"], ["phone", "consent_date", "result", "queried_at"]),
    CsvSource(
        "contact_history",
        "contact_history",
        ["phone", "channel", "attempted_at", "caller_entity", "disposition"],
        ["phone", "channel", "attempted_at", "disposition"],
    ),
    CsvSource("surveys", "surveys", ["ncid", "phone", "question", "response", "collected_at"], ["question", "response", "collected_at"]),
]


def header_name(name: str) -> str:
    return name.strip().lower()


def load_csv_source(con: duckdb.DuckDBPyConnection, inbox: Path, spec: CsvSource) -> list[FileLoad]:
    reset_source(con, spec.folder, {spec.table: spec.columns})
    loads = []
    for path, rel in source_files(con, inbox, spec.folder):
        encoding = detect_text_encoding(path)
        header = csv_header(path, encoding, rel)
        names = [header_name(name) for name in header]
        missing = [name for name in spec.required if name not in names]
        if spec.folder == "surveys" and not {"ncid", "phone"} & set(names):
            missing.append("ncid or phone")
        if missing:
            raise LayoutError(
                f"{rel}: not a {spec.folder} CSV. Expected a comma-separated header naming "
                f"{', '.join(spec.columns)}; missing {', '.join(missing)}."
            )
        repeated = sorted({name for name in names if name in spec.columns and names.count(name) > 1})
        if repeated:
            raise LayoutError(f"{rel}: the header names {', '.join(repeated)} more than once; which one to read is unclear.")
        targets = [(name, index) for index, name in enumerate(names) if name in spec.columns]
        loads.append(load_csv_lines(con, source=spec.folder, table=spec.table, path=path, rel_path=rel,
                                    encoding=encoding, layout=f"{spec.folder}_csv", field_count=len(header),
                                    targets=targets))
    return loads

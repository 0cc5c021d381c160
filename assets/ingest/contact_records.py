"""The small comma CSV sources of CONTRACT section 2: opt-outs, inbound SMS, consents,
line types, RND answers, contact history and surveys. Columns are matched by name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from .inbox import folder_files
from .reading import FileLoad, LayoutError, csv_header, detect_encoding, load_csv_file, reset_source


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


def load_csv_source(con: duckdb.DuckDBPyConnection, inbox: Path, spec: CsvSource) -> list[FileLoad]:
    reset_source(con, spec.folder, {spec.table: spec.columns})
    loads = []
    for path, rel in folder_files(inbox, spec.folder):
        encoding = detect_encoding(con, path)
        header = [name.strip().lower() for name in csv_header(path, encoding)]
        missing = [name for name in spec.required if name not in header]
        if spec.folder == "surveys" and not {"ncid", "phone"} & set(header):
            missing.append("ncid or phone")
        if missing:
            raise LayoutError(
                f"{rel}: not a {spec.folder} CSV. Expected a comma-separated header naming "
                f"{', '.join(spec.columns)}; missing {', '.join(missing)}."
            )
        raw_header = csv_header(path, encoding)
        column_map = {original: original.strip().lower() for original in raw_header if original.strip().lower() in spec.columns}
        loads.append(load_csv_file(con, source=spec.folder, table=spec.table, path=path, rel_path=rel,
                                   encoding=encoding, layout=f"{spec.folder}_csv", header=raw_header,
                                   column_map=column_map))
    return loads

"""ActBlue contribution exports (dashboard export and CSV API): matched by header name.

The header repeats `Reserved` and grows over time, so columns are taken by name, extras are
tolerated, and `Reserved` columns are dropped. Header names match after snake casing (so case
and surrounding spaces do not matter). Files are read by `load_csv_lines`, like the other
comma CSV sources, except that a quoted field may hold a line break (comments do): such a
record is taken when its lines parse together with the header's field count, and an
unterminated quote still costs its own line only, never the lines after it."""

from __future__ import annotations

from pathlib import Path

import duckdb

from .reading import (
    DEFAULT_OPTIONS,
    FileLoad,
    InboxFile,
    LayoutError,
    ReadOptions,
    csv_header,
    detect_text_encoding,
    load_csv_lines,
    open_inbox_file,
    reset_source,
    snake_case,
    source_files,
)

DONATION_COLUMNS = [
    "receipt_id", "date", "amount", "recurring_total_months", "recurrence_number", "recipient",
    "fundraising_page", "reference_code", "donor_first_name", "donor_last_name", "donor_addr1",
    "donor_addr2", "donor_city", "donor_state", "donor_zip", "donor_country", "donor_occupation",
    "donor_employer", "donor_email", "donor_phone", "donor_id", "recipient_committee", "recipient_id",
    "recipient_election", "payment_id", "payment_date", "refund_id", "refund_date", "fee", "mobile",
    "text_message_opt_in", "recurring_type", "kind", "actblue_express_lane",
]
DONATION_REQUIRED = ["Receipt ID", "Date", "Amount", "Donor First Name", "Donor Last Name", "Donor Phone"]


def load_donations(con: duckdb.DuckDBPyConnection, inbox: Path, options: ReadOptions = DEFAULT_OPTIONS) -> list[FileLoad]:
    reset_source(con, "donations", {"donations": DONATION_COLUMNS})
    loads = []
    for path, rel in source_files(con, inbox, "donations"):
        with open_inbox_file(path, rel, options) as file:
            loads.append(_load_donation_file(con, file, options))
    return loads


def _load_donation_file(con, file: InboxFile, options: ReadOptions) -> FileLoad:
    rel = file.name
    encoding = detect_text_encoding(file.path)
    header = csv_header(file.path, encoding, rel, options.max_line_bytes)
    names = [snake_case(name) for name in header]
    missing = [name for name in DONATION_REQUIRED if snake_case(name) not in names]
    if missing:
        raise LayoutError(
            f"{rel}: not an ActBlue contributions CSV. Expected a comma-separated header naming "
            f"{', '.join(DONATION_REQUIRED)}; missing {', '.join(missing)}."
        )
    repeated = sorted({name for name in names if name in DONATION_COLUMNS and names.count(name) > 1})
    if repeated:
        raise LayoutError(f"{rel}: the header names {', '.join(repeated)} more than once; which one to read is unclear.")
    targets = [(name, index) for index, name in enumerate(names) if name in DONATION_COLUMNS]
    layout = "actblue_" + ("current" if "managed_entity_name" in names else "older")
    return load_csv_lines(con, source="donations", table="donations", path=file.path, rel_path=rel,
                          encoding=encoding, layout=layout, field_count=len(header), targets=targets,
                          quoted_line_breaks=True, max_line_bytes=options.max_line_bytes,
                          recorded_encoding=file.encoding_label(encoding))

"""ActBlue contribution exports (dashboard export and CSV API): matched by header name.

The header repeats `Reserved` and grows over time, so columns are taken by name, extras are
tolerated, and `Reserved` columns are dropped."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from .inbox import folder_files
from .reading import FileLoad, LayoutError, csv_header, detect_encoding, load_csv_file, reset_source

DONATION_COLUMNS = [
    "receipt_id", "date", "amount", "recurring_total_months", "recurrence_number", "recipient",
    "fundraising_page", "reference_code", "donor_first_name", "donor_last_name", "donor_addr1",
    "donor_addr2", "donor_city", "donor_state", "donor_zip", "donor_country", "donor_occupation",
    "donor_employer", "donor_email", "donor_phone", "donor_id", "recipient_committee", "recipient_id",
    "recipient_election", "payment_id", "payment_date", "refund_id", "refund_date", "fee", "mobile",
    "text_message_opt_in", "recurring_type", "kind", "actblue_express_lane",
]
DONATION_REQUIRED = ["Receipt ID", "Date", "Amount", "Donor First Name", "Donor Last Name", "Donor Phone"]


def snake_case(header_name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header_name.strip().lower()).strip("_")


def load_donations(con: duckdb.DuckDBPyConnection, inbox: Path) -> list[FileLoad]:
    reset_source(con, "donations", {"donations": DONATION_COLUMNS})
    loads = []
    for path, rel in folder_files(inbox, "donations"):
        encoding = detect_encoding(con, path)
        header = csv_header(path, encoding)
        missing = [name for name in DONATION_REQUIRED if name not in header]
        if missing:
            raise LayoutError(
                f"{rel}: not an ActBlue contributions CSV. Expected a comma-separated header naming "
                f"{', '.join(DONATION_REQUIRED)}; missing {', '.join(missing)}."
            )
        column_map = {name: snake_case(name) for name in header if snake_case(name) in DONATION_COLUMNS}
        layout = "actblue_" + ("current" if "Managed Entity Name" in header else "older")
        loads.append(load_csv_file(con, source="donations", table="donations", path=path, rel_path=rel,
                                   encoding=encoding, layout=layout, header=header, column_map=column_map))
    return loads

"""Push-back and live suppression (issue 10): what dialers and texting tools send back is
journaled durably (store.py), absorbed into the ledger by the next run (absorb.py), and
removed from every pull meanwhile (live.py). No HTTP here; the API (`api/`) calls these."""

from .live import (
    LiveSuppression,
    LiveSuppressionError,
    apply_suppression,
    classify_like_dbt,
    live_suppression,
    numbers,
    snapshot_path,
)
from .records import (FAMILIES, FAMILY_COLUMNS, JournalError, RecordError, numbers_held, parse_csv_body, unread_lines,
                      validate_records)
from .store import Receipt, append_records, journal_folder, list_journal, read_journal_file
from .twilio import twilio_signature, valid_twilio_signature

__all__ = [
    "FAMILIES", "FAMILY_COLUMNS", "JournalError", "LiveSuppression", "RecordError", "LiveSuppressionError", "Receipt",
    "append_records", "apply_suppression", "classify_like_dbt", "journal_folder", "list_journal", "live_suppression",
    "numbers", "numbers_held", "parse_csv_body", "read_journal_file", "snapshot_path", "twilio_signature",
    "unread_lines", "valid_twilio_signature", "validate_records",
]

"""The durable suppression and consent ledger (HOME/ledger/ledger.duckdb); see store.py."""

from .store import (
    LedgerError,
    absorb_family,
    copy_to_warehouse,
    export_ledger,
    ledger_counts,
    ledger_path,
    record_erasure,
    snapshot_folder,
)
from .tables import LEDGER_FAMILIES, LEDGER_TABLE_NAMES, LEDGER_TABLES, tables_for_family

__all__ = [
    "LEDGER_FAMILIES", "LEDGER_TABLES", "LEDGER_TABLE_NAMES", "LedgerError", "absorb_family", "copy_to_warehouse",
    "export_ledger", "ledger_counts", "ledger_path", "record_erasure", "snapshot_folder", "tables_for_family",
]

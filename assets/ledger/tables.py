"""The ledger's tables: which raw table feeds each, from which source family, with which columns.

Every column is text except `_line` (bigint), as in the `raw` tables; the ledger adds
`_sha256` (of the source file's bytes) and `_first_seen_at` (when the row was first absorbed).
The column lists are CONTRACT section 2's; a column a raw table gains later is added to its
ledger table (as text) the next time the table is absorbed.
"""

from __future__ import annotations

from dataclasses import dataclass

LEDGER_COLUMNS = ("_sha256", "_first_seen_at")
# The families whose unreadable lines can hide an opt-out, a revocation, a newer line-type
# answer or a reassignment (C07): kept forever, like the lines read. dnc/ is not here: a do-not-call snapshot is
# replaced by the next one, and its unreadable lines count while their file is in the inbox.
QUARANTINE_FAMILIES = ("opt_outs", "inbound_sms", "contact_history", "volunteers", "consents", "line_types", "rnd")


@dataclass(frozen=True)
class LedgerTable:
    name: str
    raw_table: str
    # The raw columns the ledger keeps, in order (`_file` and `_line` included).
    columns: tuple[str, ...]
    # The families whose ingest feeds this table.
    families: tuple[str, ...]
    # A constant SQL condition over the raw row `r` (never built from outside text).
    row_filter: str = "true"
    # Raw columns the table also takes on when the raw table grows.
    follows_raw: bool = True
    # Rows are identified by these ledger columns (plus the table).
    key: tuple[str, ...] = ("_sha256", "_line")
    # Columns that older code did not keep: a row the ledger already holds takes the value read
    # again from the same file version and line while it has none.
    filled_in: tuple[str, ...] = ()
    description: str = ""

    @property
    def all_columns(self) -> tuple[str, ...]:
        return self.columns + LEDGER_COLUMNS


def _csv(name: str, columns: tuple[str, ...], description: str) -> LedgerTable:
    return LedgerTable(name, name, columns + ("_file", "_line"), (name,), description=description)


LEDGER_TABLES: tuple[LedgerTable, ...] = (
    _csv("opt_outs", ("phone", "received_at", "channel", "source", "reason"),
         "Every opt-out line ever read from opt_outs/."),
    # is_from_contact is set only by a Spoke message export; staging drops its outbound rows.
    _csv("inbound_sms", ("phone", "received_at", "body", "is_from_contact"),
         "Every inbound SMS reply ever read from inbound_sms/ (and the outbound messages of a texting "
         "tool's message export, marked by is_from_contact)."),
    _csv("contact_history", ("phone", "channel", "attempted_at", "caller_entity", "disposition"),
         "Every dialer and texting disposition ever read from contact_history/."),
    _csv("consents", ("phone", "caller_entity", "scope", "consented_at", "method", "source", "disclosure_version", "revoked_at"),
         "Every consent record ever read from consents/."),
    _csv("rnd", ("phone", "consent_date", "result", "queried_at"),
         "Every Reassigned Numbers Database answer ever read from rnd/."),
    _csv("line_types", ("phone", "line_type", "checked_at", "source"),
         "Every line-type answer ever read from line_types/."),
    LedgerTable(
        "quarantine", "quarantine", ("source", "_file", "_line", "reason", "raw_line"), QUARANTINE_FAMILIES,
        row_filter="r.source = $family", follows_raw=False, key=("source", "_sha256", "_line"),
        description="Every unparseable line ever read from opt_outs/, inbound_sms/, contact_history/, "
                    "volunteers/, consents/, line_types/ or rnd/ (C07).",
    ),
    LedgerTable(
        "volunteer_sms", "volunteers",
        ("phone", "other_phones", "sms_opt_in_status", "modified_date", "person_id", "_file", "_line"),
        ("volunteers",), row_filter="nullif(trim(r.sms_opt_in_status), '') is not null", follows_raw=False,
        filled_in=("other_phones",),
        description="Every Mobilize attendance with an SMS opt-in status ever read from volunteers/ "
                    "(other_phones: the person's numbers but the primary one, one a line).",
    ),
    # Only the answers that may be a disposition (a superset of the words the rules read,
    # docs/compliance_defaults.md; any text outside printable ASCII too): segments read the
    # rest from the inbox, and a survey file holds millions of answers.
    LedgerTable(
        "survey_answers", "surveys", ("ncid", "phone", "question", "response", "collected_at", "_file", "_line"),
        ("surveys",),
        row_filter="regexp_matches(lower(r.response), 'wrong|wn|person|do|dnc|opt|unsub|stop|remov|take|[^ -~]')",
        follows_raw=False,
        description="Every survey or ID answer ever read from surveys/ that may ask not to be contacted or "
                    "name a wrong number.",
    ),
    LedgerTable(
        "donor_sms", "donations", ("donor_phone", "date", "text_message_opt_in", "receipt_id", "_file", "_line"),
        ("donations",), row_filter="nullif(trim(r.text_message_opt_in), '') is not null", follows_raw=False,
        description="Every ActBlue contribution with a Text Message Opt In value ever read from donations/.",
    ),
    # Written by `outreach forget` only (assets/retention), never absorbed from the inbox. The
    # number is kept in full: it must match the number however a later file spells it, and a
    # salted hash of a ten-digit number is reversed by trying every number (docs/security.md).
    LedgerTable(
        "erasures", "", ("phone_e164",), (), follows_raw=False, key=("phone_e164",),
        description="Every number whose person asked to be forgotten (outreach forget): suppressed on every "
                    "channel forever (C08), its personal data removed from the warehouse and published history.",
    ),
)

LEDGER_TABLE_NAMES = tuple(table.name for table in LEDGER_TABLES)
LEDGER_FAMILIES = tuple(dict.fromkeys(family for table in LEDGER_TABLES for family in table.families))


def tables_for_family(family: str) -> tuple[LedgerTable, ...]:
    return tuple(table for table in LEDGER_TABLES if family in table.families)


def column_type(column: str) -> str:
    if column == "_line":
        return "bigint"
    if column == "_first_seen_at":
        return "timestamptz"
    return "varchar"

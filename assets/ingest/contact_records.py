"""The small comma CSV sources of CONTRACT section 2: opt-outs, inbound SMS, consents,
line types, RND answers, contact history and surveys.

Columns are matched by header name (case-insensitive, surrounding whitespace ignored; extra
columns are dropped, absent optional ones stay NULL). Files are read line by line
(`load_csv_lines`): a record never spans lines, so a bad line costs that line alone.

`opt_outs/` and `inbound_sms/` also take texting tools' own exports as they come out of the
tool (`NATIVE_LAYOUTS`): a file whose header lacks the contract columns is recognised by
its header and its columns mapped onto the contract's. Their rows land in the same raw
tables, so the ledger, dbt staging and the gate read them like any contract row.

A file whose layout cannot be read fails its family, naming it; the other files are still
checked, so one run names every such file (`FilesNotRead`). Every line of an `opt_outs/`
file whose layout is not read is quarantined first: each line there is an opt-out, so the
ledger keeps the numbers it holds (C07) even after the file leaves the inbox. Other
families' lines mean something only once read (a reply, a consent), so theirs are not."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ..sql_text import ident
from .reading import (
    DEFAULT_OPTIONS,
    FileLoad,
    FilesNotRead,
    InboxFile,
    LayoutError,
    ReadOptions,
    csv_header,
    detect_text_encoding,
    load_csv_lines,
    open_inbox_file,
    quarantine_whole_file,
    reset_source,
    snake_case,
    source_files,
)

# Families every line of which suppresses its numbers, read or not: a file of theirs whose
# layout cannot be read still has each line quarantined (C07).
EVERY_LINE_SUPPRESSES = frozenset({"opt_outs"})


@dataclass(frozen=True)
class CsvSource:
    folder: str
    table: str
    columns: list[str]
    required: list[str]
    # Raw columns only a native layout fills; a contract file's header never reaches them.
    native_columns: tuple[str, ...] = ()

    @property
    def table_columns(self) -> list[str]:
        return [*self.columns, *self.native_columns]


@dataclass(frozen=True)
class NativeLayout:
    """A texting tool's own export, recognised by its header and mapped to contract columns.

    Header names are compared as `native_key` (lower case, letters and digits only), so the
    export's camelCase (`contactNumber`) and the database column it comes from
    (`contact_number`) are one name.
    """

    name: str  # recorded as the file's layout in raw.ingest_files
    folder: str
    source: str  # where the header comes from (named in errors and docs)
    # Every one of these names must be in the header.
    recognised_by: tuple[str, ...]
    # raw column -> header names it is read from, the first present wins.
    columns: dict[str, tuple[str, ...]]
    # Raw columns of which one of the names must be present.
    required: tuple[str, ...] = ()
    constants: dict[str, str] = field(default_factory=dict)


def native_key(name: str) -> str:
    return "".join(char for char in name.lower() if char.isalnum())


NATIVE_LAYOUTS = (
    # Spoke's campaign message export, one row per message sent or received
    # (StateVoicesNational/Spoke src/workers/jobs.js exportCampaign; politics-rewired/Spoke
    # src/server/tasks/export-campaign.ts processMessagesChunk), and the `message` table it is
    # built from. attemptedAt is the message's created_at.
    NativeLayout(
        "spoke_messages_csv", "inbound_sms", "Spoke message export",
        recognised_by=("contactnumber", "isfromcontact", "text"),
        columns={"phone": ("contactnumber",), "received_at": ("attemptedat", "createdat"), "body": ("text",),
                 "is_from_contact": ("isfromcontact",)},
        required=("received_at",),
    ),
    # Spoke's opt-outs: the `opt_out` table (id, cell, assignment_id, organization_id,
    # reason_code, created_at; StateVoicesNational/Spoke) and Spoke Rewired's opt-out export
    # (cell, first_name, last_name, external_id, campaign_name, organization_name;
    # politics-rewired/Spoke src/server/tasks/export-opt-outs.ts), which carries no time.
    NativeLayout(
        "spoke_opt_outs_csv", "opt_outs", "Spoke opt-out export",
        recognised_by=("cell",),
        columns={"phone": ("cell",), "received_at": ("createdat",), "reason": ("reasoncode",)},
        constants={"source": "spoke"},
    ),
    # ThruText's account-level opt-out export (help.getthru.io, "Overview Of Account-Level
    # ThruText Exports"): contact_phone and its timestamp (UTC); other columns are dropped.
    NativeLayout(
        "thrutext_opt_outs_csv", "opt_outs", "ThruText opt-out export",
        recognised_by=("contactphone",),
        columns={"phone": ("contactphone",), "received_at": ("timestamp",)},
        constants={"source": "thrutext"},
    ),
)


CONTACT_RECORD_SOURCES = [
    CsvSource("opt_outs", "opt_outs", ["phone", "received_at", "channel", "source", "reason"], ["phone", "received_at"]),
    # is_from_contact: as read from a Spoke message export; staging and the gate drop the
    # campaign's own outbound messages by it (a contract file leaves it NULL: every row a reply).
    CsvSource("inbound_sms", "inbound_sms", ["phone", "received_at", "body"], ["phone", "received_at", "body"],
              native_columns=("is_from_contact",)),
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
    """A contract header name as people export it: `Received At`, `PHONE`, `Phone #` read as
    `received_at`, `phone`, `phone`."""
    return snake_case(name)


def load_csv_source(con: duckdb.DuckDBPyConnection, inbox: Path, spec: CsvSource,
                    options: ReadOptions = DEFAULT_OPTIONS) -> list[FileLoad]:
    reset_source(con, spec.folder, {spec.table: spec.table_columns})
    loads, errors = [], []
    for path, rel in source_files(con, inbox, spec.folder):
        try:
            with open_inbox_file(path, rel, options) as file:
                try:
                    loads.append(_load_csv_file(con, file, spec, options))
                except LayoutError as error:
                    errors.append((file.name, str(error)))
                    if spec.folder in EVERY_LINE_SUPPRESSES:
                        loads.append(quarantine_whole_file(con, spec.folder, file, f"the file's layout is not read: {error}"))
        except LayoutError as error:  # an archive or encoding that cannot be opened: no line to keep
            errors.append((rel, str(error)))
    if errors:
        raise FilesNotRead(errors)
    return loads


def _load_csv_file(con, file: InboxFile, spec: CsvSource, options: ReadOptions) -> FileLoad:
    rel = file.name
    encoding = detect_text_encoding(file.path)
    header = csv_header(file.path, encoding, rel, options.max_line_bytes)
    names = [header_name(name) for name in header]
    missing = [name for name in spec.required if name not in names]
    if spec.folder == "surveys" and not {"ncid", "phone"} & set(names):
        missing.append("ncid or phone")
    constants: dict[str, str] = {}
    layout = f"{spec.folder}_csv"
    if missing:
        native = _native_layout(rel, spec, header)
        if native is None:
            raise LayoutError(
                f"{rel}: not a {spec.folder} CSV. Expected a comma-separated header naming "
                f"{', '.join(spec.columns)}; missing {', '.join(missing)}.{_native_hint(spec.folder)}"
            )
        targets, constants, layout = _native_targets(rel, native, header), native.constants, native.name
    else:
        repeated = sorted({name for name in names if name in spec.columns and names.count(name) > 1})
        if repeated:
            raise LayoutError(f"{rel}: the header names {', '.join(repeated)} more than once; which one to read is unclear.")
        targets = [(name, index) for index, name in enumerate(names) if name in spec.columns]
    load = load_csv_lines(con, source=spec.folder, table=spec.table, path=file.path, rel_path=rel,
                          encoding=encoding, layout=layout, field_count=len(header), targets=targets,
                          constants=constants, max_line_bytes=options.max_line_bytes,
                          recorded_encoding=file.encoding_label(encoding))
    if any(name == "phone" for name, _ in targets):
        _refuse_lost_digits(con, spec, rel)
    return load


def _refuse_lost_digits(con, spec: CsvSource, rel: str) -> None:
    """Refuse a file whose phone column a spreadsheet wrote in scientific notation with fewer
    digits than the number has (`9.19555E+09`): the numbers are lost, and with them the
    opt-outs, replies, revocations or answers of their lines, so the family fails naming the
    file and its first such line (an opt_outs/ file then has every line quarantined: C07 keeps
    the numbers its other lines hold). Its rows and records are taken back first. One that
    writes every digit (`9.195550123E+09`) is read from the text (C07)."""
    # A number in scientific notation (a digit, maybe a decimal point and more digits, an
    # exponent of at least 6) with fewer digits than the exponent says the number has.
    line = con.execute(
        f"""select min(_line) from (
               select _line, trim(phone) as text from raw.{ident(spec.table)}
               where _file = ? and (contains(phone, 'E') or contains(phone, 'e'))
           ) as scientific
           where regexp_full_match(text, '^[0-9](\\.[0-9]*)?[eE]\\+?[0-9]{{1,2}}$')
             and cast(regexp_extract(text, '[eE]\\+?([0-9]+)$', 1) as integer) >= 6
             and length(regexp_replace(regexp_extract(text, '^[0-9.]*', 0), '[^0-9]', '', 'g'))
                 < cast(regexp_extract(text, '[eE]\\+?([0-9]+)$', 1) as integer) + 1""",
        [rel]).fetchone()[0]
    if line is None:
        return
    con.execute(f"delete from raw.{ident(spec.table)} where _file = ?", [rel])
    con.execute("delete from raw.quarantine where source = ? and _file = ?", [spec.folder, rel])
    con.execute("delete from raw.ingest_files where source = ? and _file = ?", [spec.folder, rel])
    raise LayoutError(
        f"{rel}: line {line}: a phone in scientific notation that lost digits (a spreadsheet's number column, "
        f"like 1.23457E+09), so the numbers of this file cannot be read. Expected every phone as text: format the "
        f"column as text in the spreadsheet, export again and replace the file.")


def _native_layout(rel: str, spec: CsvSource, header: list[str]) -> NativeLayout | None:
    keys = {native_key(name) for name in header}
    matches = [layout for layout in NATIVE_LAYOUTS
               if layout.folder == spec.folder and set(layout.recognised_by) <= keys]
    if len(matches) > 1:
        raise LayoutError(f"{rel}: the header fits both the {matches[0].source} and the {matches[1].source}; "
                          "which one it is is unclear.")
    return matches[0] if matches else None


def _native_targets(rel: str, layout: NativeLayout, header: list[str]) -> list[tuple[str, int]]:
    keys = [native_key(name) for name in header]
    targets = []
    for column, candidates in layout.columns.items():
        present = [name for name in candidates if name in keys]
        if not present:
            if column in layout.required:
                raise LayoutError(f"{rel}: a {layout.source} without a time column; expected one of "
                                  f"{', '.join(candidates)}.")
            continue
        if keys.count(present[0]) > 1:
            raise LayoutError(f"{rel}: the header names {present[0]} more than once; which one to read is unclear.")
        targets.append((column, keys.index(present[0])))
    return targets


def _native_hint(folder: str) -> str:
    sources = [layout for layout in NATIVE_LAYOUTS if layout.folder == folder]
    if not sources:
        return ""
    return " Also read: " + "; ".join(
        f"a {layout.source} (header with {', '.join(layout.recognised_by)})" for layout in sources) + "."

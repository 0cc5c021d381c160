"""Removing a forgotten person's rows from the warehouse (`outreach forget`, and after every
dbt build through the `erasure_sweep` asset, so an inbox that still holds the person never
brings them back).

Who the person is: every record holding one of the erased numbers, and the voter records of
those voters (their vote history, survey answers and other rows under the same voter key or
contact id). What happens to their rows:

- `raw.*` source rows (voters, vote history, donations, volunteers, surveys) keep only their
  `_file` and `_line`: every other value is set to NULL (for a Mobilize person, every row of
  theirs, and every row naming the number among their other numbers), so `raw.ingest_files` still
  reconciles rows read = loaded + quarantined. A quarantined line whose digits hold the
  number loses its text.
- Model tables in `main` and `lists` lose the rows keyed to the person (phone, contact id,
  voter key), except the decisions (`main.list_decisions`, `lists.*__decisions`): their rows
  are the evidence that the number was excluded (C08) and keep it, without the name.
- The suppression sources (`raw.opt_outs`, `inbound_sms`, `consents`, ...) and the `ledger`
  and `gate` schemas are left alone: they hold the number's suppression, which erasure keeps.

Everything is set-based SQL over small key tables; the numbers reach SQL as a registered
Arrow table, never as text in a statement. Table and column names come from the catalog and
go through `ident`.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from ..ingest.unchanged import forget_all_fingerprints
from ..ledger.store import ident, transaction

# (staging view, raw table, the view's columns that identify the person)
_RAW_SOURCES = (
    ("stg_nc_voters", "nc_voters", ("phone_e164", "voter_key")),
    ("stg_fl_voters", "fl_voters", ("phone_e164", "voter_key")),
    ("stg_vote_history", "nc_vote_history", ("voter_key",)),
    ("stg_vote_history", "fl_vote_history", ("voter_key",)),
    ("stg_donations", "donations", ("phone_e164",)),
    ("stg_volunteers", "volunteers", ("phone_e164",)),
    ("stg_surveys", "surveys", ("phone_e164", "voter_key")),
)

# Key columns of model tables, by the set they are matched against.
_PHONE_COLUMNS = ("phone_e164",)
_CONTACT_COLUMNS = ("contact_id", "person_id")
_VOTER_COLUMNS = ("voter_key", "matched_voter_key")
_NAME_COLUMNS = ("first_name", "last_name")
_MODEL_SCHEMAS = ("main", "lists")


def _relations(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], tuple[str, set[str]]]:
    """(schema, name) -> (table type, columns) for the current database."""
    database = con.execute("select current_database()").fetchone()[0]
    rows = con.execute(
        "select t.table_schema, t.table_name, t.table_type, c.column_name "
        "from information_schema.tables t join information_schema.columns c "
        "on c.table_catalog = t.table_catalog and c.table_schema = t.table_schema and c.table_name = t.table_name "
        "where t.table_catalog = ?", [database]).fetchall()
    relations: dict[tuple[str, str], tuple[str, set[str]]] = {}
    for schema, name, kind, column in rows:
        relations.setdefault((schema, name), (kind, set()))[1].add(column)
    return relations


def erased_numbers(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The numbers in the warehouse copy of the ledger's `erasures` (empty when there is none)."""
    if ("ledger", "erasures") not in _relations(con):
        return []
    return [row[0] for row in con.execute(
        "select distinct phone_e164 from ledger.erasures where phone_e164 is not null order by 1").fetchall()]


def scrub_warehouse(con: duckdb.DuckDBPyConnection, numbers: list[str]) -> dict[str, int]:
    """Remove the personal data of the people holding `numbers` (E.164) from the warehouse.

    Returns counts: raw rows blanked, quarantined lines blanked, model rows deleted, decision
    rows whose names were removed. Runs in one transaction: all of it or none."""
    counts = {"raw_rows": 0, "quarantine_lines": 0, "model_rows": 0, "decision_rows": 0}
    if not numbers:
        return counts
    con.register("_erased_input", pa.table({"phone_e164": pa.array(sorted(set(numbers)), pa.string())}))
    try:
        with transaction(con):
            _scrub(con, counts)
    finally:
        con.unregister("_erased_input")
        for name in ("_erased_phones", "_erased_voters", "_erased_contacts", "_erased_rows"):
            con.execute(f"drop table if exists temp.{name}")
    return counts


def _scrub(con: duckdb.DuckDBPyConnection, counts: dict[str, int]) -> None:
    relations = _relations(con)
    con.execute("create or replace temp table _erased_phones as select distinct phone_e164 from _erased_input")

    # The voters holding an erased number, from every relation that ties a voter key to a phone.
    voter_sources = [f"select voter_key from main.{ident(name)} where phone_e164 in (select phone_e164 from _erased_phones)"
                     for (schema, name), (_, columns) in relations.items()
                     if schema == "main" and {"voter_key", "phone_e164"} <= columns
                     and name in ("stg_nc_voters", "stg_fl_voters", "int_voters", "int_contacts", "int_identity_records")]
    con.execute("create or replace temp table _erased_voters (voter_key varchar)")
    if voter_sources:
        con.execute(f"insert into _erased_voters select distinct voter_key from ({' union '.join(voter_sources)}) "
                    "where voter_key is not null")

    con.execute("create or replace temp table _erased_contacts (contact_id varchar)")
    if ("main", "int_contacts") in relations:
        con.execute("insert into _erased_contacts select distinct contact_id from main.int_contacts "
                    "where phone_e164 in (select phone_e164 from _erased_phones) "
                    "or voter_key in (select voter_key from _erased_voters)")

    # Raw rows, found through the staging views (which normalize the phone exactly as the
    # models do) before any of them is blanked.
    con.execute("create or replace temp table _erased_rows (raw_table varchar, _file varchar, _line bigint)")
    for view, raw_table, keys in _RAW_SOURCES:
        view_columns = relations.get(("main", view), ("", set()))[1]
        raw_columns = relations.get(("raw", raw_table), ("", set()))[1]
        if not view_columns or not raw_columns or not {"source_file", "source_line"} <= view_columns:
            continue
        tests = []
        if "phone_e164" in keys and "phone_e164" in view_columns:
            tests.append("v.phone_e164 in (select phone_e164 from _erased_phones)")
        if "voter_key" in keys and "voter_key" in view_columns:
            tests.append("v.voter_key in (select voter_key from _erased_voters)")
        if not tests:
            continue
        con.execute(
            f"insert into _erased_rows select distinct $raw_table, v.source_file, v.source_line "
            f"from main.{ident(view)} v where {' or '.join(tests)}", {"raw_table": raw_table})
    _volunteer_rows_of_the_person(con, relations.get(("raw", "volunteers"), ("", set()))[1])
    for _, raw_table, _ in _RAW_SOURCES:
        raw_columns = relations.get(("raw", raw_table), ("", set()))[1]
        blanked = sorted(raw_columns - {"_file", "_line"})
        if not blanked:
            continue
        assignments = ", ".join(f"{ident(column)} = null" for column in blanked)
        counts["raw_rows"] += _changed(con, (
            f"update raw.{ident(raw_table)} r set {assignments} where exists (select 1 from _erased_rows e "
            f"where e.raw_table = $raw_table and e._file = r._file and e._line = r._line)"), {"raw_table": raw_table})

    if {"raw_line"} <= relations.get(("raw", "quarantine"), ("", set()))[1]:
        counts["quarantine_lines"] += _changed(con, (
            "update raw.quarantine set raw_line = null where raw_line is not null and exists ("
            "select 1 from _erased_phones p where strpos(regexp_replace(raw_line, '[^0-9]', '', 'g'), "
            "substr(p.phone_e164, 3)) > 0)"), {})
    if counts["raw_rows"] or counts["quarantine_lines"]:
        # Raw rows now differ from their files: the next run reads the inbox again rather than
        # keeping them as unchanged (assets/ingest/unchanged.py), as a cold run would.
        forget_all_fingerprints(con)

    for (schema, name), (kind, columns) in sorted(relations.items()):
        if schema not in _MODEL_SCHEMAS or kind != "BASE TABLE":
            continue
        tests = [f"{ident(c)} in (select phone_e164 from _erased_phones)" for c in _PHONE_COLUMNS if c in columns]
        tests += [f"{ident(c)} in (select contact_id from _erased_contacts)" for c in _CONTACT_COLUMNS if c in columns]
        tests += [f"{ident(c)} in (select voter_key from _erased_voters)" for c in _VOTER_COLUMNS if c in columns]
        if not tests:
            continue
        relation = f"{ident(schema)}.{ident(name)}"
        if name == "list_decisions" or name.endswith("__decisions"):
            names = [c for c in _NAME_COLUMNS if c in columns]
            if names:
                assignments = ", ".join(f"{ident(c)} = null" for c in names)
                present = " or ".join(f"{ident(c)} is not null" for c in names)
                counts["decision_rows"] += _changed(
                    con, f"update {relation} set {assignments} where ({' or '.join(tests)}) and ({present})", {})
            continue
        counts["model_rows"] += _changed(con, f"delete from {relation} where {' or '.join(tests)}", {})


def _volunteer_rows_of_the_person(con: duckdb.DuckDBPyConnection, columns: set[str]) -> None:
    """Add to `_erased_rows` the Mobilize rows the staging view does not show: those naming an
    erased number among the person's other numbers (one a line, compared by their last ten
    digits), and every row (each attendance, each version read) of a person already found."""
    if "other_phones" in columns:
        con.execute(
            "insert into _erased_rows select distinct 'volunteers', r._file, r._line from raw.volunteers r "
            "where r.other_phones is not null and exists (select 1 from _erased_phones p where list_contains("
            "list_transform(string_split(r.other_phones, chr(10)), lambda x: right(regexp_replace(x, '[^0-9]', '', 'g'), 10)), "
            "substr(p.phone_e164, 3)))")
    if "person_id" in columns:
        con.execute(
            "insert into _erased_rows select distinct 'volunteers', r._file, r._line from raw.volunteers r "
            "where r.person_id in (select v.person_id from raw.volunteers v join _erased_rows e "
            "on e.raw_table = 'volunteers' and e._file = v._file and e._line = v._line where v.person_id is not null)")


def _changed(con: duckdb.DuckDBPyConnection, statement: str, params: dict) -> int:
    row = con.execute(statement, params).fetchone()
    return int(row[0]) if row else 0

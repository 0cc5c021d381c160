"""Gate facts kept from one run to the next while their sources are unchanged (issue 12,
expectations/kept_facts.py).

A later run reuses the kept line types, contact history with consents, holders and (the same
day) do-not-call numbers only when everything they were derived from is the same: whatever
source changes, the facts equal those built from nothing on the same warehouse."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from assets.sql_text import ident
from configuration.settings import RunSettings
from expectations import facts as F

from .conftest import AS_OF, open_db

FACT_TABLES = ("phone_facts", "holders", "dnc", "dnc_numbers")

# Each change picks its rows by a salted hash, so it picks the same rows in every copy.
SOURCE_CHANGES = {
    "line_types": "update raw.line_types set line_type = case when line_type = 'landline' then 'wireless' "
                  "else 'landline' end where rowid in (select rowid from raw.line_types order by hash(phone || 'l'), rowid limit 25)",
    "line_types_checked_later": "update raw.line_types set checked_at = '2026-11-27T09:00:00-05:00' "
                                "where rowid in (select rowid from raw.line_types order by hash(phone || 't'), rowid limit 25)",
    "contact_history": "update raw.contact_history set disposition = 'wrong_number', attempted_at = '2026-11-01T10:00:00-05:00' "
                       "where rowid in (select rowid from raw.contact_history order by hash(phone || 'w'), rowid limit 15)",
    "prerecorded_calls": "update raw.contact_history set channel = 'prerecorded_call_landline', attempted_at = '2026-11-20T10:00:00-05:00', "
                         "caller_entity = '' where rowid in (select rowid from raw.contact_history order by hash(phone || 'p'), rowid limit 15)",
    # every consent and RND answer: few of the small inbox's consents are valid
    # in the inbox's file and in the ledger's durable copy alike
    "consents": "update raw.consents set revoked_at = '2026-11-01T00:00:00Z'; "
                "update ledger.consents set revoked_at = '2026-11-01T00:00:00Z'",
    "rnd": "update raw.rnd set result = 'yes'",
    "quarantined_line_types_line": "insert into raw.quarantine (source, _file, _line, reason, raw_line) "
                                   "select 'line_types', 'line_types/x.csv', 2, 'test', phone || ',???' "
                                   "from raw.line_types order by hash(phone || 'q'), rowid limit 5",
    "nc_voters": "update raw.nc_voters set confidential_ind = 'Y', state_cd = 'MN' where rowid in "
                 "(select rowid from raw.nc_voters where full_phone_number <> '' order by hash(ncid), rowid limit 20)",
    "fl_voters": "update raw.fl_voters set public_records_exemption = 'Y' where rowid in "
                 "(select rowid from raw.fl_voters order by hash(voter_id), rowid limit 20)",
    "volunteers": "update raw.volunteers set postal_code = '55401' where rowid in "
                  "(select rowid from raw.volunteers order by hash(attendance_id), rowid limit 10)",
    "donations": "update raw.donations set donor_state = 'NH' where rowid in "
                 "(select rowid from raw.donations order by hash(receipt_id), rowid limit 20)",
    "dnc_entries": "insert into raw.dnc_entries (list, file_kind, snapshot_date, phone, action, _file, _line) "
                   "select 'federal', 'change', '2026-11-27', phone, 'A', 'dnc/x.csv', 2 "
                   "from raw.line_types order by hash(phone || 'd'), rowid limit 5",
    "quarantined_dnc_line": "insert into raw.quarantine (source, _file, _line, reason, raw_line) "
                            "select 'dnc', 'dnc/x.csv', 2, 'test', phone || ',???' "
                            "from raw.line_types order by hash(phone || 'n'), rowid limit 5",
}


def _facts(con) -> dict[str, list[tuple]]:
    return {table: con.execute(f"select * from {F.FACTS_SCHEMA}.{ident(table)} order by all").fetchall()
            for table in FACT_TABLES}


def _ensure(con, settings: RunSettings, run_id: str, as_of=AS_OF) -> None:
    inputs = F.FactInputs(as_of, settings.lists.caller_entity, settings.policy.data)
    F.ensure_facts(con, inputs, run_id=run_id, published=settings.published,
                   run_lists=[spec.name for spec in settings.lists.lists])


@pytest.fixture(scope="module")
def run_home(pipeline_run, small_inbox):
    home, status, *_ = pipeline_run
    assert status == 0
    return home, RunSettings.build(small_inbox, home, AS_OF)


@pytest.fixture()
def copy(run_home, tmp_path):
    home, settings = run_home
    shutil.copy(home / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    con = open_db(tmp_path / "warehouse.duckdb", read_only=False)
    yield con, settings
    con.close()


def test_the_run_kept_its_parts(copy):
    con, _ = copy
    parts = {row[0] for row in con.execute(f"select part from {F.FACTS_SCHEMA}.kept_parts").fetchall()}
    assert parts == {"line_type_answers", "contact_events", "consents", "holders", "dnc"}


@pytest.mark.parametrize("change", list(SOURCE_CHANGES), ids=list(SOURCE_CHANGES))
def test_kept_facts_equal_facts_built_from_nothing(copy, change):
    con, settings = copy
    before = _facts(con)
    con.execute(SOURCE_CHANGES[change])
    _ensure(con, settings, "after-change")
    reused = _facts(con)
    con.execute(f"delete from {F.FACTS_SCHEMA}.kept_parts")
    _ensure(con, settings, "from-nothing")
    fresh = _facts(con)
    assert fresh != before, f"{change} changed no fact: the test would not notice a stale part"
    assert reused == fresh


def test_a_later_as_of_derives_the_time_dependent_parts_again(copy):
    con, settings = copy
    later = AS_OF + timedelta(days=40)
    _ensure(con, settings, "later", as_of=later)
    reused = _facts(con)
    con.execute(f"delete from {F.FACTS_SCHEMA}.kept_parts")
    _ensure(con, settings, "later-from-nothing", as_of=later)
    assert reused == _facts(con)


def test_a_later_as_of_reuses_the_answers_and_events_it_reads_again(copy):
    """The line-type answers and the contact history's events hold no as-of: a run at another
    as-of reuses them (a marker answer and a marker wrong number show) and reads what is in
    force at its own as-of from them."""
    con, settings = copy
    marker = "+12025550000"
    con.execute(f"insert into {F.FACTS_SCHEMA}.kept_line_type_answers values (?, '2026-11-01 00:00:00+00', 'landline')", [marker])
    con.execute(f"insert into {F.FACTS_SCHEMA}.kept_contact_events values (?, '2026-11-02 00:00:00+00', 'call', '', 'wrong_number')",
                [marker])
    parts = _kept_parts(con)
    _ensure(con, settings, "later", as_of=AS_OF + timedelta(hours=1))
    assert con.execute(f"select line_types, wrong_number from {F.FACTS_SCHEMA}.phone_facts where phone_e164 = ?",
                       [marker]).fetchall() == [(["landline"], True)]
    # Later the same day: the do-not-call numbers (which read the as-of's day) are kept too.
    after = _kept_parts(con)
    assert {part for part in parts if parts[part] != after[part]} == {"consents"}
    _ensure(con, settings, "next-day", as_of=AS_OF + timedelta(days=1))
    next_day = _kept_parts(con)
    assert {part for part in after if after[part] != next_day[part]} == {"consents", "dnc"}


def test_a_dnc_part_kept_for_the_day_is_what_the_day_derives(copy):
    """A marker number put into the kept do-not-call numbers shows in a later run of the same
    day, and is gone the next day (derived again at the new day)."""
    con, settings = copy
    marker = "2025550000"
    con.execute(f"insert into {F.FACTS_SCHEMA}.dnc_numbers values (?, true)", [marker])
    _ensure(con, settings, "same-day", as_of=AS_OF + timedelta(hours=1))
    assert con.execute(f"select count(*) from {F.FACTS_SCHEMA}.dnc_numbers where phone10 = ?", [marker]).fetchone()[0] == 1
    _ensure(con, settings, "next-day", as_of=AS_OF + timedelta(days=1))
    assert con.execute(f"select count(*) from {F.FACTS_SCHEMA}.dnc_numbers where phone10 = ?", [marker]).fetchone()[0] == 0


def _kept_parts(con) -> dict[str, str]:
    return dict(con.execute(f"select part, fingerprint from {F.FACTS_SCHEMA}.kept_parts").fetchall())


def test_unchanged_sources_reuse_the_part_and_a_change_replaces_it(copy):
    """A marker row put into the kept line types shows in the next run's facts while the
    sources are unchanged, and is gone once a line-type answer changes."""
    con, settings = copy
    marker = "+12025550000"
    con.execute(f"insert into {F.FACTS_SCHEMA}.kept_line_type_answers values (?, '2026-11-01 00:00:00+00', 'landline')", [marker])
    _ensure(con, settings, "unchanged")
    assert con.execute(f"select count(*) from {F.FACTS_SCHEMA}.phone_facts where phone_e164 = ?", [marker]).fetchone()[0] == 1
    con.execute(SOURCE_CHANGES["line_types"])
    _ensure(con, settings, "changed")
    assert con.execute(f"select count(*) from {F.FACTS_SCHEMA}.phone_facts where phone_e164 = ?", [marker]).fetchone()[0] == 0


def test_a_part_whose_table_is_gone_is_built_again(copy):
    con, settings = copy
    before = _facts(con)
    con.execute(f"drop table {F.FACTS_SCHEMA}.kept_consents")
    _ensure(con, settings, "table-gone")
    assert _facts(con) == before

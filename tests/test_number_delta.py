"""The compliance models keyed by number rebuilt per number (issue 12, docs/performance.md,
macros/number_delta.sql).

A delta build of int_phone_facts, int_phone_evidence and phone_channel_eligibility
(OUTREACH_DECISIONS_DELTA=true, which an incremental `outreach run` sets) rebuilds only the
numbers whose inputs changed, and its rows are those a full build gives on the same inputs,
whatever kind of input changed: a number's events of any family, its consents, do-not-call
rows or pending prerecorded lists, a contact moving to another number."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assets.sql_text import ident
from assets.warehouse import connect
from tests.test_decisions_delta import _build_list_decisions as _build
from tests.test_decisions_delta import _execute, _rows, copy_session_warehouse

MODELS = ("int_phone_event_hashes", "int_phone_facts", "int_phone_evidence", "phone_channel_eligibility")
TABLES = ("main.int_phone_facts", "main.int_phone_evidence", "main.phone_channel_eligibility")
KEPT = ("incremental_state.int_phone_facts_inputs", "incremental_state.int_phone_evidence_inputs",
        "incremental_state.phone_channel_eligibility_inputs")


def _numbers(salt: str, count: int) -> str:
    """Contact numbers picked by a salted hash with a total order: the same in every copy."""
    return (f"(select phone_e164 from main.int_phone_facts order by hash(phone_e164 || '{salt}'), 1 "
            f"limit {count})")


def _event(event_type: str, detail: str, when: str = "(select as_of from main.int_run) - interval 1 day") -> str:
    return (f"{when} as event_at, '{event_type}' as event_type, '{detail}' as detail, "
            "null as caller_entity, null::date as consent_date, 'changed.csv' as source_file, 1 as source_line")


INPUT_CHANGES = [
    # events of every kind: an opt-out, a wrong number, a prerecorded call, a line type
    f"insert into main.int_events_opt_outs by name select phone_e164, {_event('opt_out', 'R09')} from {_numbers('o', 5)}",
    f"insert into main.int_events_contact_history by name select phone_e164, {_event('disposition', 'wrong_number')} "
    f"from {_numbers('w', 4)}",
    f"insert into main.int_events_contact_history by name select phone_e164, "
    f"{_event('prerecorded_call', 'prerecorded_call_landline')} from {_numbers('p', 3)}",
    f"update main.int_events_line_types set detail = 'landline' where phone_e164 in {_numbers('l', 5)}",
    f"insert into main.int_events_line_types by name select phone_e164, {_event('line_type_check', 'voip_nonfixed')} "
    f"from {_numbers('v', 3)}",
    # a number's contact history gone; an event of a number no contact holds (evidence keeps it)
    f"delete from main.int_events_contact_history where phone_e164 in {_numbers('d', 3)}",
    f"insert into main.int_events_opt_outs by name select '+19195550123' as phone_e164, {_event('opt_out', 'R11')}",
    # consents given and gone, federal DNC listings added and removed, a pending list
    f"delete from main.int_valid_consents where phone_e164 in (select phone_e164 from main.int_valid_consents "
    f"order by hash(phone_e164 || 'c'), 1 limit 3)",
    f"insert into main.int_valid_consents by name select phone_e164, 'sms' as scope, "
    f"(select as_of from main.int_run) - interval 2 day as consented_at, 'changed.csv' as source_file from {_numbers('s', 3)}",
    f"insert into main.int_dnc_status by name select phone_e164, 'federal' as dnc_list, true as is_listed "
    f"from {_numbers('f', 3)}",
    "delete from main.int_dnc_status where dnc_list = 'federal' and phone_e164 in (select phone_e164 from "
    "main.int_dnc_status where dnc_list = 'federal' order by hash(phone_e164 || 'g'), 1 limit 2)",
    f"insert into config.pending_prerecorded by name select phone_e164, 'earlier_list' as list_name, "
    f"(select as_of from main.int_run) + interval 3 day as expires_at from {_numbers('q', 3)}",
    # contacts move to a number nobody held
    "update main.int_contacts set phone_e164 = '+1919555' || lpad((hash(contact_id) % 10000)::varchar, 4, '0') "
    "where contact_id in (select contact_id from main.int_contacts where phone_e164 is not null "
    "order by hash(contact_id || 'm'), 1 limit 2)",
]


@pytest.fixture()
def built(pipeline_run, tmp_path) -> Path:
    """A copy of the session run's warehouse, whose models and kept hashes a full build wrote."""
    warehouse = copy_session_warehouse(pipeline_run, tmp_path)
    with connect(warehouse, read_only=True) as con:
        for table, kept in zip(TABLES, KEPT):
            table_schema, table_name = table.split(".")
            kept_schema, kept_name = kept.split(".")
            numbers = con.execute(f"select count(distinct phone_e164) from {ident(table_schema)}.{ident(table_name)}").fetchone()[0]
            assert 0 < numbers <= con.execute(f"select count(*) from {ident(kept_schema)}.{ident(kept_name)}").fetchone()[0], kept
    return warehouse


def _full_copy(warehouse: Path, tmp_path: Path) -> Path:
    full = tmp_path / "full" / "warehouse.duckdb"
    full.parent.mkdir()
    shutil.copyfile(warehouse, full)
    return full


@pytest.mark.parametrize("hashes_kept", [True, False], ids=["hashes_kept", "no_hashes_kept"])
def test_a_delta_build_gives_the_rows_of_a_full_build_after_every_kind_of_input_change(built, tmp_path, hashes_kept):
    _execute(built, INPUT_CHANGES + ([] if hashes_kept else [f"drop table {ident(kept.split('.')[0])}.{ident(kept.split('.')[1])}" for kept in KEPT]))
    full = _full_copy(built, tmp_path)
    before = [_rows(built, table) for table in TABLES]
    _build(built, tmp_path / "delta_dbt", delta=True, models=MODELS)
    _build(full, tmp_path / "full_dbt", delta=False, models=MODELS)
    delta_rows = [_rows(built, table) for table in TABLES]
    assert all(now != then for now, then in zip(delta_rows, before)), "the input changes changed rows of each model"
    assert delta_rows == [_rows(full, table) for table in TABLES]
    assert [_rows(built, kept) for kept in KEPT] == [_rows(full, kept) for kept in KEPT]


def test_an_as_of_a_week_later_gives_the_rows_of_a_full_build(built, tmp_path):
    """A week moves every time test (events in effect, the cap window, pending lists, the
    line-type check's age) past many numbers' thresholds."""
    _execute(built, ["update main.int_run set as_of = as_of + interval 7 day"])
    full = _full_copy(built, tmp_path)
    _build(built, tmp_path / "delta_dbt", delta=True, models=MODELS)
    _build(full, tmp_path / "full_dbt", delta=False, models=MODELS)
    assert [_rows(built, table) for table in TABLES] == [_rows(full, table) for table in TABLES]


def test_a_delta_build_rebuilds_only_the_numbers_whose_inputs_changed(built, tmp_path):
    with connect(built, read_only=True) as con:
        kept, changed = [row[0] for row in con.execute(
            "select phone_e164 from main.int_phone_facts join main.int_phone_evidence using (phone_e164) "
            "where not has_wrong_number order by 1 limit 2").fetchall()]
    numbers = {"kept": kept, "changed": changed}
    # Both numbers' rows are marked in every model; only the second number gets an event.
    _execute(built, [
        "update main.int_phone_facts set recent_prerecorded_calls = -1 where phone_e164 in ($kept, $changed)",
        "delete from main.int_phone_evidence where phone_e164 in ($kept, $changed)",
        "update main.phone_channel_eligibility set prerecorded_calls_counted = -1 where phone_e164 in ($kept, $changed)",
        "insert into main.int_events_contact_history by name select $changed as phone_e164, "
        + _event("disposition", "wrong_number"),
    ], numbers)
    _build(built, tmp_path / "dbt", delta=True, models=MODELS)
    with connect(built, read_only=True) as con:
        facts = dict(con.execute("select phone_e164, (recent_prerecorded_calls, has_wrong_number) from main.int_phone_facts "
                                 "where phone_e164 in ($kept, $changed)", numbers).fetchall())
        evidence = dict(con.execute("select phone_e164, len(wrong_number_evidence) from main.int_phone_evidence "
                                    "where phone_e164 in ($kept, $changed)", numbers).fetchall())
        counted = dict(con.execute("select phone_e164, min(prerecorded_calls_counted) from main.phone_channel_eligibility "
                                   "where phone_e164 in ($kept, $changed) group by 1", numbers).fetchall())
    assert facts[kept] == (-1, False) and kept not in evidence and counted[kept] == -1, "an unchanged number's rows are kept"
    assert facts[changed][0] >= 0 and facts[changed][1] and evidence[changed] == 1 and counted[changed] >= 0


AS_OF = "(select as_of from main.int_run)"
# The earliest time a line-type check is fresh at the dial time for some channel (R05).
FRESH_FROM = (f"(select min({AS_OF} + to_hours(expires_hours::integer) - to_days(line_type_max_age_days::integer)) "
              "from config.channels where line_type_max_age_days is not null)")


def _listed(salt: str) -> str:
    """Three numbers some list decides, picked by a salted hash (the same in every copy)."""
    return f"(select phone_e164 from main.list_decisions group by 1 order by hash(phone_e164 || '{salt}'), 1 limit 3)"


# Each puts three numbers' rows an hour before a threshold that an as-of two hours later crosses.
NEAR_THRESHOLDS = {
    "opt-out taking effect": f"insert into main.int_events_opt_outs by name select phone_e164, "
                             f"{_event('opt_out', 'R09', f'{AS_OF} + interval 1 hour')} from {_listed('future')}",
    "call leaving the cap window": f"insert into main.int_events_contact_history by name select phone_e164, "
                                   f"{_event('prerecorded_call', 'prerecorded_call_landline', f'{AS_OF} + interval 1 hour - to_days((select max(cap_days) from config.channels)::integer)')} "
                                   f"from {_listed('cap')}",
    "pending list expiring": f"insert into config.pending_prerecorded by name select phone_e164, 'earlier_list' as list_name, "
                             f"{AS_OF} + interval 1 hour as expires_at from {_listed('pending')}",
    "line-type check going stale": f"update main.int_events_line_types set event_at = {FRESH_FROM} + interval 1 hour "
                                   f"where phone_e164 in {_listed('stale')}",
}


def test_a_later_as_of_rebuilds_only_the_numbers_whose_time_tests_it_crosses(built, tmp_path):
    """The per-number models read the as-of only in time tests of a number's own rows, so two
    hours later only the numbers with a row at a threshold in between are built and decided
    again, and every row equals a full build's at that as-of (macros/number_delta.sql)."""
    models = (*MODELS, "list_decisions", "list_members")
    tables = (*TABLES, "main.list_decisions", "main.list_members")
    _execute(built, list(NEAR_THRESHOLDS.values()))
    _build(built, tmp_path / "first", delta=False, models=models)
    with connect(built, read_only=True) as con:
        crossing = {phone for (phone,) in con.execute(
            " union ".join(f"select phone_e164 from {_listed(salt)}" for salt in ("future", "cap", "pending", "stale"))
        ).fetchall()}
    assert len(crossing) == 12
    before = [_rows(built, table) for table in tables]

    _execute(built, ["update main.int_run set as_of = as_of + interval 2 hour"])
    full = _full_copy(built, tmp_path)
    _build(built, tmp_path / "delta_dbt", delta=True, models=models)
    _build(full, tmp_path / "full_dbt", delta=False, models=models)
    after = [_rows(built, table) for table in tables]
    assert all(now != then for now, then in zip(after, before)), "crossing a threshold changed rows of each model"
    assert after == [_rows(full, table) for table in tables]
    with connect(built, read_only=True) as con:
        decided_again = {phone for (phone,) in con.execute("select phone_e164 from incremental_state.list_decisions_redo").fetchall()}
        numbers = con.execute("select count(distinct phone_e164) from main.list_decisions").fetchone()[0]
    # The session's own rows put a few more numbers at a threshold (a line-type check going
    # stale in those two hours); a number no threshold separates is not decided again.
    assert crossing <= decided_again and len(decided_again) < max(len(crossing) + 10, numbers / 50), (len(decided_again), numbers)

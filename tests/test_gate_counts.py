"""The suite's counts (expectations/suites.py): DuckDB counts, per rule, the rows of a gate
frame that break it, and Great Expectations checks those counts. Each rule is broken by one
row on its own here, and a NULL fact counts as breaking its rule (the gate fails closed)."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from expectations.gate import run_suite, suite_counts
from expectations.suites import suite_for

EVERY_RULE = suite_for(
    {"consent_scope": "prerecorded_voice", "consent_required_line_types": ["wireless"], "allowed_line_types": ["landline"],
     "line_type_max_age_days": 30, "cap": {"calls": 3, "days": 30}, "state_rules": True},
    {"nh_prerecorded_federal_dnc": True, "dnc_scrub_purposes": ["commercial"]}, "commercial")
FACTS = ["is_opted_out", "has_wrong_number", "is_exempt_record", "lacks_required_consent", "has_disallowed_line_type",
         "over_prerecorded_cap", "lacks_state_rule_consent", "nh_on_federal_dnc", "on_dnc_list"]
CLEAN = {"phone_e164": "+19195550100", "timezone": "America/New_York", "window_start_local": "09:00",
         "has_fresh_line_type_check": True, **{fact: False for fact in FACTS}}
# rule -> the change to a clean row that breaks it
BREAKERS = {
    "phone_present": {"phone_e164": None},
    "phone_is_e164_nanp": {"phone_e164": "+1919555010"},
    "time_zone_present": {"timezone": None},
    "window_present": {"window_start_local": None},
    "no_opted_out_number": {"is_opted_out": True},
    "no_wrong_number": {"has_wrong_number": True},
    "no_confidential_or_exempt_number": {"is_exempt_record": True},
    "no_number_without_required_consent": {"lacks_required_consent": True},
    "allowed_line_types_only": {"has_disallowed_line_type": True},
    "fresh_line_type_check": {"has_fresh_line_type_check": False},
    "under_prerecorded_cap": {"over_prerecorded_cap": True},
    "state_rule_consent_or_live_operator": {"lacks_state_rule_consent": True},
    "no_nh_number_on_federal_dnc": {"nh_on_federal_dnc": True},
    "no_do_not_call_number": {"on_dnc_list": True},
}


def _frame(rows: list[dict]) -> duckdb.DuckDBPyConnection:
    """A gate frame of these rows, each clean row with a phone of its own."""
    rows = [{**row, "phone_e164": f"+1919555{n:04d}"} if row["phone_e164"] == CLEAN["phone_e164"] else row
            for n, row in enumerate(rows)]
    frame = pd.DataFrame({column: pd.array([row[column] for row in rows],
                                           dtype="boolean" if isinstance(value, bool) else "string")
                          for column, value in CLEAN.items()})
    con = duckdb.connect()
    con.register("rows", frame)
    con.execute("create table gate_frame as select * from rows")
    return con


def test_every_rule_of_the_policy_is_in_the_suite():
    assert {e.name for e in EVERY_RULE} == {"rows_above_zero", "one_row_per_phone", *BREAKERS}


def test_clean_rows_pass():
    con = _frame([CLEAN, CLEAN])
    result = run_suite(suite_counts(con, "gate_frame", EVERY_RULE), EVERY_RULE, "clean")
    assert result.success and result.evaluated == len(EVERY_RULE) and not result.unexpected_counts


# A fact NULL where it should be true or false breaks its rule too.
NULL_FACTS = {f"{rule}-null": {column: None for column in change} for rule, change in BREAKERS.items()
              if all(isinstance(value, bool) for value in change.values())}


@pytest.mark.parametrize("case", sorted(BREAKERS) + sorted(NULL_FACTS))
def test_one_breaking_row_fails_its_rule_alone(case):
    rule = case.removesuffix("-null")
    change = NULL_FACTS.get(case) or BREAKERS[rule]
    counts = suite_counts(_frame([CLEAN, {**CLEAN, **change}, CLEAN]), "gate_frame", EVERY_RULE)
    breaking = {name for name in counts.columns if name != "rows_above_zero" and counts[name].iloc[0]}
    assert breaking == {rule}
    assert counts[rule].iloc[0] == 1 and counts["rows_above_zero"].iloc[0] == 3


def test_duplicates_and_an_empty_list_fail():
    con = _frame([CLEAN])
    con.execute("insert into gate_frame select * from gate_frame")
    con.execute("insert into gate_frame select * replace ('+19195550999' as phone_e164) from gate_frame limit 1")
    result = run_suite(suite_counts(con, "gate_frame", EVERY_RULE), EVERY_RULE, "twice")
    assert result.failed == ["one_row_per_phone"] and result.unexpected_counts == {"one_row_per_phone": 2}
    con.execute("delete from gate_frame")
    result = run_suite(suite_counts(con, "gate_frame", EVERY_RULE), EVERY_RULE, "empty")
    assert result.failed == ["rows_above_zero"] and result.unexpected_counts == {}
    assert result.summary() == f"1 of {len(EVERY_RULE)} expectations failed: rows_above_zero"

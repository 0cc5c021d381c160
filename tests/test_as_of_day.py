"""A run at a later as-of on the same UTC day reuses the models that read only the as-of's day
(config.run_day: turnout, primary ballots, propensity, and the segments built on them), and
publishes what a cold run at that as-of publishes (docs/performance.md)."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest

from .conftest import AS_OF, open_db
from .test_incremental_build import _built_models, _latest, _run, _table_rows

LATER_SAME_DAY = AS_OF + timedelta(hours=1)  # 18:00 UTC; AS_OF is 17:00 UTC
DAY_MODELS = {"int_run_day", "int_turnout", "int_turnout_propensity", "int_primary_ballots", "everyone", "gotv",
              "persuasion", "survey_sample", "int_dnc_listed", "int_dnc_status", "dnc_snapshots"}
# What reads the run's settings but neither the as-of's time nor its day (config.caller).
AS_OF_FREE_MODELS = {"int_caller", "int_events_sms_opt_ins", "int_line_types_undated"}


def test_the_day_table_changes_with_the_day_only(tmp_path):
    from assets.build_state import config_fingerprints
    from configuration.settings import RunSettings

    def fingerprints(as_of):
        return config_fingerprints(RunSettings.build(tmp_path / "inbox", tmp_path / "home", as_of))

    first, later, next_day = fingerprints(AS_OF), fingerprints(LATER_SAME_DAY), fingerprints(AS_OF + timedelta(days=1))
    assert first["config.run"] != later["config.run"]
    assert first["config.run_day"] == later["config.run_day"] != next_day["config.run_day"]
    assert first["config.caller"] == later["config.caller"] == next_day["config.caller"]
    # 23:30 in New York is the next day in UTC: the day is the UTC one, as `as_of::date` is in dbt.
    late_evening = AS_OF.replace(hour=23, minute=30)
    assert fingerprints(late_evening)["config.run_day"] == next_day["config.run_day"]


@pytest.fixture(scope="module")
def later_and_cold(pipeline_run, small_inbox, tmp_path_factory):
    """(home run again an hour later, a cold home at that as-of, what the later run printed)."""
    first_home, *_ = pipeline_run
    base = tmp_path_factory.mktemp("as_of_day")
    home, cold = base / "home", base / "cold"
    shutil.copytree(first_home, home)
    status, _, printed = _run(small_inbox, home, LATER_SAME_DAY)
    assert status in (0, 3)
    assert _run(small_inbox, cold, LATER_SAME_DAY)[0] in (0, 3)
    return home, cold, printed


def test_a_later_run_on_the_same_day_reuses_the_day_models(later_and_cold):
    home, _, _ = later_and_cold
    built = _built_models(home)
    # What reads the as-of's time is built again ...
    assert {"int_run", "int_phone_facts", "int_donor_history", "list_decisions", "list_members"} <= built
    # ... and what reads only its day is not, nor the dated line-type answers, which read no as-of.
    assert not built & DAY_MODELS
    assert not built & AS_OF_FREE_MODELS
    assert "int_events_line_types" not in built and "int_events_line_types_undated" in built


def test_a_later_run_decides_again_only_the_numbers_whose_time_tests_moved(later_and_cold):
    """The as-of is in no number's hash; its time tests are (macros/number_delta.sql)."""
    home, _, printed = later_and_cold
    assert "list decisions: numbers whose inputs changed" in printed
    with open_db(home / "warehouse.duckdb") as con:
        decided_again = con.execute("select count(*) from incremental_state.list_decisions_redo").fetchone()[0]
        numbers = con.execute("select count(distinct coalesce(phone_e164, '')) from main.list_decisions").fetchone()[0]
    assert decided_again < numbers / 5, (decided_again, numbers)


def test_its_lists_equal_a_cold_run_at_that_as_of(later_and_cold):
    home, cold, _ = later_and_cold
    for table in ("main.int_turnout_propensity", "main.segment_members", "main.int_dnc_status", "main.dnc_snapshots",
                  "main.int_events_sms_opt_ins",
                  "main.list_decisions", "main.list_members"):
        assert _table_rows(home, table) == _table_rows(cold, table), table
    names = sorted(path.name for path in (cold / "published").iterdir() if path.is_dir())
    assert len(names) == 16
    for name in names:
        assert (_latest(home, name) / "contacts.csv").read_bytes() == (_latest(cold, name) / "contacts.csv").read_bytes(), name

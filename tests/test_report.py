"""The run report (assets/reporting): the waterfall counts each excluded row once, the gates'
kept results hold no row values, and the report of a real run adds up and names no person."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd

from assets.reporting.gate_results import sanitized
from assets.reporting.paths import latest_run, report_path
from assets.reporting.waterfall import (UNATTRIBUTED, candidates_and_suppressed, decision_groups, ordered, rule_order,
                                         waterfall_counts)

from .conftest import open_db

OUTREACH = str(Path(sys.executable).parent / "outreach")


def test_waterfall_counts_each_row_once_at_its_first_rule():
    con = duckdb.connect()
    con.execute("create schema lists")
    con.execute("create table lists.t__decisions (included boolean, rule_ids varchar[])")
    con.execute("insert into lists.t__decisions values (true, []), (true, []), "
                "(false, ['R07', 'R09']), (false, ['R09']), (false, ['C05']), (false, ['R09', 'C08']), "
                "(false, []), (false, ['X99', 'R13'])")
    candidates, steps, included = waterfall_counts(con, "lists.t__decisions", rule_order(["C01", "R09"]))
    # R09 (what the person said) comes before R07 (the channel's consent rule); C08 before all.
    assert steps == {"C08": 1, "R09": 2, "R13": 1, "C05": 1, UNATTRIBUTED: 1}
    assert list(steps) == ["C08", "R09", "R13", "C05", UNATTRIBUTED]
    assert candidates == 8 and included == 2
    assert candidates == sum(steps.values()) + included


def test_counts_from_the_grouped_scan_equal_the_row_by_row_queries():
    """The waterfall and suppression counts come from one grouped scan (assets/reporting/waterfall.py);
    on random decisions they equal what the row-by-row SQL they replaced gives."""
    import random

    rng = random.Random(12)
    pool = ["C05", "C08", "R09", "R07", "R13", "R22", "X99", "A01"]
    con = duckdb.connect()
    con.execute("create schema lists")
    con.execute("create table lists.r__decisions (included boolean, rule_ids varchar[])")
    rows = []
    for _ in range(3000):
        included = rng.random() < 0.3
        rules = [] if included or rng.random() < 0.02 else sorted(rng.sample(pool, rng.randint(1, 3)))
        rows.append((included, rules))
    con.executemany("insert into lists.r__decisions values (?, ?)", rows)
    order = rule_order(["C01", "R09", "A01"])
    candidates, steps, included = waterfall_counts(con, "lists.r__decisions", order)
    expected = dict(con.execute(
        "with excluded as (select row_number() over () as row_id, rule_ids from lists.r__decisions where not included), "
        "keyed as (select row_id, rule_id, lpad(coalesce(list_position($order, rule_id), 999999)::varchar, 6, '0') "
        "|| rule_id as sort_key from (select row_id, unnest(rule_ids) as rule_id from excluded)) "
        "select first_rule, count(*) from (select arg_min(rule_id, sort_key) as first_rule from keyed group by row_id) "
        "group by first_rule", {"order": order}).fetchall())
    unattributed = con.execute("select count(*) from lists.r__decisions where not included and len(rule_ids) = 0").fetchone()[0]
    assert unattributed and steps == ordered({**expected, UNATTRIBUTED: unattributed}, order)
    assert (candidates, included) == con.execute(
        "select count(*), count(*) filter (where included) from lists.r__decisions").fetchone()
    total, suppressed = candidates_and_suppressed(decision_groups(con, "lists.r__decisions"))
    assert total == candidates
    assert suppressed == dict(con.execute(
        "select rule_id, count(*) from (select unnest(rule_ids) as rule_id from lists.r__decisions where not included) "
        "group by rule_id order by rule_id").fetchall())


def test_gate_result_keeps_counts_never_row_values():
    import duckdb

    from expectations.gate import run_suite, suite_counts
    from expectations.suites import suite_for

    con = duckdb.connect()
    con.execute("create table gate_frame as select * from (values ('+19195550142', true), ('+19195550142', false), "
                "('+1919555014', false), (null, false)) t(phone_e164, is_opted_out)")
    suite = [e for e in suite_for({}) if e.name in ("one_row_per_phone", "phone_is_e164_nanp", "phone_present",
                                                       "no_opted_out_number", "rows_above_zero")]
    result = run_suite(suite_counts(con, "gate_frame", suite), suite, "privacy")
    # GE checks DuckDB's counts, so even its own result holds no row's values.
    assert "555014" not in json.dumps(result.validation, default=str)
    assert result.unexpected_counts == {"one_row_per_phone": 2, "phone_is_e164_nanp": 1, "phone_present": 1,
                                        "no_opted_out_number": 1}
    assert result.summary().startswith("4 of 5 expectations failed")
    kept = sanitized(result.validation)
    text = json.dumps(kept)
    assert "555014" not in text
    by_name = {e["name"]: e for e in kept["expectations"]}
    assert by_name["one_row_per_phone"]["result"]["observed_value"] == 2
    assert by_name["phone_is_e164_nanp"]["result"]["observed_value"] == 1
    assert by_name["rows_above_zero"]["result"]["observed_value"] == 4 and by_name["rows_above_zero"]["success"]
    assert not kept["success"]


def test_dbt_model_lines_become_progress_lines():
    from dbt.events.types import LogModelResult

    from assets.dbt_progress import model_progress

    finished = LogModelResult(description="sql table model main.int_contacts", status="OK", index=3, total=203,
                              execution_time=1.234).message()
    assert model_progress(finished) == "dbt 3/203 int_contacts OK 1.23s"
    assert model_progress("3 of 203 START sql table model main.int_contacts ...... [RUN]") is None
    assert model_progress("5 of 203 PASS not_null_int_contacts_id ...... [PASS in 0.05s]") is None


def _manifests(home: Path) -> list[dict]:
    found = []
    for list_dir in sorted((home / "published").iterdir()):
        version = (list_dir / "LATEST").read_text().strip()
        found.append(json.loads((list_dir / version / "manifest.json").read_text()))
    return found


def test_every_waterfall_adds_up(pipeline_run):
    home, *_ = pipeline_run
    manifests = _manifests(home)
    assert manifests
    for manifest in manifests:
        waterfall, suppressed = manifest["waterfall"], manifest["suppressed"]
        assert manifest["candidates"] == sum(waterfall.values()) + manifest["row_count"], manifest["list"]
        assert UNATTRIBUTED not in waterfall
        # First-rule counts never exceed the overlapping per-rule counts.
        assert all(count <= suppressed[rule] for rule, count in waterfall.items())
    # The demo's overlaps (opt-out and consent on the dialer list) make the two differ somewhere.
    assert any(sum(m["suppressed"].values()) > sum(m["waterfall"].values()) for m in manifests)


def test_report_of_a_real_run(pipeline_run):
    home, _, outcomes, printed = pipeline_run
    run_id = latest_run(home)
    assert run_id is not None
    page = report_path(home, run_id)
    assert f"report: {page} (" in printed
    text = page.read_text()
    assert page.stat().st_mode & 0o077 == 0
    record = json.loads((page.parent / "run.json").read_text())
    assert [item["name"] for item in record["lists"]] == [o.name for o in outcomes]
    for outcome in outcomes:
        assert f'id="{outcome.name}"' in text
        gate = json.loads((page.parent / "gates" / f"{outcome.name}.json").read_text())
        assert gate["validation"]["expectations"], outcome.name
    # One chart per list, inline: no script, nothing fetched.
    assert text.count("<svg") == len(outcomes)
    assert "<script" not in text and "http://" not in text.replace('xmlns="http://', "").replace('xlink="http://', "")
    # The report's waterfall table adds up for every list (same SQL as the manifest's).
    for manifest in _manifests(home):
        assert f"{manifest['candidates']:,}" in text


def test_report_names_no_person(pipeline_run):
    home, *_ = pipeline_run
    folder = report_path(home, latest_run(home)).parent
    text = "".join(path.read_text() for path in folder.rglob("*") if path.is_file())
    con = open_db(home / "warehouse.duckdb")
    phones = [r[0] for r in con.execute("select phone_e164 from main.int_contacts where phone_e164 is not null").fetchall()]
    names = [r[0] for r in con.execute("select distinct last_name from main.int_contacts where length(last_name) > 5").fetchall()]
    con.close()
    assert phones and names
    for phone in phones:
        assert phone not in text and phone[2:] not in text
    for name in names:
        assert name not in text


def test_report_command(pipeline_run):
    home, *_ = pipeline_run
    result = subprocess.run([OUTREACH, "report", "--home", str(home), "--open"], capture_output=True, text=True,
                            env={**os.environ, "PATH": "/nonexistent"}, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(report_path(home, latest_run(home)))
    result = subprocess.run([OUTREACH, "report", "--home", str(home), "--run", "../x"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2 and "not a run id" in result.stderr

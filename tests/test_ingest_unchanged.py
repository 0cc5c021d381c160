"""Unchanged source families are not read again (assets/ingest/unchanged.py), and what a run
then decides is what a cold run decides on the same inbox (issue 12).

One incremental run on a copy of the session's `pipeline_run` home, with one new opt-out
file added to a copy of its inbox, and one cold run on that inbox in a fresh home.
"""

from __future__ import annotations

import io
import shutil

from tests.conftest import AS_OF, open_db

def _decisions(home):
    con = open_db(home / "warehouse.duckdb")
    try:
        # Every column of every decision, in one order; evidence and arrays compared as text.
        return con.execute(
            "select list_name, contact_id, phone_e164, included, cast(rule_ids as varchar), "
            "cast(rule_states as varchar), effective_line_type, time_zone, score, cast(evidence as varchar) "
            "from list_decisions order by all").fetchall()
    finally:
        con.close()


def _changes(home):
    con = open_db(home / "warehouse.duckdb")
    try:
        return dict(con.execute("select family, changed from raw._ingest_changes").fetchall())
    finally:
        con.close()


def test_new_opt_out_file_rereads_only_opt_outs_and_decides_like_a_cold_run(pipeline_run, small_inbox, tmp_path):
    from configuration.settings import RunSettings
    from orchestration.runner import run_pipeline

    cold_home, status, _, _ = pipeline_run
    assert status == 0
    # A number every list of the cold run included: the new opt-out must take it out of all of them.
    included = {row[2] for row in _decisions(cold_home) if row[3]}
    phone = min(included)
    inbox = tmp_path / "inbox"
    shutil.copytree(small_inbox, inbox)
    (inbox / "opt_outs" / "more").mkdir()
    (inbox / "opt_outs" / "more" / "late.csv").write_text(
        f"phone,received_at,channel,source,reason\n{phone},2026-11-27T10:00:00-05:00,all,form,stop\n")

    warm = tmp_path / "warm"
    shutil.copytree(cold_home, warm)
    out = io.StringIO()
    warm_status, _ = run_pipeline(RunSettings.build(inbox, warm, AS_OF), out=out)
    changes = _changes(warm)
    assert changes.pop("opt_outs") is True
    changes.pop("unclaimed")  # listed afresh every run: it reads no file
    assert changes and not any(changes.values()), changes
    assert "voters: unchanged since the last run" in out.getvalue()

    cold = tmp_path / "cold"
    cold_status, _ = run_pipeline(RunSettings.build(inbox, cold, AS_OF), out=io.StringIO())
    assert all(_changes(cold).values())
    assert warm_status == cold_status
    warm_decisions = _decisions(warm)
    assert warm_decisions == _decisions(cold)
    # The new file took effect: its number, included before, is now excluded wherever it is a candidate.
    assert [row for row in warm_decisions if row[2] == phone]
    assert not [row for row in warm_decisions if row[2] == phone and row[3]]

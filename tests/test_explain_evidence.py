"""`outreach explain` names the evidence behind an exclusion (R30): the event's kind, time,
file and line, read from the published decisions.parquet."""

from __future__ import annotations

import duckdb

from orchestration.explain import explain_phone

from .conftest import open_db


def test_explain_names_the_opt_out_behind_r09(pipeline_run):
    home = pipeline_run[0]
    con = open_db(str(home / "warehouse.duckdb"))
    try:
        phone = con.execute(
            "select phone_e164 from main.list_decisions where list_name = 'everyone_calls' "
            "and list_contains(rule_ids, 'R09') order by phone_e164 limit 1").fetchone()[0]
    finally:
        con.close()
    lines = explain_phone(phone, home, only_list="everyone_calls")
    assert lines[0].startswith("excluded from everyone_calls") and "R09" in lines[0]
    evidence = [line.strip() for line in lines[1:]]
    assert any(line.startswith("evidence R09: opt_out") and "opt_outs/" in line and " line " in line
               for line in evidence), lines

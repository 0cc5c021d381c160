"""A failed dbt build's summary (assets/dbt_failure.py): the failed nodes and why, in the words
the run's outcomes show for every blocked list, with no value from DuckDB's messages."""

from __future__ import annotations

from assets.dbt_failure import SUMMARY_PREFIX, failure_summary
from orchestration.outcomes import _upstream_failure

DISK_FULL = ("Runtime Error in model list_decisions (models/compliance/list_decisions.sql)\n"
             '  IO Error: Could not write file "/home/jane\'s campaign/warehouse.duckdb.tmp/duckdb_temp_storage-2.tmp": '
             "No space left on device")
OUT_OF_MEMORY = ("Runtime Error in model int_contacts (models/people/int_contacts.sql)\n"
                 "  Out of Memory Error: could not allocate block of size 256.0 KiB (5.5 GiB/5.5 GiB used)")
CONVERSION = ("Runtime Error in model stg_donations (models/staging/stg_donations.sql)\n"
              "  Conversion Error: Could not convert string '+19195550123' to INT32")


def _result(unique_id: str, status: str, message: str | None = None, failures: int | None = None) -> dict:
    return {"unique_id": unique_id, "status": status, "message": message, "failures": failures}


def test_the_summary_names_each_failed_node_and_why():
    summary = failure_summary({"results": [
        _result("operation.outreach.outreach-on-run-start-0", "success", "passed"),
        _result("model.outreach.int_voters", "success", "OK"),
        _result("model.outreach.list_decisions", "error", DISK_FULL),
        _result("model.outreach.int_contacts", "error", OUT_OF_MEMORY),
        _result("model.outreach.stg_donations", "error", CONVERSION),
        _result("test.outreach.unique_int_phone_facts_phone_e164.ab12", "fail", "Got 3 results", failures=3),
        _result("model.outreach.list_members", "skipped"),
    ]})
    assert summary == (
        f"{SUMMARY_PREFIX}list_decisions (the disk is full (DuckDB spills to HOME/warehouse.duckdb.tmp)), "
        "int_contacts (DuckDB ran out of memory (OUTREACH_DUCKDB_MEMORY)), stg_donations (Conversion Error), "
        "unique_int_phone_facts_phone_e164 (data test found 3 rows)")
    # Neither the value DuckDB quoted nor the path under HOME.
    assert "9195550123" not in summary and "jane" not in summary


def test_many_failed_nodes_are_counted_past_the_first_five():
    summary = failure_summary({"results": [_result(f"model.outreach.m{n}", "error", CONVERSION) for n in range(8)]})
    assert summary.endswith("m4 (Conversion Error) and 3 more")


def test_no_failed_node_gives_no_summary():
    # dbt stopped before any node (a parse error), or wrote no run results at all.
    assert failure_summary({"results": [_result("model.outreach.a", "skipped")]}) is None
    assert failure_summary({}) is None


def test_a_blocked_list_says_what_failed_in_dbt():
    summary = failure_summary({"results": [_result("model.outreach.list_decisions", "error", DISK_FULL)]})
    detail = _upstream_failure("outreach_dbt", summary)
    assert detail.startswith(f"{SUMMARY_PREFIX}list_decisions (the disk is full")
    assert "details in HOME/dbt_target" in detail
    # A failure dbt gave no node for still says the build failed, and where to look.
    assert _upstream_failure("outreach_dbt", "The dbt CLI process with command").startswith("dbt build failed (")

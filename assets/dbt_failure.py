"""What a failed dbt build says in the run's outcomes: which nodes failed and why, in words an
engineer can act on, from dbt's run_results.json.

A list blocked because dbt failed used to say only "dbt build failed"; a full build at ten
million voters that ran out of disk (DuckDB spills big sorts to HOME) said the same as a broken
model. The summary names nodes, dbt statuses, DuckDB's error class and the causes below; never
a value (DuckDB's messages quote values, and paths under HOME name the campaign)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .dbt_memory import OUT_OF_MEMORY, node_name

# The first line of the message assets/dbt.py raises; orchestration/outcomes.py shows that line.
SUMMARY_PREFIX = "dbt build failed in "
# Causes outside the models, by a phrase of the message dbt records for the node.
_CAUSES = (
    ("No space left on device", "the disk is full (DuckDB spills to HOME/warehouse.duckdb.tmp)"),
    ("Disk quota exceeded", "the disk quota is used up (DuckDB spills to HOME/warehouse.duckdb.tmp)"),
    (OUT_OF_MEMORY, "DuckDB ran out of memory (OUTREACH_DUCKDB_MEMORY)"),
)
# DuckDB's error classes ("Binder Error", "IO Error", "Conversion Error", ...).
_ERROR_CLASS = re.compile(r"\b([A-Z][A-Za-z]*) Error\b")
_MOST_NAMED = 5


def _why(result: Mapping[str, Any]) -> str:
    message = result.get("message") or ""
    for phrase, cause in _CAUSES:
        if phrase in message:
            return cause
    if result.get("status") == "fail":
        failures = result.get("failures")
        return f"data test found {failures} rows" if isinstance(failures, int) else "data test failed"
    # The class DuckDB names after dbt's own "Runtime Error in model ...".
    classes = [match.group(0) for match in _ERROR_CLASS.finditer(message)
               if match.group(1) not in ("Runtime", "Database", "Compilation")]
    return classes[0] if classes else (result.get("status") or "failed")


def failure_summary(run_results: Mapping[str, Any]) -> str | None:
    """`dbt build failed in list_decisions (the disk is full ...)`; None when no node failed
    (dbt stopped before building: its own lines say why)."""
    failed = [result for result in run_results.get("results", [])
              if result.get("status") in ("error", "fail") and result.get("unique_id")]
    if not failed:
        return None
    named = [f"{node_name(result['unique_id'])} ({_why(result)})" for result in failed[:_MOST_NAMED]]
    more = f" and {len(failed) - _MOST_NAMED} more" if len(failed) > _MOST_NAMED else ""
    return SUMMARY_PREFIX + ", ".join(named) + more

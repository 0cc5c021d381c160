"""A dbt build that ran out of DuckDB's memory: what to build again, one model at a time.

dbt's two threads build two models side by side in one DuckDB, under one memory limit
(OUTREACH_DUCKDB_MEMORY). DuckDB spills joins and sorts to disk but not every aggregate, so
two large models together can need more than the limit where each alone fits: a full build at
ten million voters ran out in int_phone_evidence and int_contacts built together
(docs/performance.md). Such a build is worth a second pass with one thread, over the nodes that
did not finish; any other failure is not (a failed data test stays failed).

Pure functions over dbt's run_results.json (assets/dbt.py runs the passes)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# DuckDB's error class, at the start of the message dbt records for the node.
OUT_OF_MEMORY = "Out of Memory Error"
# Node statuses that need no second pass: built, or a data test that passed or only warned.
_FINISHED = frozenset({"success", "pass", "warn"})


@dataclass(frozen=True)
class MemoryRetry:
    out_of_memory: tuple[str, ...]  # node names DuckDB ran out of memory in
    finished: tuple[str, ...]       # node names built or passed: not built again


def node_name(unique_id: str) -> str:
    """`model.outreach.int_voters` -> `int_voters`; `test.outreach.not_null_x.ab12` -> `not_null_x`."""
    return unique_id.split(".")[2]


def memory_retry(run_results: Mapping[str, Any]) -> MemoryRetry | None:
    """The second pass a failed build is worth: None unless every node that did not finish ran
    out of memory, or was skipped because a node before it failed."""
    out_of_memory, finished = [], []
    for result in run_results.get("results", []):
        status = result.get("status")
        if status in _FINISHED:
            # The project's hooks run on every build and cannot be selected or left out.
            if not result["unique_id"].startswith("operation."):
                finished.append(node_name(result["unique_id"]))
        elif status == "error" and OUT_OF_MEMORY in (result.get("message") or ""):
            out_of_memory.append(node_name(result["unique_id"]))
        elif status != "skipped":
            return None
    if not out_of_memory:
        return None
    return MemoryRetry(tuple(sorted(out_of_memory)), tuple(sorted(finished)))


def read_run_results(target: Path) -> dict:
    """run_results.json of the build that wrote `target`; empty when dbt wrote none."""
    try:
        return json.loads((target / "run_results.json").read_text())
    except (OSError, ValueError):
        return {}

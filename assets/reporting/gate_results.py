"""A gate's Great Expectations validation result, kept under the run's report so "why was this
list blocked?" has an answer a day later (`gates/<list>.json`, linked from the manifest, the
Dagster check and the report).

GE's result holds sample values of failing rows (`partial_unexpected_list` and friends): for the
phone expectations those are phone numbers. Only counts, percentages and the expectations' own
configuration (policy constants) are kept; everything else is dropped by name, not by pattern."""

from __future__ import annotations

import json
from pathlib import Path

from .paths import write_private

# Result fields that are counts or shares, never values of a row.
_COUNT_FIELDS = ("element_count", "unexpected_count", "unexpected_percent", "missing_count", "missing_percent",
                 "unexpected_percent_total", "unexpected_percent_nonmissing")


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def sanitized(validation: dict) -> dict:
    """The validation result without any value taken from a row."""
    expectations = []
    for outcome in validation.get("results", []):
        config = outcome.get("expectation_config") or {}
        result = outcome.get("result") or {}
        kept = {name: result[name] for name in _COUNT_FIELDS if _number(result.get(name))}
        if _number(result.get("observed_value")):
            kept["observed_value"] = result["observed_value"]
        expectations.append({
            "name": (config.get("meta") or {}).get("gate", config.get("type")),
            "type": config.get("type"),
            "kwargs": {k: v for k, v in (config.get("kwargs") or {}).items() if k != "batch_id"},
            "success": bool(outcome.get("success")),
            "result": kept,
            "raised_exception": bool((outcome.get("exception_info") or {}).get("raised_exception")),
        })
    meta = validation.get("meta") or {}
    return {
        "success": bool(validation.get("success")),
        "suite_name": validation.get("suite_name"),
        "statistics": {k: v for k, v in (validation.get("statistics") or {}).items() if _number(v)},
        "great_expectations_version": meta.get("great_expectations_version"),
        "expectations": expectations,
    }


def write_gate_result(path: Path, list_name: str, validation: dict | None, configuration_problems: list[str],
                      summary: str) -> dict:
    """Write the gate's record (configuration problems, the summary line, GE's sanitized result)."""
    record = {
        "list": list_name,
        "passed": not configuration_problems and bool(validation and validation.get("success")),
        "summary": summary,
        "configuration_problems": list(configuration_problems),
        "validation": sanitized(validation) if validation else None,
    }
    write_private(path, json.dumps(record, indent=2, default=str) + "\n")
    return record


def read_gate_result(path: Path) -> dict | None:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None

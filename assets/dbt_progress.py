"""One line per dbt model as it finishes, from the lines dbt prints during `dbt build`
(`3 of 203 OK created sql table model main.stg_consents ...... [OK in 0.21s]`): the run is
never silent for the length of a dbt build. Tests that pass are counted by dbt's summary
line instead (there are hundreds); failing ones still come through _DbtSummary's markers.
DuckDB reports no row counts, so none are printed. Only node names and timings: no values."""

from __future__ import annotations

import re

_FINISHED_MODEL = re.compile(
    r"(?P<index>\d+) of (?P<total>\d+) (?P<status>OK|ERROR|SKIP|WARN)\b.*?\bmodel (?P<name>[\w.]+)"
    r".*?\[(?P<result>[^\]]*?)(?: in (?P<seconds>[\d.]+)s)?\]")


def model_progress(line: str) -> str | None:
    """`dbt 3/203 stg_consents OK 0.21s` for a line that reports a finished model, else None."""
    match = _FINISHED_MODEL.search(line)
    if match is None:
        return None
    name = match["name"].rsplit(".", 1)[-1]
    seconds = f" {float(match['seconds']):.2f}s" if match["seconds"] else ""
    return f"dbt {match['index']}/{match['total']} {name} {match['status']}{seconds}"

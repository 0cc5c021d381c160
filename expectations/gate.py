"""Running a list's suite with Great Expectations on the counts DuckDB took of its gate frame.

DuckDB counts, per expectation, the rows of the list's gate frame that break it
(`suites.counts_sql`); GE checks that one-row frame, one expectation per rule. GE cannot
validate DuckDB through its SQL datasource, and importing it costs seconds, so it is imported
lazily, once per process (expectations/preload.py loads it while dbt builds), and each suite
runs inside an ephemeral context. The result is a compact summary: statistics, the names of
the failed expectations and their counts of rows (never row values)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

import pandas as pd

from .suites import Expectation, counts_sql


@dataclass(frozen=True)
class GateResult:
    success: bool
    evaluated: int
    failed: list[str] = field(default_factory=list)
    unexpected_counts: dict[str, int] = field(default_factory=dict)
    # GE's own validation result (to_json_dict), kept in the run's report (assets/reporting).
    validation: dict | None = field(default=None, compare=False, repr=False)

    def summary(self) -> str:
        if self.success:
            return f"{self.evaluated} expectations passed"
        detail = ", ".join(f"{name} ({self.unexpected_counts.get(name, 0)} rows)" if name in self.unexpected_counts else name
                           for name in self.failed)
        return f"{len(self.failed)} of {self.evaluated} expectations failed: {detail}"


def import_gx() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations  # noqa: F401
    from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: F401


def suite_counts(con, frame: str, suite: list[Expectation], parameters: dict | None = None) -> pd.DataFrame:
    """The one-row frame GE checks: per expectation, its count over the gate frame `frame` (a
    table of ours, already quoted, or a query in parentheses taking `parameters`)."""
    return con.execute(counts_sql(frame, suite), parameters).df()


def run_suite(counts: pd.DataFrame, suite: list[Expectation], name: str) -> GateResult:
    """Check `counts` (one row, a column per expectation, from `suite_counts`) with GE."""
    import_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_pandas(f"{name}_source")
        .add_dataframe_asset(f"{name}_frame")
        .add_batch_definition_whole_dataframe(f"{name}_batch")
        .get_batch(batch_parameters={"dataframe": counts})
    )
    gx_suite = gx.ExpectationSuite(name=f"{name}_suite")
    for expectation in suite:
        gx_suite.add_expectation(getattr(gx.expectations, expectation.type)(
            column=expectation.name, **expectation.kwargs, meta={"gate": expectation.name}))
    result = batch.validate(gx_suite)
    breaking = {e.name: e.counts_violations for e in suite}
    failed, unexpected = [], {}
    for outcome in result.results:
        label = (outcome.expectation_config.meta or {}).get("gate", outcome.expectation_config.type)
        if not outcome.success:
            failed.append(label)
            if breaking.get(label) and label in counts.columns and len(counts) == 1:
                unexpected[label] = int(counts[label].iloc[0])
    return GateResult(bool(result.success), len(result.results), failed, unexpected, result.to_json_dict())

"""Running a list's suite with Great Expectations on a pandas frame read from DuckDB.

GE cannot validate DuckDB through its SQL datasource, and importing it costs seconds, so it
is imported lazily, once per process (expectations/preload.py starts it while dbt builds),
and each suite runs inside an ephemeral context. The result is a compact summary:
statistics plus the names of the failed expectations (never row values)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

import pandas as pd

from .suites import Expectation


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


def run_suite(frame: pd.DataFrame, suite: list[Expectation], name: str) -> GateResult:
    from .preload import wait

    wait()
    import_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_pandas(f"{name}_source")
        .add_dataframe_asset(f"{name}_frame")
        .add_batch_definition_whole_dataframe(f"{name}_batch")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    gx_suite = gx.ExpectationSuite(name=f"{name}_suite")
    for expectation in suite:
        gx_suite.add_expectation(getattr(gx.expectations, expectation.type)(**expectation.kwargs, meta={"gate": expectation.name}))
    result = batch.validate(gx_suite)
    failed, counts = [], {}
    for outcome in result.results:
        label = (outcome.expectation_config.meta or {}).get("gate", outcome.expectation_config.type)
        if not outcome.success:
            failed.append(label)
            unexpected = (outcome.result or {}).get("unexpected_count")
            if unexpected is not None:
                counts[label] = int(unexpected)
    return GateResult(bool(result.success), len(result.results), failed, counts, result.to_json_dict())

"""Planning a run's dbt build from what changed since the last one, and recording what the
models reflect once it succeeded (assets/build_state.py, docs/performance.md).

`outreach run` plans before it builds its Dagster job and narrows the job's selection to the
plan. A run the UI, the schedule or the sensor launches is planned when it starts, under
HOME's run lock, by the `build_plan` resource (orchestration/location.py); its dbt step then
builds only the planned models and reuses the rest."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import dagster as dg

from assets.build_state import BuildPlan, changed_sources, current_state, load_build_state, save_build_state, state_after_run
from assets.dbt import load_manifest
from assets.dbt_selection import configured_segments, downstream_of_sources, production_models
from configuration.settings import RunSettings

# The config tables every new as-of rewrites: the as-of itself (with the run's other settings,
# which the per-number hashes hold) and the published prerecorded lists still unexpired at it.
AS_OF_TABLES = frozenset({"config.run", "config.run_day", "config.pending_prerecorded"})


def plan_build(settings: RunSettings, say: Callable[[str], None]) -> BuildPlan:
    """This run's input fingerprints, the dbt models to build when only some inputs changed
    since the last successful build (None: all the lists need), and whether list_decisions may
    decide again only the numbers whose inputs changed. `say` gets one line of counts and
    source family names."""
    if settings.engine != "duckdb":
        # Spark builds its models afresh from the Parquet export each run; its results are
        # loaded into the warehouse, so a later DuckDB run must not take them as its own build.
        return BuildPlan()
    manifest = load_manifest()
    segments = configured_segments(manifest, [spec.segment for spec in settings.lists.lists])
    previous = load_build_state(settings.home)
    before = current_state(settings, segments, previous)
    changed = changed_sources(previous, before)
    if changed is None or not settings.warehouse.exists():
        # (No warehouse: the models an incremental build would reuse are gone with it.)
        return BuildPlan(before=before)
    needed = production_models(manifest, segments)
    models = downstream_of_sources(manifest, changed, needed)
    families = sorted(name.split(".", 1)[1] for name in changed)
    # A changed setting (lists, policy) changes every number's inputs: decide them all. A new
    # as-of (and the pending lists it leaves unexpired) changes only the numbers whose time
    # tests it crossed, which their hashes find (macros/number_delta.sql, settings_hash).
    decisions_delta = not any(name.startswith("config.") and name not in AS_OF_TABLES for name in changed)
    say(f"incremental: {len(models)} of {len(needed)} dbt models to rebuild "
        f"(changed: {', '.join(families) or 'nothing'}); list decisions: "
        f"{'numbers whose inputs changed' if decisions_delta else 'every number'}")
    return BuildPlan(before=before, models=frozenset(models), decisions_delta=decisions_delta)


def record_build(settings: RunSettings, plan: BuildPlan, events: Iterable[dg.DagsterEvent]) -> bool:
    """After a run whose every step up to dbt succeeded, the models reflect `plan.before`: keep
    it for the next run to compare with. Returns whether it was kept."""
    if plan.before is None:
        return False
    events = list(events)
    failed = [e.step_key for e in events if e.is_step_failure
              and not (e.step_key or "").startswith(("lists", "published"))]
    if failed or _erasure_sweep_removed_rows(events):
        return False
    save_build_state(settings.home, state_after_run(settings, plan.before))
    return True


def _erasure_sweep_removed_rows(events: list[dg.DagsterEvent]) -> bool:
    """The sweep blanked raw rows or removed model rows of people forgotten on request: the
    models no longer match what the inputs build, so the next run builds everything."""
    for event in events:
        if not (event.is_step_materialization and event.step_key == "erasure_sweep"):
            continue
        metadata = event.step_materialization_data.materialization.metadata
        for name in ("raw_rows", "model_rows", "quarantine_lines"):
            value = metadata.get(name)
            if value is not None and getattr(value, "value", value):
                return True
    return False

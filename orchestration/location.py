"""Building the Dagster definitions of one Outreach home from its run settings."""

from __future__ import annotations

import dagster as dg

from assets.build_state import BuildPlan
from assets.dbt import DECISIONS_DELTA, DECISIONS_TAG, build_dbt_assets, dbt_resource, load_manifest
from assets.dbt_selection import configured_segments, guard_tests, production_models
from assets.journal.asset import suppressed_numbers_snapshot
from assets.lists import build_list_assets
from assets.retention.asset import erasure_sweep
from assets.publishing import remove_stale_leftovers
from assets.sources_assets import source_assets

from .automation import build_automation, federal_dnc_fresh
from .build_plan import plan_build, record_build
from .home_lock import hold_home, holds_home
from .outcomes import report_launched_run
from configuration.permissions import private_umask, secure_home
from configuration.settings import RunSettings

ALL_ASSETS_JOB = "materialize_everything"


def settings_resource(settings: RunSettings) -> dg.ResourceDefinition:
    """The run's settings, holding HOME's run lock for as long as the run uses them.

    Every asset and check requires `settings`, so every Dagster run (schedule, sensor, UI,
    `outreach run`) takes the lock before its first step and keeps it to its last; a run on
    a home another process holds fails at once with HomeBusyError. Inside `outreach run` the
    process already holds the lock and the resource reuses it (orchestration/home_lock.py).
    A run launched any other way writes its report after its last step, still under the lock
    (`outreach run` writes its own once the run returns).
    """

    @dg.resource(description="Run settings (inbox, home, as-of, lists, policy); holds HOME/.outreach.lock "
                             "during the run and writes the run's report after its last step.")
    def _settings(init_context):
        private_umask()  # a run the UI, schedule or sensor launches writes private files too
        launched_by_outreach_run = holds_home(settings.home)
        with hold_home(settings.home):
            removed = prepare_home(settings)
            if removed:
                init_context.log.info(f"removed {len(removed)} leftover(s) of a run that died while publishing: "
                                      + ", ".join(removed))
            yield settings
            if not launched_by_outreach_run:
                report_launched_run(settings, init_context.instance, init_context.run_id, init_context.log)

    return _settings


def prepare_home(settings: RunSettings) -> list[str]:
    """Under HOME's run lock: HOME and everything in it at its mode, and what dead runs left
    half-published removed (no live writer can own it while we hold the lock)."""
    secure_home(settings.home, settings.lists.publish_mode)
    return remove_stale_leftovers(settings.published)


def build_plan_resource(settings: RunSettings, planned: BuildPlan | None, job_keys) -> dg.ResourceDefinition:
    """The run's BuildPlan (assets/build_state.py), which the dbt step follows.

    `outreach run` plans before it builds the job, narrows the job's selection to the plan and
    records the build itself: `planned` is its plan. A run of the whole job launched any other
    way (the schedule, the sensor, "Materialize all" in the UI) is planned here, under HOME's run
    lock and before its first step reads an input, and the build is recorded here after its
    last step, so the run after it is incremental too. A subset of the job picked in the UI
    builds what was picked and records nothing. `job_keys()`: the job's asset keys."""

    @dg.resource(required_resource_keys={"settings"},
                 description="What the dbt step builds: the models downstream of the inputs changed since the "
                             "last recorded build (HOME/dbt_build_state.json), or every model.")
    def _build_plan(init_context):
        if planned is not None:
            yield planned
            return
        # None or empty: the whole job (a launch of the job, or execute_in_process without a selection).
        selection = init_context.dagster_run.asset_selection
        if selection and not job_keys() <= set(selection):
            init_context.log.info("incremental: not for a subset of the job; dbt builds the models picked")
            yield BuildPlan()
            return
        plan = plan_build(settings, init_context.log.info)
        yield plan
        try:
            events = [entry.dagster_event for entry in init_context.instance.all_logs(init_context.run_id)
                      if entry.dagster_event is not None]
            kept = record_build(settings, plan, events)
        except Exception as error:  # noqa: BLE001 - the dbt step forgot the old state: the next run is full
            init_context.log.warning(f"build state: not recorded ({error.__class__.__name__}); the next run is full")
            return
        if kept:
            init_context.log.info("build state recorded: the next run rebuilds only what changes before it")

    return _build_plan


def production_selection(dbt_assets: dg.AssetsDefinition, settings: RunSettings,
                         dbt_models: set[str] | None = None) -> dg.AssetSelection:
    """Every asset, but of the dbt models only those the configured lists need (or `dbt_models`,
    an incremental run's share of them), and of the dbt tests only the publish guards on them
    (assets/dbt_selection.py); dagster-dbt turns this into dbt's --select."""
    manifest = load_manifest()
    segments = configured_segments(manifest, [spec.segment for spec in settings.lists.lists])
    needed = production_models(manifest, segments)
    models = needed if dbt_models is None else needed & dbt_models
    tests = guard_tests(manifest, models)
    unbuilt = [key for key in dbt_assets.keys if key.path[-1] not in models]
    untested = [spec.key for spec in dbt_assets.check_specs if spec.name not in tests]
    return dg.AssetSelection.all() - dg.AssetSelection.assets(*unbuilt) - dg.AssetSelection.checks(*untested)


def build_definitions(settings: RunSettings, loggers: dict | None = None, plan: BuildPlan | None = None) -> dg.Definitions:
    """`plan`: `outreach run`'s (orchestration/runner.py); the job selects only its dbt models.
    Without one, each run of the job plans itself when it starts (build_plan_resource)."""
    dbt_assets = build_dbt_assets()
    assets = [*source_assets(), dbt_assets, suppressed_numbers_snapshot, erasure_sweep]
    checks = [federal_dnc_fresh]
    for spec in settings.lists.lists:
        list_assets, list_checks = build_list_assets(spec)
        assets += list_assets
        checks += list_checks
    job = dg.define_asset_job(
        ALL_ASSETS_JOB,
        selection=production_selection(dbt_assets, settings, None if plan is None else plan.models),
        executor_def=dg.in_process_executor,
        description=(
            "Pull the HTTP sources, ingest the inbox into DuckDB, build staging, people, compliance, "
            "segments and lists with dbt, gate every list with Great Expectations, publish the lists that pass."
        ),
        tags={"owner": "team:data-engineering",
              **({DECISIONS_TAG: DECISIONS_DELTA} if plan is not None and plan.decisions_delta else {})},
    )
    schedules, sensors = build_automation(ALL_ASSETS_JOB, settings)

    def job_keys() -> set[dg.AssetKey]:
        # Read when a run starts, from the definitions built below.
        return set(definitions.resolve_job_def(ALL_ASSETS_JOB).asset_layer.selected_asset_keys)

    definitions = dg.Definitions(
        assets=assets,
        asset_checks=checks,
        jobs=[job],
        schedules=schedules,
        sensors=sensors,
        resources={"settings": settings_resource(settings), "dbt": dbt_resource(),
                   "build_plan": build_plan_resource(settings, plan, job_keys)},
        executor=dg.in_process_executor,
        loggers=loggers,
    )
    return definitions

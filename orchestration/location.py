"""Building the Dagster definitions of one Outreach home from its run settings."""

from __future__ import annotations

import dagster as dg

from assets.dbt import DECISIONS_DELTA, DECISIONS_TAG, build_dbt_assets, dbt_resource, load_manifest
from assets.dbt_selection import configured_segments, guard_tests, production_models
from assets.journal.asset import suppressed_numbers_snapshot
from assets.lists import build_list_assets
from assets.retention.asset import erasure_sweep
from assets.publishing import remove_stale_leftovers
from assets.sources_assets import source_assets

from .automation import build_automation, federal_dnc_fresh
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


def build_definitions(settings: RunSettings, loggers: dict | None = None,
                      dbt_models: set[str] | None = None, decisions_delta: bool = False) -> dg.Definitions:
    """`dbt_models`: an incremental run's models (orchestration/runner.py); None builds all the lists need.
    `decisions_delta`: that run may decide again only the numbers whose inputs changed."""
    dbt_assets = build_dbt_assets()
    assets = [*source_assets(), dbt_assets, suppressed_numbers_snapshot, erasure_sweep]
    checks = [federal_dnc_fresh]
    for spec in settings.lists.lists:
        list_assets, list_checks = build_list_assets(spec)
        assets += list_assets
        checks += list_checks
    job = dg.define_asset_job(
        ALL_ASSETS_JOB,
        selection=production_selection(dbt_assets, settings, dbt_models),
        executor_def=dg.in_process_executor,
        description=(
            "Pull the HTTP sources, ingest the inbox into DuckDB, build staging, people, compliance, "
            "segments and lists with dbt, gate every list with Great Expectations, publish the lists that pass."
        ),
        tags={"owner": "team:data-engineering", **({DECISIONS_TAG: DECISIONS_DELTA} if decisions_delta else {})},
    )
    schedules, sensors = build_automation(ALL_ASSETS_JOB, settings)
    return dg.Definitions(
        assets=assets,
        asset_checks=checks,
        jobs=[job],
        schedules=schedules,
        sensors=sensors,
        resources={"settings": settings_resource(settings), "dbt": dbt_resource()},
        executor=dg.in_process_executor,
        loggers=loggers,
    )

"""Building the Dagster definitions of one Outreach home from its run settings."""

from __future__ import annotations

import dagster as dg

from assets.dbt import build_dbt_assets, dbt_resource
from assets.lists import build_list_assets
from assets.sources_assets import source_assets

from .automation import build_automation, federal_dnc_fresh
from configuration.settings import RunSettings

ALL_ASSETS_JOB = "materialize_everything"


def build_definitions(settings: RunSettings, loggers: dict | None = None) -> dg.Definitions:
    assets = [*source_assets(), build_dbt_assets()]
    checks = [federal_dnc_fresh]
    for spec in settings.lists.lists:
        list_assets, list_checks = build_list_assets(spec)
        assets += list_assets
        checks += list_checks
    job = dg.define_asset_job(
        ALL_ASSETS_JOB,
        selection=dg.AssetSelection.all(),
        executor_def=dg.in_process_executor,
        description=(
            "Pull the HTTP sources, ingest the inbox into DuckDB, build staging, people, compliance, "
            "segments and lists with dbt, gate every list with Great Expectations, publish the lists that pass."
        ),
        tags={"owner": "team:data-engineering"},
    )
    schedules, sensors = build_automation(ALL_ASSETS_JOB, settings)
    return dg.Definitions(
        assets=assets,
        asset_checks=checks,
        jobs=[job],
        schedules=schedules,
        sensors=sensors,
        resources={"settings": settings, "dbt": dbt_resource()},
        executor=dg.in_process_executor,
        loggers=loggers,
    )

"""Dagster assets that load the inbox and the run's configuration, beside the phone reference tables.

The suppression and consent families (assets/ledger/tables.py) also append what they read to
the durable ledger, in the same step and on the same connection, before anything is built
from them; `ledger_absorb` then copies the whole ledger into the warehouse schema `ledger`."""

import contextlib
import shutil

import dagster as dg
import duckdb

from configuration.settings import RunSettings

from .ingest.inbox import folder_files
from .ingest.progress import family_progress
from .ingest.reading import FileLoad, FilesNotRead, ReadOptions, ensure_bookkeeping_tables
from .ingest.sources import SOURCE_FAMILIES, SourceFamily
from .ingest.unchanged import family_fingerprint, forget_fingerprint, is_unchanged, record_change, remember_fingerprint
from .ledger import LEDGER_FAMILIES, absorb_family, ledger_path, snapshot_folder
from .ledger.asset import ledger_absorb
from .phones.asset import phone_reference
from .private_errors import InputReadError, duckdb_error_summary
from .run_config import CONFIG_TABLES, write_run_config
from .warehouse import connect


HTTP_PULL = dg.AssetKey(["inbox", "http_pull"])
# Under HOME: one folder per source family for the inbox files it decompresses or converts.
SCRATCH_FOLDER = ".ingest-scratch"


@dg.asset(key=HTTP_PULL, group_name="ingest", kinds={"python"},
          description="Pulls the HTTP sources of HOME/sources.yaml (Mobilize, ActBlue, federal DNC) into the inbox.")
def pull_http_sources(context: dg.AssetExecutionContext, settings: dg.ResourceParam[RunSettings]):
    # A source that cannot be pulled stops the run: its opt-outs and DNC entries may be missing.
    from .http_sources import pull_http_sources as pull

    results = pull(settings.home, settings.inbox, log=context.log.info)
    return dg.MaterializeResult(metadata={"sources": dg.MetadataValue.json(results)})


def _table_columns(family: SourceFamily) -> list[str]:
    """`table.column` of every raw table the family fills, as its loaders define them: a new
    column makes the recorded rows stale."""
    from .ingest.contact_records import CONTACT_RECORD_SOURCES
    from .ingest.dnc import DNC_COLUMNS
    from .ingest.donations import DONATION_COLUMNS
    from .ingest.volunteers import VOLUNTEER_COLUMNS
    from .ingest.voters import HISTORY_TABLES, VOTER_TABLES

    layouts = {**VOTER_TABLES, **HISTORY_TABLES, "donations": DONATION_COLUMNS, "volunteers": VOLUNTEER_COLUMNS,
               "dnc_entries": DNC_COLUMNS, **{spec.table: spec.table_columns for spec in CONTACT_RECORD_SOURCES}}
    return [f"{table}.{column}" for table in family.tables for column in layouts.get(table, [])]


def recorded_loads(con: duckdb.DuckDBPyConnection, family: str) -> list[FileLoad]:
    """The family's files as the last complete load recorded them in raw.ingest_files."""
    rows = con.execute("select source, _file, encoding, layout, rows_read, rows_loaded, rows_quarantined, "
                       "skipped_reason from raw.ingest_files where source = ? and skipped_reason is null "
                       "order by _file", [family]).fetchall()
    return [FileLoad(*row) for row in rows]


def ingest_asset(family: SourceFamily) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name=f"ingest_{family.name}",
        specs=[dg.AssetSpec(["raw", table], group_name="ingest", description=family.description, kinds={"duckdb"},
                            deps=[HTTP_PULL])
               for table in family.tables],
        can_subset=False,
    )
    def _ingest(context: dg.AssetExecutionContext, settings: dg.ResourceParam[RunSettings]):
        keeps_ledger = family.name in LEDGER_FAMILIES
        # Hashed before the files are read, so the ledger records the bytes the raw tables came from.
        snapshot = snapshot_folder(settings.inbox, family.name) if keeps_ledger else None
        # Decompressed and converted copies of inbox files hold personal data: they go to a
        # private folder under HOME, emptied before and after (a killed run's copies go next time).
        scratch = settings.home / SCRATCH_FOLDER / family.name
        shutil.rmtree(scratch, ignore_errors=True)
        options = ReadOptions(max_line_bytes=settings.policy.max_line_bytes, scratch=scratch)
        # The same files as the last complete load: keep its rows, read nothing (assets/ingest/unchanged.py).
        fingerprint = family_fingerprint(
            settings.inbox, family.name, options.max_line_bytes, _table_columns(family),
            {rel: version.sha256 for rel, version in snapshot.items()} if snapshot else None)
        try:
            with connect(settings.warehouse) as con:
                skipped = (is_unchanged(con, family.name, fingerprint, family.tables)
                           and (not keeps_ledger or ledger_path(settings.home).exists()))
                if skipped:
                    loads = recorded_loads(con, family.name)
                    added = {}
                else:
                    # Until this load is complete the family counts as changed and has no fingerprint.
                    forget_fingerprint(con, family.name)
                    record_change(con, family.name, True, 0)
                    try:
                        with family_progress(family.name, len(folder_files(settings.inbox, family.name)),
                                             context.log.info):
                            loads = family.load(con, settings.inbox, options=options)
                    except FilesNotRead:
                        # The family fails, naming every such file; what was read, and the
                        # quarantined lines of an opt-out file that was not, are kept first.
                        if keeps_ledger:
                            absorb_family(con, settings.home, settings.inbox, family.name, snapshot)
                        raise
                    except duckdb.Error as error:
                        # DuckDB quotes the line it choked on; the run's record must not hold it.
                        raise InputReadError(duckdb_error_summary(error, settings.inbox, f"a file under {family.name}/")) from None
                    added = absorb_family(con, settings.home, settings.inbox, family.name, snapshot) if keeps_ledger else {}
                    remember_fingerprint(con, family.name, fingerprint)
                record_change(con, family.name, not skipped, len(loads))
                counts = {table: con.execute(f"select count(*) from raw.{table}").fetchone()[0] for table in family.tables}
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
            with contextlib.suppress(OSError):  # another family's copies may still be there
                scratch.parent.rmdir()
        if skipped:
            context.log.info(f"{family.name}: unchanged since the last run ({len(loads)} files, same sha256); "
                             "its rows are kept, nothing read")
        read = sum(load.rows_read for load in loads)
        loaded = sum(load.rows_loaded for load in loads)
        quarantined = sum(load.rows_quarantined for load in loads)
        latin1 = sum(1 for load in loads if load.encoding == "latin-1")
        context.log.info(f"{family.name}: {len(loads)} files, {read:,} rows read, {loaded:,} loaded, {quarantined:,} quarantined")
        if keeps_ledger:
            context.log.info(f"{family.name}: {sum(added.values()):,} new rows in the ledger")
        for table in family.tables:
            yield dg.MaterializeResult(
                asset_key=["raw", table],
                metadata={
                    "files": len(loads),
                    "rows_read": read,
                    "rows_loaded": loaded,
                    "rows_quarantined": quarantined,
                    "reconciled": read == loaded + quarantined,
                    "latin1_files": latin1,
                    "dagster/row_count": counts[table],
                    **({"ledger_rows_added": sum(added.values())} if keeps_ledger else {}),
                    "unchanged_skipped": skipped,
                },
            )

    return _ingest


@dg.multi_asset(
    specs=[dg.AssetSpec(["config", name], group_name="configuration", kinds={"duckdb"},
                        description=f"The run's {name} settings from the CLI, lists.yaml and policy.yaml.")
           for name in CONFIG_TABLES],
    can_subset=False,
)
def run_settings(context: dg.AssetExecutionContext, settings: dg.ResourceParam[RunSettings]):
    with connect(settings.warehouse) as con:
        ensure_bookkeeping_tables(con)
        write_run_config(con, settings)
    for name in CONFIG_TABLES:
        yield dg.MaterializeResult(
            asset_key=["config", name],
            metadata={"as_of": settings.as_of.isoformat(), "policy_version": settings.policy.version},
        )


def source_assets() -> list[dg.AssetsDefinition]:
    return [pull_http_sources, *[ingest_asset(family) for family in SOURCE_FAMILIES], ledger_absorb, phone_reference,
            run_settings]

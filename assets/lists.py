"""Per configured list: the list's rows (`lists/<name>`), its blocking gate, and publishing
(`published/<name>`). A failing gate blocks that list only; the previous version stays."""


import json

import dagster as dg

from expectations.kept_facts import table_columns
from expectations.suites import suite_for
from configuration.config_files import ListSpec
from configuration.settings import RunSettings

from .publishing import backwards_problem, publish_version
from .reporting.dagster_metadata import suppressed_metadata, waterfall_metadata
from .reporting.gate_results import write_gate_result
from .reporting.paths import gate_result_path, report_path
from .reporting.waterfall import candidates_and_suppressed, decision_groups, rule_order, waterfall_from_groups
from .sql_text import sql_string
from .warehouse import connect

DBT_INPUTS = [dg.AssetKey("list_members"), dg.AssetKey("list_decisions"), dg.AssetKey("dnc_snapshots")]
# The inbox listing fails while an entry no source reads is there (a misplaced opt-out file):
# every list waits on it (assets/ingest/sources.py, list_unclaimed).
INBOX_LISTING = dg.AssetKey(["raw", "ingest_files"])

# The list's rows as the models built them: a view of its rows of main.list_members (stored
# together, so nothing is copied). The gate does not trust their compliance columns: it joins
# these rows to facts it derives itself (expectations/facts.py, GATE_FRAME there), and records a
# fingerprint of the rows it checked, which publishing compares with the rows it writes.
_LIST_ROWS = "select * from main.list_members where list_name = {list_name}"
# Row count and a sum of row hashes (a sum: two equal rows do not cancel); no value in it.
_ROWS_FINGERPRINT = "select count(*), coalesce(sum(hash(m)::hugeint), 0)::varchar from {table} m"


class RowsChangedSinceGate(RuntimeError):
    """The list's rows are not the rows its gate checked (or no gate recorded them)."""


def _table(spec: ListSpec, suffix: str = "") -> str:
    return f'lists."{spec.name}{suffix}"'


def list_problems(con, spec: ListSpec, settings: RunSettings) -> list[str]:
    """List-level reasons to block, found before any row is looked at."""
    problems = list(spec.problems)
    segment_built = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'main' and table_name = ?", [spec.segment]
    ).fetchone()[0]
    if not segment_built:
        problems.append(f"segment '{spec.segment}' is not a built segment model")
    # R29: a list must not outlive its inputs; consent-dependent channels at most a day.
    hours = settings.policy.expires_hours(spec.effective_channel)
    ceiling = 24 if settings.policy.is_consent_dependent(spec.effective_channel) else 72
    if not 0 < hours <= ceiling:
        problems.append(f"expires_hours {hours} for {spec.effective_channel} is outside 1 to {ceiling} (R29)")
    if spec.purpose in settings.policy.data["dnc_scrub_purposes"]:
        from expectations.facts import newest_federal_snapshot

        # Read from the do-not-call files as loaded, not from the models that scrub with them.
        as_of_date = settings.as_of.date()
        newest = newest_federal_snapshot(con, as_of_date)
        age = None if newest is None else (as_of_date - newest).days
        limit = settings.policy.data["dnc_max_age_days"]
        if age is None or age > limit:
            problems.append(f"federal DNC snapshot {'missing' if age is None else f'{age} days old'}, more than {limit} (R20)")
    # LATEST never moves backwards: a replay with an older as-of would hide later opt-outs.
    backwards = backwards_problem(settings.published / spec.name, settings.as_of)
    if backwards:
        problems.append(backwards)
    return problems


def _list_context(spec: ListSpec, settings: RunSettings):
    from expectations.facts import ListContext

    specs = list(settings.lists.lists)
    index = next(i for i, s in enumerate(specs) if s.name == spec.name)
    return ListContext(
        name=spec.name,
        effective_channel=spec.effective_channel,
        purpose=spec.purpose,
        live_operator_intro=(spec.prerecorded or {}).get("live_operator_intro") is True,
        # R13 "counting this one": earlier lists of this run on the same (capped) channel.
        earlier_lists=tuple(s.name for s in specs[:index] if s.effective_channel == spec.effective_channel),
    )


def build_list_assets(spec: ListSpec) -> tuple[list[dg.AssetsDefinition], list[dg.AssetChecksDefinition]]:
    list_key = dg.AssetKey(["lists", spec.name])

    @dg.asset(key=list_key, deps=[*DBT_INPUTS, INBOX_LISTING], group_name="lists", kinds={"duckdb"},
              description=f"Rows of list {spec.name} ({spec.channel}, segment {spec.segment}).")
    def list_rows(context: dg.AssetExecutionContext, settings: dg.ResourceParam[RunSettings]):
        with connect(settings.warehouse) as con:
            con.execute("create schema if not exists lists")
            _view_rows(con, spec)
            _view_decisions(con, spec)
            rows = con.execute(f"select count(*) from {_table(spec)}").fetchone()[0]
            candidates, suppressed, waterfall = _decision_counts(con, spec, settings)
        context.log.info(f"{spec.name}: {candidates:,} candidates, {rows:,} rows")
        return dg.MaterializeResult(metadata={
            "dagster/row_count": rows, "candidates": candidates,
            "waterfall": waterfall_metadata(candidates, waterfall, rows, _rule_texts(settings)),
            "suppressed": suppressed_metadata(suppressed, _rule_texts(settings)),
            "expires_at": _expires_at(spec, settings),
            "report": dg.MetadataValue.path(str(report_path(settings.home, context.run.run_id))),
        })

    @dg.asset_check(asset=list_key, name="gate", blocking=True,
                    description=f"Great Expectations suite for {spec.effective_channel}, configuration and freshness.")
    def gate(context: dg.AssetCheckExecutionContext, settings: dg.ResourceParam[RunSettings]) -> dg.AssetCheckResult:
        from expectations.facts import FactInputs, ensure_facts, gate_frame_select, keep_gate_frame
        from expectations.gate import run_suite, suite_counts

        inputs = FactInputs(as_of=settings.as_of, caller_entity=settings.lists.caller_entity, policy=settings.policy.data)
        with connect(settings.warehouse) as con:
            problems = list_problems(con, spec, settings)
            gated_rows = _rows_fingerprint(con, spec)
            # Built by the first gate of the run, then reused: the facts are the same for every list.
            fact_counts = ensure_facts(con, inputs, run_id=context.run.run_id, published=settings.published,
                                       run_lists=[s.name for s in settings.lists.lists])
            suite = suite_for(settings.policy.data["channels"][spec.effective_channel], settings.policy.data, spec.purpose)
            context_of_list = _list_context(spec, settings)
            frame, parameters = gate_frame_select(context_of_list, inputs, _table(spec))
            result = run_suite(suite_counts(con, f"({frame})", suite, parameters), suite, spec.name)
            # The frame is written out only for a failed suite: a copy of every list with its
            # facts cost 42 s a run at 10M voters, for rows nobody needs to look into.
            if result.success:
                con.execute(f"drop table if exists {_table(spec, '__gate')}")
            else:
                keep_gate_frame(con, context_of_list, inputs, _table(spec, "__gate"), _table(spec))
            gates = [{"name": "configuration", "success": not problems}] + [
                {"name": expectation.name, "success": expectation.name not in result.failed} for expectation in suite
            ]
            con.execute(f"create or replace table {_table(spec, '__gates')} as "
                        "select * from (values (?, ?)) t(gates, rows_fingerprint)", [json.dumps(gates), gated_rows])
        passed = result.success and not problems
        reasons = problems + ([] if result.success else [result.summary()])
        # Kept under the run's report: the reason a list was blocked, readable a day later.
        result_path = gate_result_path(settings.home, context.run.run_id, spec.name)
        write_gate_result(result_path, spec.name, result.validation, problems,
                          "; ".join(reasons) if reasons else result.summary())
        return dg.AssetCheckResult(
            passed=passed,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "summary": "; ".join(reasons) if reasons else result.summary(),
                "evaluated_expectations": result.evaluated,
                "failed_expectations": dg.MetadataValue.json(result.failed),
                "unexpected_counts": dg.MetadataValue.json(result.unexpected_counts),
                "configuration_problems": dg.MetadataValue.json(problems),
                "gate_facts": dg.MetadataValue.json(fact_counts),
                "validation_result": dg.MetadataValue.path(str(result_path)),
                "report": dg.MetadataValue.path(str(report_path(settings.home, context.run.run_id))),
            },
        )

    @dg.asset(key=["published", spec.name], deps=[list_key], group_name="published",
              description=f"Versioned files of list {spec.name} under HOME/published/{spec.name}/.")
    def published(context: dg.AssetExecutionContext, settings: dg.ResourceParam[RunSettings]):
        hours = settings.policy.expires_hours(spec.effective_channel)
        with connect(settings.warehouse) as con:
            candidates, suppressed, waterfall = _decision_counts(con, spec, settings)
            gates, rows = _rows_as_gated(con, spec)
            version, manifest = publish_version(
                con,
                published=settings.published,
                list_name=spec.name,
                members_table=_table(spec),
                decisions_table=_table(spec, "__decisions"),
                manifest_fields={
                    "channel": spec.channel,
                    "effective_channel": spec.effective_channel,
                    "purpose": spec.purpose,
                    "segment": spec.segment,
                    "caller_entity": settings.lists.caller_entity,
                    "caller_entity_type": settings.lists.caller_entity_type,
                    "policy": {"version": settings.policy.version, "sha256": settings.policy.sha256},
                    "gates": gates,
                    "candidates": candidates,
                    "excluded": candidates - rows,
                    "suppressed": suppressed,
                    # Each excluded row once, at its first rule in the rules table's order (docs/report.md).
                    "waterfall": waterfall,
                    "gate_results": str(gate_result_path(settings.home, context.run.run_id, spec.name)),
                    "report": str(report_path(settings.home, context.run.run_id)),
                    "rules": {rule: settings.policy.data["rules"].get(rule, {}) for rule in suppressed},
                },
                as_of=settings.as_of,
                expires_hours=hours,
                exports=spec.exports,
                publish_mode=settings.lists.publish_mode,
            )
        context.log.info(f"{spec.name}: published version {version} with {manifest['row_count']:,} rows")
        version_dir = settings.published / spec.name / version
        return dg.MaterializeResult(metadata={
            "version": version, "dagster/row_count": manifest["row_count"],
            "path": str(version_dir),
            "manifest": dg.MetadataValue.path(str(version_dir / "manifest.json")),
            "expires_at": manifest["expires_at"],
            "candidates": candidates,
            "waterfall": waterfall_metadata(candidates, waterfall, manifest["row_count"], _rule_texts(settings)),
            "report": dg.MetadataValue.path(manifest["report"]),
            "exports": dg.MetadataValue.json(list(spec.exports)),
        })

    return [list_rows, published], [gate]


def _view_rows(con, spec: ListSpec) -> None:
    """`lists.<name>`: the list's rows of main.list_members, as a view. A copy cost a write of
    every row each run (3.5 s for a 4.4 M-row list at 10M); the rows of a list are stored
    together, so the gate and publishing read them filtered for about what the copy cost them."""
    _replace_with_view(con, spec, "", _LIST_ROWS.format(list_name=sql_string(spec.name)))


def _view_decisions(con, spec: ListSpec) -> None:
    """`lists.<name>__decisions`: the list's rows of main.list_decisions, as a view. A copy cost
    every list a pass over the table's evidence (8.7 s for a 4.8 M-row list at 10M), while what
    reads it (the counts, the waterfall, decisions.parquet) reads it filtered anyway."""
    _replace_with_view(con, spec, "__decisions",
                       "select contact_id, phone_e164, included, rule_ids, evidence from main.list_decisions "
                       f"where list_name = {sql_string(spec.name)}")


def _replace_with_view(con, spec: ListSpec, suffix: str, select: str) -> None:
    """`lists.<name><suffix>` as a view of `select` (whose list name went in through the
    quoting helper: a view's text cannot take a parameter)."""
    kind = con.execute(
        "select table_type from information_schema.tables where table_catalog = current_database() "
        "and table_schema = 'lists' and table_name = ?", [f"{spec.name}{suffix}"]).fetchone()
    if kind is not None and kind[0] != "VIEW":
        con.execute(f"drop table {_table(spec, suffix)}")  # the copy an earlier version made
    con.execute(f"create or replace view {_table(spec, suffix)} as {select}")


def _rows_fingerprint(con, spec: ListSpec) -> str:
    count, total = con.execute(_ROWS_FINGERPRINT.format(table=_table(spec))).fetchone()
    return f"{count}:{total}"


def _rows_as_gated(con, spec: ListSpec) -> tuple[list[dict], int]:
    """The gates recorded for the list and its row count, once its rows are checked to be those
    its gate saw: a build of the models after the gate (another run's) must not publish rows no
    gate checked. Raises RowsChangedSinceGate otherwise."""
    gates_table = _table(spec, "__gates")
    recorded = (con.execute(f"select gates, rows_fingerprint from {gates_table}").fetchone()
                if "rows_fingerprint" in table_columns(con, "lists", f"{spec.name}__gates") else None)
    now = _rows_fingerprint(con, spec)
    if recorded is None or recorded[1] != now:
        gated = "no rows recorded" if recorded is None else f"{recorded[1].split(':')[0]} rows"
        raise RowsChangedSinceGate(f"{spec.name}: the list's rows changed since its gate ran ({gated} gated, "
                                   f"{now.split(':')[0]} now); not published: run its gate again")
    return json.loads(recorded[0]), int(now.split(":")[0])


def _decision_counts(con, spec: ListSpec, settings: RunSettings) -> tuple[int, dict[str, int], dict[str, int]]:
    """(candidates, excluded rows per rule id, the waterfall), from one grouped scan of the list's decisions."""
    groups = decision_groups(con, f"lists.{spec.name}__decisions")
    candidates, suppressed = candidates_and_suppressed(groups)
    _, waterfall, _ = waterfall_from_groups(groups, rule_order(settings.policy.data["rules"]))
    return candidates, suppressed, waterfall


def _rule_texts(settings: RunSettings) -> dict[str, str]:
    return {rule: (entry or {}).get("text", "") for rule, entry in settings.policy.data["rules"].items()}


def _expires_at(spec: ListSpec, settings: RunSettings) -> str:
    from datetime import timedelta

    return (settings.as_of + timedelta(hours=settings.policy.expires_hours(spec.effective_channel))).isoformat()

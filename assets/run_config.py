"""The run's settings as tables in schema `config`, so dbt models read as-of, the caller
entity, the policy and the lists in SQL and an analyst can see what a run was given."""

from __future__ import annotations

import duckdb

from orchestration.settings import RunSettings


def write_run_config(con: duckdb.DuckDBPyConnection, settings: RunSettings) -> None:
    policy = settings.policy.data
    con.execute("create schema if not exists config")
    con.execute(
        """create or replace table config.run as select
            $as_of::timestamptz as as_of, $caller_entity as caller_entity, $caller_entity_type as caller_entity_type,
            $policy_version as policy_version, $policy_sha256 as policy_sha256,
            $window_start::time as window_start, $window_end::time as window_end,
            $unknown_start::time as unknown_zone_window_start, $unknown_end::time as unknown_zone_window_end,
            $unknown_zone as unknown_zone_time_zone,
            $line_type_max_age_days::integer as line_type_max_age_days,
            $cap_calls::integer as prerecorded_cap_calls, $cap_days::integer as prerecorded_cap_days,
            $nh_dnc::boolean as nh_prerecorded_federal_dnc, $dnc_max_age_days::integer as dnc_max_age_days""",
        {
            "as_of": settings.as_of.isoformat(),
            "caller_entity": settings.lists.caller_entity,
            "caller_entity_type": settings.lists.caller_entity_type,
            "policy_version": settings.policy.version,
            "policy_sha256": settings.policy.sha256,
            "window_start": policy["calling_window"]["start"],
            "window_end": policy["calling_window"]["end"],
            "unknown_start": policy["unknown_zone_window"]["start"],
            "unknown_end": policy["unknown_zone_window"]["end"],
            "unknown_zone": policy["unknown_zone_window"]["time_zone"],
            "line_type_max_age_days": policy["line_type_max_age_days"],
            "cap_calls": policy["prerecorded_cap"]["calls"],
            "cap_days": policy["prerecorded_cap"]["days"],
            "nh_dnc": policy["nh_prerecorded_federal_dnc"],
            "dnc_max_age_days": policy["dnc_max_age_days"],
        },
    )
    con.execute(
        """create or replace table config.lists (
            name varchar, segment varchar, channel varchar, effective_channel varchar, purpose varchar,
            live_operator_intro boolean, problems varchar[])"""
    )
    for spec in settings.lists.lists:
        con.execute(
            "insert into config.lists values (?, ?, ?, ?, ?, ?, ?)",
            [spec.name, spec.segment, spec.channel, spec.effective_channel, spec.purpose,
             spec.prerecorded.get("live_operator_intro") is True, list(spec.problems)],
        )
    con.execute("create or replace table config.state_rules (rule varchar, state varchar)")
    for rule, key in (("prerecorded_consent", "prerecorded_consent_states"),
                      ("commercial_forbidden_voter", "commercial_forbidden_voter_states")):
        for state in policy[key]:
            con.execute("insert into config.state_rules values (?, ?)", [rule, str(state).upper()])
    con.execute("create or replace table config.sms_keywords (keyword varchar, match_kind varchar)")
    for kind in ("starts_with", "contains", "review_starts_with"):
        for keyword in policy["sms_opt_out"].get(kind, []):
            con.execute("insert into config.sms_keywords values (?, ?)", [str(keyword).strip().lower(), kind])

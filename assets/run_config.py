"""The run's settings as tables in schema `config`, so dbt models read as-of, the caller
entity, the policy and the lists in SQL, and an analyst can see what a run was given."""

from __future__ import annotations

import duckdb
import pandas as pd

from configuration.config_files import CHANNELS
from configuration.settings import RunSettings

CONFIG_TABLES = ("run", "lists", "channels", "rules", "window_overrides", "purposes", "state_rules", "sms_keywords")


def _replace(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, types: dict[str, str]) -> None:
    """Create config.<table> from rows with explicit column types (an empty frame still has them)."""
    columns = ", ".join(f"{name} {kind}" for name, kind in types.items())
    con.execute(f"create or replace table config.{table} ({columns})")
    if len(frame):
        con.register("_rows", frame)
        con.execute(f"insert into config.{table} select {', '.join(f'{n}::{k}' for n, k in types.items())} from _rows")
        con.unregister("_rows")


def write_run_config(con: duckdb.DuckDBPyConnection, settings: RunSettings) -> None:
    policy = settings.policy.data
    con.execute("create schema if not exists config")
    run = {
        "as_of": settings.as_of.isoformat(),
        "caller_entity": settings.lists.caller_entity,
        "caller_entity_type": settings.lists.caller_entity_type,
        "policy_version": settings.policy.version,
        "policy_sha256": settings.policy.sha256,
        "window_start": policy["calling_window"]["start"],
        "window_end": policy["calling_window"]["end"],
        "unknown_zone_window_start": policy["unknown_zone_window"]["start"],
        "unknown_zone_window_end": policy["unknown_zone_window"]["end"],
        "unknown_zone_time_zone": policy["unknown_zone_window"]["time_zone"],
        "nh_prerecorded_federal_dnc": policy["nh_prerecorded_federal_dnc"],
        "dnc_max_age_days": policy["dnc_max_age_days"],
    }
    _replace(con, "run", pd.DataFrame([run]), {
        "as_of": "timestamptz", "caller_entity": "varchar", "caller_entity_type": "varchar",
        "policy_version": "varchar", "policy_sha256": "varchar", "window_start": "time", "window_end": "time",
        "unknown_zone_window_start": "time", "unknown_zone_window_end": "time", "unknown_zone_time_zone": "varchar",
        "nh_prerecorded_federal_dnc": "boolean", "dnc_max_age_days": "integer",
    })
    _replace(con, "lists", pd.DataFrame([
        {"name": s.name, "segment": s.segment, "channel": s.channel, "effective_channel": s.effective_channel,
         "purpose": s.purpose, "live_operator_intro": s.prerecorded.get("live_operator_intro") is True,
         "problems": list(s.problems)}
        for s in settings.lists.lists
    ]), {"name": "varchar", "segment": "varchar", "channel": "varchar", "effective_channel": "varchar",
         "purpose": "varchar", "live_operator_intro": "boolean", "problems": "varchar[]"})
    channels = []
    for name in CHANNELS:
        channel = policy["channels"][name]
        cap = channel.get("cap") or {}
        channels.append({
            "channel": name,
            "consent_scope": channel["consent_scope"],
            "consent_rule_id": channel.get("consent_rule", "R06"),
            "consent_required_line_types": list(channel["consent_required_line_types"]),
            "toll_free_needs_consent": bool(channel.get("toll_free_needs_consent", False)),
            "allowed_line_types": channel["allowed_line_types"],
            "line_type_rule_id": channel.get("line_type_rule", "R03"),
            "line_type_max_age_days": channel.get("line_type_max_age_days"),
            "cap_calls": cap.get("calls"),
            "cap_days": cap.get("days"),
            "state_rules": bool(channel.get("state_rules", False)),
            "expires_hours": channel["expires_hours"],
        })
    _replace(con, "channels", pd.DataFrame(channels), {
        "channel": "varchar", "consent_scope": "varchar", "consent_rule_id": "varchar",
        "consent_required_line_types": "varchar[]", "toll_free_needs_consent": "boolean",
        "allowed_line_types": "varchar[]", "line_type_rule_id": "varchar", "line_type_max_age_days": "integer",
        "cap_calls": "integer", "cap_days": "integer", "state_rules": "boolean", "expires_hours": "integer",
    })
    _replace(con, "rules", pd.DataFrame([
        {"rule_id": rule_id, "confidence": rule["confidence"], "description": rule["text"]}
        for rule_id, rule in policy["rules"].items()
    ]), {"rule_id": "varchar", "confidence": "varchar", "description": "varchar"})
    _replace(con, "window_overrides", pd.DataFrame([
        {"state": str(o["state"]).upper(), "channel": channel, "window_start": o["start"], "window_end": o["end"]}
        for o in policy.get("window_overrides") or [] for channel in o["channels"]
    ]), {"state": "varchar", "channel": "varchar", "window_start": "time", "window_end": "time"})
    _replace(con, "purposes", pd.DataFrame([
        {"purpose": purpose, "dnc_scrub": purpose in policy["dnc_scrub_purposes"],
         "voter_states_restricted": purpose == "commercial"}
        for purpose in ("political", "fundraising_political", "poll", "commercial")
    ]), {"purpose": "varchar", "dnc_scrub": "boolean", "voter_states_restricted": "boolean"})
    _replace(con, "state_rules", pd.DataFrame(
        [{"rule": "prerecorded_consent", "state": str(s).upper()} for s in policy["prerecorded_consent_states"]]
        + [{"rule": "commercial_forbidden_voter", "state": str(s).upper()} for s in policy["commercial_forbidden_voter_states"]]
    ), {"rule": "varchar", "state": "varchar"})
    _replace(con, "sms_keywords", pd.DataFrame([
        {"keyword": str(k).strip().lower(), "match_kind": kind}
        for kind in ("starts_with", "contains", "review_starts_with") for k in policy["sms_opt_out"].get(kind, [])
    ]), {"keyword": "varchar", "match_kind": "varchar"})

"""The run's settings as tables in schema `config`, so dbt models read as-of, the caller
entity, the policy and the lists in SQL, and an analyst can see what a run was given."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from configuration.config_files import CHANNELS
from configuration.settings import RunSettings

from .sql_text import exact_path

CONFIG_TABLES = ("run", "run_day", "caller", "lists", "channels", "rules", "window_overrides", "purposes", "state_rules", "sms_keywords",
                 "pending_prerecorded")

# Policy keys another change adds to policy.yaml; read with these defaults until then (R16).
POLICY_DEFAULTS = {"rnd_max_age_days": 30, "rnd_consent_cutoff_date": "2021-01-27"}
CAPPED_CHANNEL = "prerecorded_call_landline"


class PublishedListError(RuntimeError):
    """A published list this run must count (R13) cannot be read: the run fails closed."""


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
        "rnd_max_age_days": int(policy.get("rnd_max_age_days", POLICY_DEFAULTS["rnd_max_age_days"])),
        "rnd_consent_cutoff_date": _as_date(policy.get("rnd_consent_cutoff_date", POLICY_DEFAULTS["rnd_consent_cutoff_date"])),
    }
    _replace(con, "run", pd.DataFrame([run]), {
        "as_of": "timestamptz", "caller_entity": "varchar", "caller_entity_type": "varchar",
        "policy_version": "varchar", "policy_sha256": "varchar", "window_start": "time", "window_end": "time",
        "unknown_zone_window_start": "time", "unknown_zone_window_end": "time", "unknown_zone_time_zone": "varchar",
        "nh_prerecorded_federal_dnc": "boolean", "dnc_max_age_days": "integer",
        "rnd_max_age_days": "integer", "rnd_consent_cutoff_date": "date",
    })
    # The as-of's UTC day on its own: the models that read only the day (turnout, primary
    # ballots, the survey's age bands) are then downstream of this table, not of config.run,
    # and a later run on the same day reuses them (docs/performance.md).
    _replace(con, "run_day", pd.DataFrame([{"as_of_date": settings.as_of.astimezone(timezone.utc).date()}]),
             {"as_of_date": "date"})
    # The caller entity on its own: what reads it but not the as-of is then downstream of this
    # table only, and a run at a new as-of reuses it.
    _replace(con, "caller", pd.DataFrame([{"caller_entity": settings.lists.caller_entity,
                                           "caller_entity_type": settings.lists.caller_entity_type}]),
             {"caller_entity": "varchar", "caller_entity_type": "varchar"})
    _replace(con, "lists", pd.DataFrame([
        {"name": s.name, "segment": s.segment, "channel": s.channel, "effective_channel": s.effective_channel,
         "purpose": s.purpose, "live_operator_intro": s.prerecorded.get("live_operator_intro") is True,
         "problems": list(s.problems), "list_order": order}
        for order, s in enumerate(settings.lists.lists, start=1)
    ]), {"name": "varchar", "segment": "varchar", "channel": "varchar", "effective_channel": "varchar",
         "purpose": "varchar", "live_operator_intro": "boolean", "problems": "varchar[]", "list_order": "integer"})
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
            # Absent means no exemption, the conservative reading configuration/ gives it too.
            "cap_exempt_with_consent": cap.get("exempt_with_consent") is True,
            "state_rules": bool(channel.get("state_rules", False)),
            "expires_hours": channel["expires_hours"],
        })
    _replace(con, "channels", pd.DataFrame(channels), {
        "channel": "varchar", "consent_scope": "varchar", "consent_rule_id": "varchar",
        "consent_required_line_types": "varchar[]", "toll_free_needs_consent": "boolean",
        "allowed_line_types": "varchar[]", "line_type_rule_id": "varchar", "line_type_max_age_days": "integer",
        "cap_calls": "integer", "cap_days": "integer", "cap_exempt_with_consent": "boolean",
        "state_rules": "boolean", "expires_hours": "integer",
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
    write_pending_prerecorded(con, settings)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _same_entity(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def write_pending_prerecorded(con: duckdb.DuckDBPyConnection, settings: RunSettings) -> None:
    """config.pending_prerecorded: the numbers of prerecorded-landline lists already published
    and still unexpired at as-of that this run's lists.yaml does not name (R13 counts each as
    a call, docs/compliance_defaults.md). A list is read the way a dialer reads it (README "How
    a dialer reads a published list"): LATEST, its manifest, then contacts.parquet checked
    against the manifest's sha256. Anything unreadable raises PublishedListError naming the
    list: its numbers might be at the cap, so the run fails closed rather than guess."""
    con.execute("create or replace table config.pending_prerecorded "
                "(phone_e164 varchar, list_name varchar, expires_at timestamptz)")
    published = settings.published
    if not published.is_dir():
        return
    this_run = {spec.name.casefold() for spec in settings.lists.lists}
    for list_dir in sorted(path for path in published.iterdir() if path.is_dir()):
        latest = list_dir / "LATEST"
        if list_dir.name.casefold() in this_run or not latest.exists():
            continue
        pending = _pending_version(list_dir, settings)
        if pending is None:
            continue
        contacts, expires_at = pending
        try:
            with exact_path(contacts) as readable:
                con.execute(
                    "insert into config.pending_prerecorded "
                    "select distinct cast(phone_e164 as varchar), ?, ?::timestamptz from read_parquet(?) "
                    "where phone_e164 is not null",
                    [list_dir.name, expires_at.isoformat(), readable],
                )
        except duckdb.Error as error:
            raise PublishedListError(
                f"published list '{list_dir.name}': cannot read the numbers of {contacts} ({error}); "
                "its calls count toward the prerecorded cap (R13), so no list is built") from None


def _pending_version(list_dir: Path, settings: RunSettings) -> tuple[Path, datetime] | None:
    """(contacts.parquet, expires_at) of the list's LATEST version when it counts, else None."""
    name = list_dir.name

    def fail(problem: str) -> PublishedListError:
        return PublishedListError(
            f"published list '{name}': {problem}; its calls count toward the prerecorded cap (R13), "
            "so no list is built until it is repaired or removed")

    try:
        version = (list_dir / "LATEST").read_text().strip()
        manifest_path = list_dir / version / "manifest.json"
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError) as error:
        raise fail(f"cannot read LATEST or its manifest.json ({error})") from None
    if not version or not isinstance(manifest, dict):
        raise fail(f"{list_dir / 'LATEST'} names no readable version")
    channels = {manifest.get("effective_channel"), manifest.get("channel")}
    if CAPPED_CHANNEL not in channels:
        return None
    entity = manifest.get("caller_entity")
    # A list that names no caller entity may have been ours: it counts, as such calls do.
    if isinstance(entity, str) and entity.strip() and not _same_entity(entity, settings.lists.caller_entity):
        return None
    try:
        as_of = datetime.fromisoformat(str(manifest["as_of"]))
        expires_at = datetime.fromisoformat(str(manifest["expires_at"]))
        if as_of.tzinfo is None or expires_at.tzinfo is None:
            raise ValueError("as_of and expires_at need a UTC offset")
    except (KeyError, ValueError) as error:
        raise fail(f"{manifest_path} has no readable as_of and expires_at ({error})") from None
    if not (expires_at > settings.as_of and as_of <= settings.as_of):
        return None
    contacts = list_dir / version / "contacts.parquet"
    expected = ((manifest.get("files") or {}).get("contacts.parquet") or {}).get("sha256")
    try:
        actual = hashlib.sha256(contacts.read_bytes()).hexdigest()
    except OSError as error:
        raise fail(f"cannot read {contacts} ({error.strerror or error})") from None
    if not expected or actual != expected:
        raise fail(f"{contacts} does not match the sha256 of its manifest")
    return contacts, expires_at

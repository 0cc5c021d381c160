"""Reading `lists.yaml` and `policy.yaml` (CONTRACT sections 3 and 4).

A file that cannot be read or has the wrong shape raises ConfigError naming the file and
the key (the CLI exits 2). A list that lacks a key its channel requires is not an error:
it is kept with `problems`, and its gate blocks it with that reason."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DEFAULTS_DIR = Path(__file__).parent / "defaults"

CHANNELS = (
    "manual_call",
    "predictive_dialer_call",
    "prerecorded_call_landline",
    "prerecorded_call_wireless",
    "p2p_sms",
    "automated_sms",
)
PURPOSES = ("political", "fundraising_political", "poll", "commercial")
CALLER_ENTITY_TYPES = ("candidate_committee", "party", "pac_527", "c4", "c3", "vendor")
SMS_CHANNELS = ("p2p_sms", "automated_sms")
PRERECORDED_CHANNELS = ("prerecorded_call_landline", "prerecorded_call_wireless")


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class ListSpec:
    name: str
    segment: str
    channel: str
    purpose: str
    effective_channel: str
    prerecorded: dict = field(default_factory=dict)
    sms: dict = field(default_factory=dict)
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListsConfig:
    path: Path
    caller_entity: str
    caller_entity_type: str
    lists: tuple[ListSpec, ...]


@dataclass(frozen=True)
class Policy:
    path: Path
    sha256: str
    data: dict

    @property
    def version(self) -> str:
        return str(self.data["version"])

    def is_consent_dependent(self, channel: str) -> bool:
        return bool(self.data["channels"][channel]["consent_required_line_types"])

    def expires_hours(self, channel: str) -> int:
        return int(self.data["channels"][channel]["expires_hours"])


def load_yaml_mapping(path: Path, error: type[ConfigError] = ConfigError, empty_ok: bool = False) -> dict:
    """A YAML file whose top level is a mapping; `error` names the file (and line) otherwise."""
    try:
        data = yaml.safe_load(path.read_bytes())
    except OSError as problem:
        raise error(f"{path}: cannot read ({problem.strerror}).") from None
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise error(f"{path}: not valid YAML{where}.") from None
    if data is None and empty_ok:  # an empty or all-comment file configures nothing
        return {}
    if not isinstance(data, dict):
        raise error(f"{path}: expected a mapping at the top level.")
    return data


def _require(mapping: dict, key: str, where: str, kind=str):
    if key not in mapping or mapping[key] in (None, ""):
        raise ConfigError(f"{where}: missing required key '{key}'.")
    value = mapping[key]
    if not isinstance(value, kind):
        raise ConfigError(f"{where}: key '{key}' must be a {kind.__name__}.")
    return value


def _choice(mapping: dict, key: str, where: str, choices: tuple[str, ...]) -> str:
    value = _require(mapping, key, where)
    if value not in choices:
        raise ConfigError(f"{where}: key '{key}' is '{value}', expected one of {', '.join(choices)}.")
    return value


def channel_problems(channel: str, caller_entity_type: str, prerecorded: dict, sms: dict) -> list[str]:
    """Keys a channel requires (CONTRACT section 3) that the list lacks."""
    problems = []
    if channel in PRERECORDED_CHANNELS:
        for key in ("caller_legal_name", "callback_number", "optout_mechanism"):
            if not prerecorded.get(key):
                problems.append(f"prerecorded.{key} is required for {channel} (R14)")
        if prerecorded.get("optout_mechanism") not in (None, "", "keypress", "voice"):
            problems.append("prerecorded.optout_mechanism must be keypress or voice (R14)")
    if channel in SMS_CHANNELS:
        if not sms.get("campaign_id_10dlc"):
            problems.append(f"sms.campaign_id_10dlc is required for {channel} (R25)")
        if caller_entity_type in ("candidate_committee", "party", "pac_527") and not sms.get("campaign_verify_token"):
            problems.append(f"sms.campaign_verify_token is required for a {caller_entity_type} (R25)")
    return problems


def load_lists(path: Path) -> ListsConfig:
    data = load_yaml_mapping(path)
    where = str(path)
    caller_entity = _require(data, "caller_entity", where)
    caller_entity_type = _choice(data, "caller_entity_type", where, CALLER_ENTITY_TYPES)
    entries = _require(data, "lists", where, list)
    specs, seen = [], set()
    for index, entry in enumerate(entries):
        at = f"{where}: lists[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{at}: expected a mapping.")
        name = _require(entry, "name", at)
        if not name.replace("_", "").replace("-", "").isalnum():
            raise ConfigError(f"{at}: key 'name' must use letters, digits, '_' or '-' only (it names a folder).")
        if name in seen:
            raise ConfigError(f"{at}: list name '{name}' appears twice.")
        seen.add(name)
        segment = _require(entry, "segment", at)
        channel = _choice(entry, "channel", at, CHANNELS)
        purpose = _choice(entry, "purpose", at, PURPOSES)
        prerecorded = entry.get("prerecorded") or {}
        sms = entry.get("sms") or {}
        if not isinstance(prerecorded, dict) or not isinstance(sms, dict):
            raise ConfigError(f"{at}: keys 'prerecorded' and 'sms' must be mappings.")
        # R08: without a human pressing send for each message, P2P texting is automated texting.
        effective = "automated_sms" if channel == "p2p_sms" and sms.get("human_per_message_send") is not True else channel
        problems = channel_problems(effective, caller_entity_type, prerecorded, sms)
        specs.append(ListSpec(name, segment, channel, purpose, effective, prerecorded, sms, tuple(problems)))
    return ListsConfig(path, caller_entity, caller_entity_type, tuple(specs))


_POLICY_KEYS = {
    "version": (str, int, float),
    "rules": dict,
    "channels": dict,
    "calling_window": dict,
    "unknown_zone_window": dict,
    "prerecorded_consent_states": list,
    "nh_prerecorded_federal_dnc": bool,
    "dnc_scrub_purposes": list,
    "dnc_max_age_days": int,
    "commercial_forbidden_voter_states": list,
    "sms_opt_out": dict,
}
_NESTED_KEYS = {
    "calling_window": ("start", "end"),
    "unknown_zone_window": ("start", "end", "time_zone"),
    "sms_opt_out": ("starts_with", "contains"),
}
_CHANNEL_KEYS = {"consent_scope": (str, type(None)), "consent_required_line_types": list,
                 "allowed_line_types": (list, type(None)), "expires_hours": int}
_CONSENT_SCOPES = ("prerecorded_voice", "autodialed_voice", "sms")
EFFECTIVE_LINE_TYPES = ("wireless", "landline", "voip_fixed", "toll_free")


def _check_time(path: Path, key: str, value) -> None:
    text = str(value)
    parts = text.split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or not (0 <= int(parts[0]) <= 23 and 0 <= int(parts[1]) <= 59):
        raise ConfigError(f"{path}: key '{key}' must be a time HH:MM, not '{text}'.")


def _check_channel(path: Path, name: str, channel) -> None:
    where = f"channels.{name}"
    if not isinstance(channel, dict):
        raise ConfigError(f"{path}: key '{where}' must be a mapping.")
    for key, kind in _CHANNEL_KEYS.items():
        if key not in channel:
            raise ConfigError(f"{path}: missing required key '{where}.{key}'.")
        if not isinstance(channel[key], kind):
            raise ConfigError(f"{path}: key '{where}.{key}' has the wrong type.")
    if channel["consent_scope"] not in (None, *_CONSENT_SCOPES):
        raise ConfigError(f"{path}: key '{where}.consent_scope' must be one of {', '.join(_CONSENT_SCOPES)} or null.")
    for key in ("consent_required_line_types", "allowed_line_types"):
        unknown = set(channel[key] or []) - set(EFFECTIVE_LINE_TYPES)
        if unknown:
            raise ConfigError(f"{path}: key '{where}.{key}' names unknown line types {sorted(unknown)}.")
    if channel["consent_required_line_types"] and not channel["consent_scope"]:
        raise ConfigError(f"{path}: key '{where}.consent_scope' is needed when consent_required_line_types is set.")
    for key in ("consent_rule", "line_type_rule"):
        if key in channel and not isinstance(channel[key], str):
            raise ConfigError(f"{path}: key '{where}.{key}' must be a rule id.")
    cap = channel.get("cap")
    if cap is not None and not (isinstance(cap, dict) and isinstance(cap.get("calls"), int) and isinstance(cap.get("days"), int)):
        raise ConfigError(f"{path}: key '{where}.cap' must hold integer 'calls' and 'days'.")


def load_policy(path: Path) -> Policy:
    data = load_yaml_mapping(path)
    for key, kind in _POLICY_KEYS.items():
        if key not in data:
            raise ConfigError(f"{path}: missing required key '{key}'.")
        if not isinstance(data[key], kind):
            raise ConfigError(f"{path}: key '{key}' has the wrong type.")
    for key, names in _NESTED_KEYS.items():
        for name in names:
            if name not in data[key]:
                raise ConfigError(f"{path}: missing required key '{key}.{name}'.")
    for key in ("calling_window", "unknown_zone_window"):
        _check_time(path, f"{key}.start", data[key]["start"])
        _check_time(path, f"{key}.end", data[key]["end"])
    for channel in CHANNELS:
        if channel not in data["channels"]:
            raise ConfigError(f"{path}: missing required key 'channels.{channel}'.")
        _check_channel(path, channel, data["channels"][channel])
    for index, override in enumerate(data.get("window_overrides") or []):
        where = f"window_overrides[{index}]"
        if not isinstance(override, dict) or not {"state", "channels", "start", "end"} <= set(override):
            raise ConfigError(f"{path}: key '{where}' needs state, channels, start and end.")
        _check_time(path, f"{where}.start", override["start"])
        _check_time(path, f"{where}.end", override["end"])
    for rule_id, rule in data["rules"].items():
        if not isinstance(rule, dict) or rule.get("confidence") not in ("H", "M", "L") or not rule.get("text"):
            raise ConfigError(f"{path}: key 'rules.{rule_id}' needs confidence H, M or L and a text.")
    return Policy(path, hashlib.sha256(path.read_bytes()).hexdigest(), data)


def resolve_config_path(explicit: Path | None, home: Path, name: str) -> Path:
    """CONTRACT section 1: the flag, else HOME/<name>, else the shipped default."""
    if explicit is not None:
        return explicit
    in_home = home / name
    return in_home if in_home.exists() else DEFAULTS_DIR / name

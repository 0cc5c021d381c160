"""Reading `lists.yaml` and `policy.yaml` (CONTRACT sections 3 and 4).

A file that cannot be read or has the wrong shape raises ConfigError naming the file and
the key (the CLI exits 2). A list that lacks a key its channel requires is not an error:
it is kept with `problems`, and its gate blocks it with that reason."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from .permissions import PUBLISH_MODES

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
# Export profiles a list may ask for (CONTRACT section 7). assets/exports/profiles.py holds
# their columns; configuration imports no other package, so the names are kept here as well
# and tests/test_export_profiles.py keeps the two equal.
EXPORT_PROFILES = ("outreach", "spoke", "thrutext", "callhub", "van_bulk")
# Profiles of texting tools: fed a call list they would text numbers never cleared for SMS.
SMS_EXPORT_PROFILES = ("spoke", "thrutext")


# Dagster asset keys allow nothing else, and the name is a folder under HOME/published.
# policy.yaml `max_line_bytes`: the inbox readers quarantine a longer line (assets/ingest/reading.py).
DEFAULT_MAX_LINE_BYTES = 65_536
MIN_MAX_LINE_BYTES, MAX_MAX_LINE_BYTES = 4_096, 1 << 30

LIST_NAME = re.compile(r"[A-Za-z0-9_]+")


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
    exports: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListsConfig:
    path: Path
    caller_entity: str
    caller_entity_type: str
    lists: tuple[ListSpec, ...]
    # Who may read the published files: "private" (owner only) or "group" (the HOME's group
    # too, e.g. a dialer's service account); see configuration/permissions.py.
    publish_mode: str = "private"


@dataclass(frozen=True)
class Policy:
    path: Path
    sha256: str
    data: dict

    @property
    def version(self) -> str:
        return str(self.data["version"])

    @property
    def published_versions_days(self) -> int:
        """Days a published version is kept before `outreach prune` may delete it."""
        return int((self.data.get("retention") or {}).get("published_versions_days", DEFAULT_PUBLISHED_VERSIONS_DAYS))

    def channel(self, channel: str) -> dict:
        """The channel's validated policy mapping (KeyError for a channel the policy lacks)."""
        return self.data["channels"][channel]

    def is_consent_dependent(self, channel: str) -> bool:
        """R29: every channel but manual_call and p2p_sms (docs/compliance_defaults.md), and any
        channel whose policy makes a line type need consent."""
        settings = self.channel(channel)
        return channel not in NOT_CONSENT_DEPENDENT_CHANNELS or bool(settings["consent_required_line_types"])

    def expires_hours(self, channel: str) -> int:
        return int(self.channel(channel)["expires_hours"])

    def cap(self, channel: str) -> dict | None:
        """R13: {calls, days, exempt_with_consent} for a capped channel (exempt_with_consent
        defaults to false, the conservative reading), else None."""
        cap = self.channel(channel).get("cap")
        return None if cap is None else {"exempt_with_consent": False, **cap}

    @property
    def rnd_max_age_days(self) -> int:
        """R16: an RND answer queried longer than this before expires_at is no answer."""
        return int(self.data["rnd_max_age_days"])

    @property
    def rnd_consent_cutoff_date(self) -> date:
        """R16: a consent dated before this day counts as RND no_data."""
        return date.fromisoformat(self.data["rnd_consent_cutoff_date"])

    @property
    def max_line_bytes(self) -> int:
        """The longest inbox line (or Mobilize record) read; a longer one is quarantined.
        Optional, so a policy copied before the key existed still loads."""
        return int(self.data.get("max_line_bytes", DEFAULT_MAX_LINE_BYTES))


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


def _exports(entry: dict, at: str, effective_channel: str) -> tuple[str, ...]:
    value = entry.get("exports")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise ConfigError(f"{at}: key 'exports' must be a list of profile names ({', '.join(EXPORT_PROFILES)}).")
    seen = set()
    for name in value:
        if name not in EXPORT_PROFILES:
            raise ConfigError(f"{at}: key 'exports' names unknown profile '{name}', expected one of {', '.join(EXPORT_PROFILES)}.")
        if name in seen:
            raise ConfigError(f"{at}: key 'exports' names profile '{name}' twice.")
        seen.add(name)
        if name in SMS_EXPORT_PROFILES and effective_channel not in SMS_CHANNELS:
            raise ConfigError(f"{at}: key 'exports' asks for '{name}', a texting tool's format, on a {effective_channel} "
                              "list; its numbers were not cleared for text messages.")
    return tuple(value)


def load_lists(path: Path) -> ListsConfig:
    data = load_yaml_mapping(path)
    where = str(path)
    caller_entity = _require(data, "caller_entity", where)
    caller_entity_type = _choice(data, "caller_entity_type", where, CALLER_ENTITY_TYPES)
    entries = _require(data, "lists", where, list)
    specs, seen, seen_folded = [], set(), {}
    for index, entry in enumerate(entries):
        at = f"{where}: lists[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{at}: expected a mapping.")
        name = _require(entry, "name", at)
        if not LIST_NAME.fullmatch(name):
            raise ConfigError(f"{at}: key 'name' is '{name}': a list name may use only the ASCII letters A-Z "
                              "and a-z, the digits 0-9 and '_' (it keys a Dagster asset and names a folder).")
        if name in seen:
            raise ConfigError(f"{at}: list name '{name}' appears twice.")
        folded = name.casefold()
        if folded in seen_folded:
            other_index, other = seen_folded[folded]
            raise ConfigError(f"{at}: list name '{name}' and '{other}' (lists[{other_index}]) differ only in case; "
                              "list names must differ after case folding (their folders would collide).")
        seen.add(name)
        seen_folded[folded] = (index, name)
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
        exports = _exports(entry, at, effective)
        specs.append(ListSpec(name, segment, channel, purpose, effective, prerecorded, sms, tuple(problems), exports))
    publish_mode = data.get("publish_mode", "private")
    if publish_mode not in PUBLISH_MODES:
        raise ConfigError(f"{where}: key 'publish_mode' is {_shown(publish_mode)}, expected one of "
                          f"{', '.join(PUBLISH_MODES)}.")
    return ListsConfig(path, caller_entity, caller_entity_type, tuple(specs), publish_mode)


def _shown(value) -> str:
    return f"'{value}'" if isinstance(value, str) else type(value).__name__


# ---------------------------------------------------------------------------------------------
# policy.yaml schema (CONTRACT section 4), written as plain Python: each check takes a value and
# its dotted key and raises _Invalid; load_policy prefixes the file. bool is refused wherever a
# number is expected (isinstance(True, int) is True in Python), and unknown keys are refused
# (a misspelt optional key such as `toll_free_need_consent` would otherwise switch a rule off).

_CONSENT_SCOPES = ("prerecorded_voice", "autodialed_voice", "sms")
EFFECTIVE_LINE_TYPES = ("wireless", "landline", "voip_fixed", "toll_free")
CONFIDENCES = ("H", "M", "L")
# Only these channels are not consent-dependent: their lists may live 72 hours (R29).
NOT_CONSENT_DEPENDENT_CHANNELS = ("manual_call", "p2p_sms")
# Published versions hold each run's decisions, the audit record behind every call (R30); kept
# as long as consent records by default (R18's five years), shortened only on counsel's advice.
DEFAULT_PUBLISHED_VERSIONS_DAYS = 1826
# The rules of the default policy; a policy may add rules, never drop one of these.
REQUIRED_RULE_IDS = (
    "C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08",
    "R03", "R04", "R05", "R06", "R07", "R08", "R09", "R11", "R13", "R16",
    "R20", "R22", "R23", "R24", "R25", "R26", "R28", "R29",
)
# CONTRACT section 4 rule 2 (R11): a policy may add keywords, never drop these.
CONTRACT_SMS_KEYWORDS = {
    "starts_with": ("stop", "stopall", "stop all", "unsubscribe", "cancel", "end", "quit", "revoke",
                    "optout", "opt out", "opt-out", "remove"),
    "contains": ("remove me", "take me off", "don't text", "dont text", "don't contact",
                 "lose my number", "delete my number", "wrong number"),
}
# Two-letter USPS codes of the states, DC and the territories.
US_STATE_CODES = frozenset(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY "
    "NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR VI GU AS MP".split()
)
_TIME = re.compile(r"([0-9]{2}):([0-9]{2})")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class _Invalid(Exception):
    """One schema violation at dotted `key`; `text` follows the file name in the ConfigError."""

    def __init__(self, key: str, detail: str, missing: bool = False):
        super().__init__(key, detail)
        self.key, self.detail, self.missing = key, detail, missing

    @property
    def text(self) -> str:
        return f"missing required key '{self.key}'." if self.missing else f"key '{self.key}' {self.detail}"


def _bad(key: str, detail: str) -> _Invalid:
    return _Invalid(key, detail)


def _missing(key: str) -> _Invalid:
    return _Invalid(key, "", missing=True)


def _describe(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"'{value}'" if value.strip() else "an empty string"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


Check = Callable[[object, str], None]


@dataclass(frozen=True)
class Key:
    check: Check
    required: bool = True


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def integer(low: int | None = None, high: int | None = None) -> Check:
    if low is not None and high is not None:
        wanted = f"an integer from {low} to {high}"
    elif low is not None:
        wanted = f"an integer of at least {low}"
    else:
        wanted = "an integer"

    def check(value, key):
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad(key, f"must be {wanted}, not {_describe(value)}.")
        if (low is not None and value < low) or (high is not None and value > high):
            raise _bad(key, f"must be {wanted}, not {value}.")
    return check


def boolean() -> Check:
    def check(value, key):
        if not isinstance(value, bool):
            raise _bad(key, f"must be true or false, not {_describe(value)}.")
    return check


def text() -> Check:
    def check(value, key):
        if not isinstance(value, str) or not value.strip():
            raise _bad(key, f"must be a non-empty string, not {_describe(value)}.")
    return check


def one_of(choices: tuple[str, ...]) -> Check:
    def check(value, key):
        if isinstance(value, bool) or value not in choices:
            raise _bad(key, f"must be one of {', '.join(choices)}, not {_describe(value)}.")
    return check


def nullable(inner: Check, wanted: str) -> Check:
    def check(value, key):
        if value is not None:
            try:
                inner(value, key)
            except _Invalid as problem:
                raise _bad(key, f"{problem.detail[:-1]} (or null: {wanted}).") from None
    return check


def time_hhmm() -> Check:
    def check(value, key):
        if isinstance(value, int) and not isinstance(value, bool):  # YAML 1.1 reads 20:00 as 1200
            raise _bad(key, f"must be a time \"HH:MM\" in quotes, not the number {value} (unquoted, YAML reads 20:00 as 1200).")
        match = _TIME.fullmatch(value) if isinstance(value, str) else None
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise _bad(key, f"must be a time HH:MM, not {_describe(value)}.")
    return check


def iso_date() -> Check:
    def check(value, key):
        if isinstance(value, date) and not isinstance(value, datetime):
            return
        if isinstance(value, str) and _DATE.fullmatch(value.strip()):
            try:
                date.fromisoformat(value.strip())
                return
            except ValueError:
                pass
        raise _bad(key, f"must be a date YYYY-MM-DD, not {_describe(value)}.")
    return check


def time_zone() -> Check:
    def check(value, key):
        try:
            if not isinstance(value, str) or not value.strip():
                raise ValueError
            ZoneInfo(value)
        except (ValueError, ZoneInfoNotFoundError, OSError):
            raise _bad(key, f"must be an IANA time zone such as America/New_York, not {_describe(value)}.") from None
    return check


def state_code() -> Check:
    def check(value, key):
        if not isinstance(value, str) or value.upper() not in US_STATE_CODES:
            raise _bad(key, f"must be a two-letter US state code such as NC, not {_describe(value)}.")
    return check


def version_value() -> Check:
    def check(value, key):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)) or not str(value).strip():
            raise _bad(key, f"must be a version string such as \"2026.11.3\", not {_describe(value)}.")
    return check


def list_of(item: Check, *, non_empty: bool = False, of_mappings: bool = False, items: str = "") -> Check:
    """A YAML list. Keys inside mapping items are `key[i].name`; a bad scalar item is reported
    under the list's own key with its index, so the message names `sms_opt_out.starts_with`."""

    def check(value, key):
        wanted = f"a {'non-empty ' if non_empty else ''}list{f' of {items}' if items else ''}"
        if not isinstance(value, list):
            raise _bad(key, f"must be {wanted}, not {_describe(value)}.")
        if non_empty and not value:
            raise _bad(key, f"must be {wanted}, not an empty list.")
        for index, element in enumerate(value):
            if of_mappings:
                item(element, f"{key}[{index}]")
                continue
            try:
                item(element, key)
            except _Invalid as problem:
                raise _bad(key, f"item {index} {problem.detail}") from None
    return check


def mapping(fields: dict[str, Key], extra: Callable[[dict, str], None] | None = None) -> Check:
    """A YAML mapping with exactly these keys (optional ones may be absent); `extra` checks across keys."""

    def check(value, key):
        if not isinstance(value, dict):
            raise _bad(key or "(top level)", f"must be a mapping, not {_describe(value)}.")
        for name, field in fields.items():
            if name not in value:
                if field.required:
                    raise _missing(_join(key, name))
                continue
            field.check(value[name], _join(key, name))
        unknown = [str(name) for name in value if name not in fields]
        if unknown:
            raise _bad(_join(key, unknown[0]), f"is not a known key (expected {', '.join(fields)}); a misspelt key would be ignored.")
        if extra:
            extra(value, key)
    return check


def _window_order(window: dict, key: str) -> None:
    if window["start"] >= window["end"]:  # both HH:MM strings by now, so text order is time order
        raise _bad(_join(key, "end"), f"must be later than '{_join(key, 'start')}' ({window['start']}), not {window['end']}.")


def _rules_check(value, key):
    if not isinstance(value, dict) or not value:
        raise _bad(key, f"must be a non-empty mapping of rule ids, not {_describe(value)}.")
    for rule_id, rule in value.items():
        where = _join(key, str(rule_id))
        if not isinstance(rule_id, str) or not re.fullmatch(r"[A-Za-z0-9_]+", rule_id):
            raise _bad(where, "is not a rule id (letters, digits and '_').")
        if not isinstance(rule, dict) or rule.get("confidence") not in CONFIDENCES \
                or not isinstance(rule.get("text"), str) or not rule["text"].strip():
            raise _bad(where, "needs confidence H, M or L and a text.")
        unknown = [str(name) for name in rule if name not in ("confidence", "text")]
        if unknown:
            raise _bad(f"{where}.{unknown[0]}", "is not a known key (expected confidence, text).")
    missing = [rule_id for rule_id in REQUIRED_RULE_IDS if rule_id not in value]
    if missing:
        raise _bad(key, f"drops required rule(s) {', '.join(missing)} (a policy may add rules, never drop one).")


def _keywords(name: str) -> Check:
    listed = list_of(text(), non_empty=True, items="non-empty strings")

    def check(value, key):
        listed(value, key)
        have = {keyword.strip().lower() for keyword in value}
        dropped = [keyword for keyword in CONTRACT_SMS_KEYWORDS[name] if keyword not in have]
        if dropped:
            raise _bad(key, f"drops the CONTRACT section 4 rule 2 keyword(s) {', '.join(repr(k) for k in dropped)} "
                            "(a policy may add opt-out keywords, never drop them; R11).")
    return check


def _channel_consistency(channel: dict, key: str) -> None:
    if channel["consent_required_line_types"] and not channel["consent_scope"]:
        raise _bad(f"{key}.consent_scope", "is needed when consent_required_line_types is set.")


_WINDOW = {"start": Key(time_hhmm()), "end": Key(time_hhmm())}
_CAP = mapping({
    "calls": Key(integer(1)),
    "days": Key(integer(1)),
    "exempt_with_consent": Key(boolean(), required=False),  # absent: no exemption (R13)
})
_LINE_TYPES = list_of(one_of(EFFECTIVE_LINE_TYPES))


def _channel(name: str) -> Check:
    # R05 and R13 are required rules: the prerecorded landline channel must keep their limits.
    landline = name == "prerecorded_call_landline"
    return mapping({
        "consent_scope": Key(nullable(one_of(_CONSENT_SCOPES), "no consent counts")),
        "consent_rule": Key(text(), required=False),
        "consent_required_line_types": Key(_LINE_TYPES),
        "toll_free_needs_consent": Key(boolean(), required=False),
        "allowed_line_types": Key(nullable(_LINE_TYPES, "every line type")),
        "line_type_rule": Key(text(), required=False),
        "line_type_max_age_days": Key(integer(1), required=landline),
        "cap": Key(_CAP, required=landline),
        "state_rules": Key(boolean(), required=False),
        "expires_hours": Key(integer(1, 72)),
    }, extra=_channel_consistency)


POLICY_SCHEMA: Check = mapping({
    "version": Key(version_value()),
    "rules": Key(_rules_check),
    "channels": Key(mapping({name: Key(_channel(name)) for name in CHANNELS})),
    "calling_window": Key(mapping(_WINDOW, extra=_window_order)),
    "unknown_zone_window": Key(mapping({**_WINDOW, "time_zone": Key(time_zone())}, extra=_window_order)),
    "window_overrides": Key(list_of(mapping({
        "state": Key(state_code()),
        "channels": Key(list_of(one_of(CHANNELS), non_empty=True)),
        **_WINDOW,
    }, extra=_window_order), of_mappings=True), required=False),
    "prerecorded_consent_states": Key(list_of(state_code())),
    "nh_prerecorded_federal_dnc": Key(boolean()),
    "dnc_scrub_purposes": Key(list_of(one_of(PURPOSES))),
    "dnc_max_age_days": Key(integer(1)),
    "rnd_max_age_days": Key(integer(1)),
    "rnd_consent_cutoff_date": Key(iso_date()),
    "commercial_forbidden_voter_states": Key(list_of(state_code())),
    # Below 4 KiB a real header (ncvoter's is about 900 bytes, ActBlue's 1.2 KB) would not fit;
    # above 1 GiB one line would no longer fit in memory comfortably.
    "max_line_bytes": Key(integer(MIN_MAX_LINE_BYTES, MAX_MAX_LINE_BYTES), required=False),
    "sms_opt_out": Key(mapping({
        "starts_with": Key(_keywords("starts_with")),
        "contains": Key(_keywords("contains")),
        "review_starts_with": Key(list_of(text()), required=False),
    })),
    # Absent: the defaults below (a policy written before retention existed keeps working).
    "retention": Key(mapping({
        "published_versions_days": Key(integer(1), required=False),
    }), required=False),
})


def _rule_references(data: dict) -> None:
    for name, channel in data["channels"].items():
        for key in ("consent_rule", "line_type_rule"):
            if key in channel and channel[key] not in data["rules"]:
                raise _bad(f"channels.{name}.{key}", f"names rule '{channel[key]}', which is not in 'rules'.")


def validate_policy(data) -> None:
    """Raise _Invalid for the first place `data` breaks the schema."""
    POLICY_SCHEMA(data, "")
    _rule_references(data)


def load_policy(path: Path) -> Policy:
    data = load_yaml_mapping(path)
    try:
        validate_policy(data)
    except _Invalid as problem:
        raise ConfigError(f"{path}: {problem.text}") from None
    cutoff = data["rnd_consent_cutoff_date"]  # one spelling for every reader: "YYYY-MM-DD"
    data = {**data, "rnd_consent_cutoff_date": cutoff.isoformat() if isinstance(cutoff, date) else cutoff.strip()}
    return Policy(path, hashlib.sha256(path.read_bytes()).hexdigest(), data)

def resolve_config_path(explicit: Path | None, home: Path, name: str) -> Path:
    """CONTRACT section 1: the flag, else HOME/<name>, else the shipped default."""
    if explicit is not None:
        return explicit
    in_home = home / name
    return in_home if in_home.exists() else DEFAULTS_DIR / name

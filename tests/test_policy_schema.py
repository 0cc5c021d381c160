"""policy.yaml is validated against a plain-Python schema (issue 9): types (a boolean is not an
integer), ranges, required keys, rule references, state codes, times and dates, and the CONTRACT
section 4 rule 2 opt-out keywords, which a policy may extend but never drop. Every error is a
ConfigError naming the file and the dotted key, never a Python TypeError or KeyError."""

from __future__ import annotations

import copy
import functools
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from configuration.config_files import (
    CHANNELS,
    CONTRACT_SMS_KEYWORDS,
    DEFAULTS_DIR,
    REQUIRED_RULE_IDS,
    ConfigError,
    _Invalid,
    load_policy,
    validate_policy,
)

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@functools.cache
def _shipped_policy() -> dict:
    return yaml.safe_load((DEFAULTS_DIR / "policy.yaml").read_text())


def _default_policy() -> dict:
    return copy.deepcopy(_shipped_policy())


def _steps(dotted: str) -> list:
    return [name if name else int(index) for name, index in _STEP.findall(dotted)]


def _parent(policy: dict, dotted: str):
    *head, last = _steps(dotted)
    node = policy
    for step in head:
        node = node[step]
    return node, last


def _set(dotted: str, value):
    def mutate(policy):
        node, last = _parent(policy, dotted)
        node[last] = value
    return mutate


def _drop(dotted: str):
    def mutate(policy):
        node, last = _parent(policy, dotted)
        node.pop(last)
    return mutate


def _without(dotted: str, keyword: str):
    def mutate(policy):
        node, last = _parent(policy, dotted)
        node[last] = [k for k in node[last] if k.strip().lower() != keyword]
    return mutate


def _write(tmp_path: Path, policy) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(policy, sort_keys=False, allow_unicode=True))
    return path


def _refused(tmp_path: Path, mutate, key: str) -> str:
    """The policy after `mutate` is a ConfigError naming the file and `key` (quoted, dotted)."""
    policy = _default_policy()
    mutate(policy)
    path = _write(tmp_path, policy)
    with pytest.raises(ConfigError) as error:
        load_policy(path)
    message = str(error.value)
    assert message.startswith(f"{path}: "), message
    assert f"'{key}'" in message, message
    return message


def _loads(tmp_path: Path, mutate):
    policy = _default_policy()
    mutate(policy)
    return load_policy(_write(tmp_path, policy))


# --- one table per class of error ---------------------------------------------------------

BOOL_FOR_INT = [
    ("channels.prerecorded_call_landline.expires_hours", True),
    ("channels.manual_call.expires_hours", False),
    ("channels.prerecorded_call_landline.line_type_max_age_days", True),
    ("channels.prerecorded_call_landline.cap.calls", True),
    ("channels.prerecorded_call_landline.cap.days", True),
    ("dnc_max_age_days", True),
    ("rnd_max_age_days", True),
]


@pytest.mark.parametrize("key, value", BOOL_FOR_INT)
def test_boolean_where_an_integer_is_expected(tmp_path, key, value):
    message = _refused(tmp_path, _set(key, value), key)
    assert "integer" in message and str(value).lower() in message


OUT_OF_RANGE = [
    ("channels.p2p_sms.expires_hours", 0),
    ("channels.manual_call.expires_hours", 73),
    ("channels.automated_sms.expires_hours", -24),
    ("channels.prerecorded_call_landline.line_type_max_age_days", 0),
    ("channels.prerecorded_call_landline.cap.calls", 0),
    ("channels.prerecorded_call_landline.cap.days", 0),
    ("dnc_max_age_days", 0),
    ("rnd_max_age_days", 0),
    ("rnd_max_age_days", -30),
]


@pytest.mark.parametrize("key, value", OUT_OF_RANGE)
def test_out_of_range_values(tmp_path, key, value):
    message = _refused(tmp_path, _set(key, value), key)
    assert str(value) in message


@pytest.mark.parametrize("key, value", [("channels.manual_call.expires_hours", 72), ("channels.p2p_sms.expires_hours", 1),
                                        ("rnd_max_age_days", 1), ("channels.prerecorded_call_landline.cap.calls", 1)])
def test_range_bounds_are_inclusive(tmp_path, key, value):
    _loads(tmp_path, _set(key, value))


MISSING_KEYS = [
    "rnd_max_age_days",
    "rnd_consent_cutoff_date",
    "channels.prerecorded_call_landline.cap",
    "channels.prerecorded_call_landline.cap.calls",
    "channels.prerecorded_call_landline.cap.days",
    "channels.prerecorded_call_landline.line_type_max_age_days",
    "channels.prerecorded_call_landline.expires_hours",
    "sms_opt_out.starts_with",
    "sms_opt_out.contains",
    "unknown_zone_window.time_zone",
    "window_overrides[0].state",
]


@pytest.mark.parametrize("key", MISSING_KEYS)
def test_missing_required_keys(tmp_path, key):
    message = _refused(tmp_path, _drop(key), key)
    assert "missing required key" in message


@pytest.mark.parametrize("rule_id", ["C07", "R16", "C01", "R29", "R13"])
def test_a_policy_cannot_drop_a_required_rule(tmp_path, rule_id):
    message = _refused(tmp_path, _drop(f"rules.{rule_id}"), "rules")
    assert rule_id in message


@pytest.mark.parametrize("key", ["sms_opt_out.starts_with", "sms_opt_out.contains"])
@pytest.mark.parametrize("value", [[], [""], ["   "], ["stop", ""]], ids=["empty", "blank", "spaces", "one_blank"])
def test_empty_keyword_lists_or_keywords(tmp_path, key, value):
    message = _refused(tmp_path, _set(key, value), key)
    assert "non-empty" in message


@pytest.mark.parametrize("key", ["sms_opt_out.starts_with", "sms_opt_out.contains"])
@pytest.mark.parametrize("value", [None, {}, "stop", 1, True, [None], [True], [["stop"]]],
                         ids=["null", "mapping", "string", "number", "bool", "null_item", "bool_item", "nested_list"])
def test_keywords_of_the_wrong_shape(tmp_path, key, value):
    # Each used to be a Python TypeError (or, for a string, silently a list of letters).
    _refused(tmp_path, _set(key, value), key)


@pytest.mark.parametrize(
    "key, keyword",
    [("sms_opt_out.starts_with", k) for k in CONTRACT_SMS_KEYWORDS["starts_with"]]
    + [("sms_opt_out.contains", k) for k in CONTRACT_SMS_KEYWORDS["contains"]],
)
def test_dropping_a_contract_keyword(tmp_path, key, keyword):
    message = _refused(tmp_path, _without(key, keyword), key)
    assert repr(keyword) in message and "never drop" in message


RULE_REFERENCES = [
    ("channels.automated_sms.consent_rule", "R99"),
    ("channels.p2p_sms.line_type_rule", "C4"),
    ("channels.prerecorded_call_landline.line_type_rule", 4),
]


@pytest.mark.parametrize("key, value", RULE_REFERENCES)
def test_rule_ids_must_exist_in_rules(tmp_path, key, value):
    _refused(tmp_path, _set(key, value), key)


STATES = [
    ("prerecorded_consent_states", ["IN", "Minnesota", "ND"]),
    ("prerecorded_consent_states", ["IN", "M"]),
    ("commercial_forbidden_voter_states", ["CA", "XX"]),
    ("commercial_forbidden_voter_states", "CA"),
    ("commercial_forbidden_voter_states", [False]),  # YAML 1.1 reads an unquoted NO as false
    ("window_overrides[0].state", "Calif"),
]


@pytest.mark.parametrize("key, value", STATES)
def test_states_are_two_letter_codes(tmp_path, key, value):
    _refused(tmp_path, _set(key, value), key)


TIMES = [
    ("calling_window.start", "9am"),
    ("calling_window.start", "9:00"),
    ("calling_window.end", 1200),  # unquoted 20:00 in YAML 1.1
    ("calling_window.end", "24:00"),
    ("unknown_zone_window.start", "12:60"),
    ("window_overrides[0].end", None),
    ("calling_window.end", "08:00"),  # before the start
    ("unknown_zone_window.end", "12:00"),  # equal to the start
]


@pytest.mark.parametrize("key, value", TIMES)
def test_times_are_hh_mm(tmp_path, key, value):
    _refused(tmp_path, _set(key, value), key)


DATES = ["2021-13-01", "2021-02-30", "27/01/2021", "20210127", "yesterday", "", None, True, 2021]


@pytest.mark.parametrize("value", DATES)
def test_rnd_cutoff_is_a_date(tmp_path, value):
    _refused(tmp_path, _set("rnd_consent_cutoff_date", value), "rnd_consent_cutoff_date")


OTHER_TYPES = [
    ("version", True),
    ("version", None),
    ("nh_prerecorded_federal_dnc", "yes"),
    ("channels.prerecorded_call_landline.cap", 3),
    ("channels.prerecorded_call_landline.cap.exempt_with_consent", "true"),
    ("channels.automated_sms.toll_free_needs_consent", 1),
    ("channels.automated_sms.consent_scope", "everything"),
    ("channels.manual_call", None),
    ("channels", []),
    ("unknown_zone_window.time_zone", "Mars/Olympus_Mons"),
    ("window_overrides[0].channels", ["fax"]),
    ("window_overrides[0].channels", []),
    ("window_overrides", {"state": "CA"}),
    ("dnc_scrub_purposes", ["spam"]),
    ("sms_opt_out", None),
    ("sms_opt_out.review_starts_with", "unsub"),
    ("rules", []),
    ("rules.R04", {"confidence": "H"}),
]


@pytest.mark.parametrize("key, value", OTHER_TYPES)
def test_wrong_types(tmp_path, key, value):
    _refused(tmp_path, _set(key, value), key)


UNKNOWN_KEYS = [
    "channels.automated_sms.toll_free_need_consent",  # a typo would switch R24 off
    "channels.prerecorded_call_landline.cap.exempt",
    "rnd_max_age",
    "sms_opt_out.start_with",
]


@pytest.mark.parametrize("key", UNKNOWN_KEYS)
def test_unknown_keys_are_refused(tmp_path, key):
    message = _refused(tmp_path, _set(key, True), key)
    assert "not a known key" in message


# --- shapes never escape as Python errors -------------------------------------------------

def _mapping_paths(node, prefix=""):
    """Every dotted path to a mapping value or list in the default policy (list items of mappings too)."""
    if isinstance(node, dict):
        for name, value in node.items():
            path = f"{prefix}.{name}" if prefix else str(name)
            yield path
            yield from _mapping_paths(value, path)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, dict):
                yield from _mapping_paths(value, f"{prefix}[{index}]")


@pytest.mark.parametrize("value", [None, True, 0, -1, "x", "", [], {}, [None], {"x": 1}],
                         ids=lambda v: repr(v))
def test_any_value_anywhere_is_a_schema_error_or_valid(value):
    """validate_policy is what load_policy runs; it raises nothing but _Invalid, which
    load_policy turns into a ConfigError prefixed with the file (the tests above)."""
    for key in _mapping_paths(_shipped_policy()):
        policy = _default_policy()
        _set(key, copy.deepcopy(value))(policy)
        try:
            validate_policy(policy)
        except _Invalid as problem:
            # the key itself, a key under it, or (for a check across keys) a sibling's key
            assert f"'{key}" in problem.text or f"'{key.rsplit('.', 1)[0]}" in problem.text, (key, value, problem.text)


# --- what a valid policy may do, and what the Policy object exposes ------------------------

def test_keywords_may_be_added_and_are_compared_trimmed_and_lowercased(tmp_path):
    def mutate(policy):
        policy["sms_opt_out"]["starts_with"] = [f"  {k.upper()} " for k in policy["sms_opt_out"]["starts_with"]] + ["halt"]
        policy["sms_opt_out"]["contains"] = list(policy["sms_opt_out"]["contains"]) + ["leave me alone"]
    policy = _loads(tmp_path, mutate)
    assert "halt" in policy.data["sms_opt_out"]["starts_with"]


def test_rules_may_be_added(tmp_path):
    policy = _loads(tmp_path, _set("rules.X01", {"confidence": "L", "text": "a local rule"}))
    assert set(REQUIRED_RULE_IDS) <= set(policy.data["rules"])


def test_shipped_policy_new_keys():
    policy = load_policy(DEFAULTS_DIR / "policy.yaml")
    assert policy.version == "2026.11.3"
    assert policy.rnd_max_age_days == 30
    assert policy.rnd_consent_cutoff_date == date(2021, 1, 27)
    assert policy.data["rnd_consent_cutoff_date"] == "2021-01-27"
    assert policy.cap("prerecorded_call_landline") == {"calls": 3, "days": 30, "exempt_with_consent": True}
    assert policy.cap("manual_call") is None
    assert policy.expires_hours("prerecorded_call_landline") == 24
    for rule_id in ("C07", "R16"):
        assert policy.data["rules"][rule_id]["confidence"] in ("H", "M")
    assert set(REQUIRED_RULE_IDS) <= set(policy.data["rules"])


def test_consent_dependence_and_the_r29_ceiling():
    policy = load_policy(DEFAULTS_DIR / "policy.yaml")
    dependent = {channel for channel in CHANNELS if policy.is_consent_dependent(channel)}
    assert dependent == set(CHANNELS) - {"manual_call", "p2p_sms"}
    for channel in CHANNELS:  # the ceiling assets/lists.py applies (R29)
        assert policy.expires_hours(channel) <= (24 if policy.is_consent_dependent(channel) else 72)


def test_unquoted_cutoff_date_reads_the_same(tmp_path):
    policy = _loads(tmp_path, _set("rnd_consent_cutoff_date", date(2021, 1, 27)))
    assert policy.data["rnd_consent_cutoff_date"] == "2021-01-27"
    assert policy.rnd_consent_cutoff_date == date(2021, 1, 27)


def test_cap_without_exemption_defaults_to_no_exemption(tmp_path):
    policy = _loads(tmp_path, _drop("channels.prerecorded_call_landline.cap.exempt_with_consent"))
    assert policy.cap("prerecorded_call_landline")["exempt_with_consent"] is False


def test_channel_consent_scope_keeps_working(tmp_path):
    _refused(tmp_path, _set("channels.automated_sms.consent_scope", None), "channels.automated_sms.consent_scope")
    _refused(tmp_path, _drop("channels.automated_sms.consent_scope"), "channels.automated_sms.consent_scope")
    _refused(tmp_path, _set("channels.manual_call.consent_scope", "all"), "channels.manual_call.consent_scope")
    policy = _loads(tmp_path, _set("channels.manual_call.consent_scope", "autodialed_voice"))
    assert policy.data["channels"]["automated_sms"]["consent_scope"] == "sms"
    assert not policy.is_consent_dependent("manual_call")

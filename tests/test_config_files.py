"""lists.yaml and policy.yaml: bad files are named with their key; missing channel keys block."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from configuration.config_files import DEFAULTS_DIR, ConfigError, load_lists, load_policy


def _write(tmp_path: Path, name: str, data) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data))
    return path


def _default_policy() -> dict:
    return yaml.safe_load((DEFAULTS_DIR / "policy.yaml").read_text())


def test_shipped_files_load():
    policy = load_policy(DEFAULTS_DIR / "policy.yaml")
    lists = load_lists(DEFAULTS_DIR / "lists.yaml")
    assert policy.is_consent_dependent("automated_sms") and not policy.is_consent_dependent("manual_call")
    assert policy.expires_hours("predictive_dialer_call") == 24 and policy.expires_hours("p2p_sms") == 72
    assert all(not spec.problems for spec in lists.lists)


@pytest.mark.parametrize(
    "mutate, key",
    [
        (lambda p: p.pop("channels"), "'channels'"),
        (lambda p: p["channels"].pop("automated_sms"), "'channels.automated_sms'"),
        (lambda p: p["channels"]["automated_sms"].pop("consent_scope"), "'channels.automated_sms.consent_scope'"),
        (lambda p: p["channels"]["p2p_sms"].update(allowed_line_types=["fax"]), "'channels.p2p_sms.allowed_line_types'"),
        (lambda p: p["calling_window"].update(start="9am"), "'calling_window.start'"),
        (lambda p: p["rules"]["R06"].update(confidence="X"), "'rules.R06'"),
        (lambda p: p.update(dnc_max_age_days="31"), "'dnc_max_age_days'"),
    ],
)
def test_malformed_policy_names_the_key(tmp_path, mutate, key):
    policy = _default_policy()
    mutate(policy)
    with pytest.raises(ConfigError) as error:
        load_policy(_write(tmp_path, "policy.yaml", policy))
    assert key in str(error.value) and "policy.yaml" in str(error.value)


def test_invalid_yaml_names_file_and_line(tmp_path):
    with pytest.raises(ConfigError, match=r"lists.yaml: not valid YAML at line 4"):
        load_lists(_write(tmp_path, "lists.yaml", "caller_entity: X\nlists:\n  - [\n"))


def test_unknown_channel_is_a_config_error(tmp_path):
    data = {"caller_entity": "X", "caller_entity_type": "party",
            "lists": [{"name": "a", "segment": "everyone", "channel": "fax", "purpose": "political"}]}
    with pytest.raises(ConfigError, match=r"lists\[0\]: key 'channel' is 'fax'"):
        load_lists(_write(tmp_path, "lists.yaml", data))


def test_missing_channel_keys_become_list_problems(tmp_path):
    data = {
        "caller_entity": "X", "caller_entity_type": "candidate_committee",
        "lists": [
            {"name": "robo", "segment": "everyone", "channel": "prerecorded_call_landline", "purpose": "political",
             "prerecorded": {"caller_legal_name": "X"}},
            {"name": "texts", "segment": "everyone", "channel": "p2p_sms", "purpose": "political",
             "sms": {"campaign_id_10dlc": "C1"}},
            {"name": "calls", "segment": "everyone", "channel": "manual_call", "purpose": "political"},
        ],
    }
    lists = {spec.name: spec for spec in load_lists(_write(tmp_path, "lists.yaml", data)).lists}
    assert any("callback_number" in p for p in lists["robo"].problems)
    assert any("optout_mechanism" in p for p in lists["robo"].problems)
    # R08: no human_per_message_send, so the list is automated texting, and R25 wants a token.
    assert lists["texts"].effective_channel == "automated_sms"
    assert any("campaign_verify_token" in p for p in lists["texts"].problems)
    assert lists["calls"].problems == ()


def _lists_with(tmp_path: Path, *names) -> Path:
    return _write(tmp_path, "lists.yaml", {
        "caller_entity": "X", "caller_entity_type": "party",
        "lists": [{"name": name, "segment": "everyone", "channel": "manual_call", "purpose": "political"}
                  for name in names],
    })


@pytest.mark.parametrize("name", ["liste_é", "gotv-calls", "gotv calls", "gotv.calls", "ｇｏｔｖ", "calls/2", "calls\n", "١٢٣"])
def test_list_name_outside_ascii_letters_digits_underscore_is_refused(tmp_path, name):
    path = _lists_with(tmp_path, "ok_list", name)
    with pytest.raises(ConfigError) as error:
        load_lists(path)
    message = str(error.value)
    assert f"{path}: lists[1]: key 'name'" in message
    assert "A-Z" in message and "a-z" in message and "0-9" in message and "'_'" in message
    assert "'-'" not in message  # no longer offered as allowed


@pytest.mark.parametrize(
    "first, second",
    [("DIALER", "dialer"), ("Gotv_Calls", "gotv_calls"), ("a", "A"), ("everyone_texts", "EVERYONE_TEXTS")],
)
def test_list_names_equal_after_casefold_are_refused_naming_both(tmp_path, first, second):
    path = _lists_with(tmp_path, first, "between", second)
    with pytest.raises(ConfigError) as error:
        load_lists(path)
    message = str(error.value)
    assert f"{path}: lists[2]:" in message
    assert f"'{first}'" in message and f"'{second}'" in message and "lists[0]" in message


def test_exact_duplicate_list_name_still_refused(tmp_path):
    path = _lists_with(tmp_path, "calls", "calls")
    with pytest.raises(ConfigError, match=r"lists\[1\]: list name 'calls' appears twice"):
        load_lists(path)


def test_list_names_of_letters_digits_underscore_load(tmp_path):
    lists = load_lists(_lists_with(tmp_path, "A1", "b_2", "_c", "D"))
    assert [spec.name for spec in lists.lists] == ["A1", "b_2", "_c", "D"]


def _lists_with_exports(tmp_path: Path, exports, channel: str = "p2p_sms") -> Path:
    entry = {"name": "texts", "segment": "everyone", "channel": channel, "purpose": "political",
             "sms": {"campaign_id_10dlc": "C1", "human_per_message_send": True}, "exports": exports}
    return _write(tmp_path, "lists.yaml", {"caller_entity": "X", "caller_entity_type": "c4", "lists": [entry]})


def test_exports_load_in_order_and_default_to_none(tmp_path):
    lists = load_lists(_lists_with_exports(tmp_path, ["thrutext", "spoke", "van_bulk"]))
    assert lists.lists[0].exports == ("thrutext", "spoke", "van_bulk")
    assert load_lists(_lists_with(tmp_path, "calls")).lists[0].exports == ()
    shipped = {spec.name: spec.exports for spec in load_lists(DEFAULTS_DIR / "lists.yaml").lists}
    assert shipped["everyone_texts"] == ("spoke", "thrutext")


@pytest.mark.parametrize(
    "exports, channel, message",
    [
        (["spoke", "hustle"], "p2p_sms", r"key 'exports' names unknown profile 'hustle', expected one of outreach, spoke"),
        (["spoke", "spoke"], "p2p_sms", r"key 'exports' names profile 'spoke' twice"),
        ("spoke", "p2p_sms", r"key 'exports' must be a list of profile names"),
        ({"spoke": True}, "p2p_sms", r"key 'exports' must be a list"),
        ([1], "p2p_sms", r"key 'exports' must be a list"),
        (["thrutext"], "manual_call", r"key 'exports' asks for 'thrutext', a texting tool's format, on a manual_call list"),
    ],
)
def test_bad_exports_are_config_errors_naming_file_and_key(tmp_path, exports, channel, message):
    path = _lists_with_exports(tmp_path, exports, channel)
    with pytest.raises(ConfigError, match=message) as error:
        load_lists(path)
    assert str(error.value).startswith(f"{path}: lists[0]: ")


def test_publish_mode_defaults_to_private_and_takes_group(tmp_path):
    assert load_lists(DEFAULTS_DIR / "lists.yaml").publish_mode == "private"
    data = yaml.safe_load((DEFAULTS_DIR / "lists.yaml").read_text())
    data["publish_mode"] = "group"
    assert load_lists(_write(tmp_path, "lists.yaml", data)).publish_mode == "group"


@pytest.mark.parametrize("value", ["world", "Group", 640, True])
def test_bad_publish_mode_is_a_config_error_naming_the_key(tmp_path, value):
    data = yaml.safe_load((DEFAULTS_DIR / "lists.yaml").read_text())
    data["publish_mode"] = value
    with pytest.raises(ConfigError, match=r"lists\.yaml: key 'publish_mode' is .*expected one of private, group"):
        load_lists(_write(tmp_path, "lists.yaml", data))

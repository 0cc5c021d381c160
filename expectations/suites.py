"""The Great Expectations suite each published list must pass, from its channel's policy.

Suites are described as plain data here (expectation class name and keyword arguments) so
this module imports nothing heavy; `gate.py` turns them into GE objects on demand."""

from __future__ import annotations

from dataclasses import dataclass

E164_NANP = r"^\+1[2-9][0-9]{2}[2-9][0-9]{6}$"


@dataclass(frozen=True)
class Expectation:
    name: str          # what a person reads in the gate summary and the manifest
    type: str          # the Great Expectations class
    kwargs: dict


def _never(name: str, column: str) -> Expectation:
    """No row may have `column` true (a boolean fact of the gate frame, never NULL)."""
    return Expectation(name, "ExpectColumnValuesToBeInSet", {"column": column, "value_set": [False]})


def suite_for(channel_policy: dict, policy: dict | None = None, purpose: str | None = None) -> list[Expectation]:
    """The suite for a list of this effective channel (and purpose), by the policy.

    The fact columns come from `expectations.facts.gate_frame`, which derives them from the
    raw sources and the ledger, not from the models that built the list."""
    policy = policy or {}
    suite = [
        Expectation("rows_above_zero", "ExpectTableRowCountToBeBetween", {"min_value": 1}),
        Expectation("phone_present", "ExpectColumnValuesToNotBeNull", {"column": "phone_e164"}),
        Expectation("phone_is_e164_nanp", "ExpectColumnValuesToMatchRegex", {"column": "phone_e164", "regex": E164_NANP}),
        Expectation("one_row_per_phone", "ExpectColumnValuesToBeUnique", {"column": "phone_e164"}),
        Expectation("time_zone_present", "ExpectColumnValuesToNotBeNull", {"column": "timezone"}),
        Expectation("window_present", "ExpectColumnValuesToNotBeNull", {"column": "window_start_local"}),
        _never("no_opted_out_number", "is_opted_out"),                      # R09, R11, Mobilize, C07
        _never("no_wrong_number", "has_wrong_number"),                      # R28
        _never("no_confidential_or_exempt_number", "is_exempt_record"),     # C01, per number
    ]
    if channel_policy.get("consent_scope") and (channel_policy["consent_required_line_types"]
                                                or channel_policy.get("toll_free_needs_consent")):
        suite.append(_never("no_number_without_required_consent", "lacks_required_consent"))   # R06, R07, R24
    if channel_policy.get("allowed_line_types") is not None:
        suite.append(_never("allowed_line_types_only", "has_disallowed_line_type"))            # R03, R04, C04
    if channel_policy.get("line_type_max_age_days") is not None:
        suite.append(Expectation("fresh_line_type_check", "ExpectColumnValuesToBeInSet",      # R05, at expires_at
                                 {"column": "has_fresh_line_type_check", "value_set": [True]}))
    if channel_policy.get("cap"):
        suite.append(_never("under_prerecorded_cap", "over_prerecorded_cap"))                  # R13
    if channel_policy.get("state_rules"):
        suite.append(_never("state_rule_consent_or_live_operator", "lacks_state_rule_consent"))  # R22
        if policy.get("nh_prerecorded_federal_dnc"):
            suite.append(_never("no_nh_number_on_federal_dnc", "nh_on_federal_dnc"))           # R23
    if purpose is not None and purpose in (policy.get("dnc_scrub_purposes") or []):
        suite.append(_never("no_do_not_call_number", "on_dnc_list"))                           # R20
    return suite


def suite_columns(suite: list[Expectation]) -> list[str]:
    """The frame columns the suite's expectations read, in first-use order."""
    return list(dict.fromkeys(e.kwargs["column"] for e in suite if "column" in e.kwargs))

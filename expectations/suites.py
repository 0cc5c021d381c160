"""The Great Expectations suite each published list must pass, by channel.

Suites are described as plain data here (expectation class name and keyword arguments) so
this module imports nothing heavy; `gate.py` turns them into GE objects on demand."""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.config_files import CONSENT_DEPENDENT_CHANNELS, SMS_CHANNELS

E164_NANP = r"^\+1[2-9][0-9]{2}[2-9][0-9]{6}$"


@dataclass(frozen=True)
class Expectation:
    name: str          # what a person reads in the gate summary
    type: str          # the Great Expectations class
    kwargs: dict


def suite_for(channel: str) -> list[Expectation]:
    suite = [
        Expectation("rows_above_zero", "ExpectTableRowCountToBeBetween", {"min_value": 1}),
        Expectation("phone_present", "ExpectColumnValuesToNotBeNull", {"column": "phone_e164"}),
        Expectation("phone_is_e164_nanp", "ExpectColumnValuesToMatchRegex", {"column": "phone_e164", "regex": E164_NANP}),
        Expectation("one_row_per_phone", "ExpectColumnValuesToBeUnique", {"column": "phone_e164"}),
        Expectation("time_zone_present", "ExpectColumnValuesToNotBeNull", {"column": "timezone"}),
        Expectation("window_present", "ExpectColumnValuesToNotBeNull", {"column": "window_start_local"}),
        # Checked against the opt-out table directly, not against the list's own rule ids.
        Expectation("no_opted_out_number", "ExpectColumnValuesToBeInSet", {"column": "is_opted_out", "value_set": [False]}),
        Expectation("no_wrong_number", "ExpectColumnValuesToBeInSet", {"column": "has_wrong_number", "value_set": [False]}),
    ]
    if channel in CONSENT_DEPENDENT_CHANNELS:
        suite.append(Expectation("no_wireless_without_consent", "ExpectColumnValuesToBeInSet",
                                 {"column": "is_wireless_without_consent", "value_set": [False]}))
    if channel == "prerecorded_call_landline":
        suite.append(Expectation("landline_or_fixed_voip_only", "ExpectColumnValuesToBeInSet",
                                 {"column": "line_type", "value_set": ["landline", "voip_fixed"]}))
    if channel == "prerecorded_call_wireless":
        suite.append(Expectation("wireless_only", "ExpectColumnValuesToBeInSet",
                                 {"column": "line_type", "value_set": ["wireless"]}))
    if channel in SMS_CHANNELS:
        suite.append(Expectation("no_landline_on_sms", "ExpectColumnValuesToNotBeInSet",
                                 {"column": "line_type", "value_set": ["landline"]}))
    return suite

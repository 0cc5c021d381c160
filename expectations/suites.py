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


def suite_for(channel_policy: dict) -> list[Expectation]:
    suite = [
        Expectation("rows_above_zero", "ExpectTableRowCountToBeBetween", {"min_value": 1}),
        Expectation("phone_present", "ExpectColumnValuesToNotBeNull", {"column": "phone_e164"}),
        Expectation("phone_is_e164_nanp", "ExpectColumnValuesToMatchRegex", {"column": "phone_e164", "regex": E164_NANP}),
        Expectation("one_row_per_phone", "ExpectColumnValuesToBeUnique", {"column": "phone_e164"}),
        Expectation("time_zone_present", "ExpectColumnValuesToNotBeNull", {"column": "timezone"}),
        Expectation("window_present", "ExpectColumnValuesToNotBeNull", {"column": "window_start_local"}),
        # The facts below are read straight from the opt-out, contact-history, line-type and
        # consent tables, not from the rule ids that built the list: a second, independent path.
        Expectation("no_opted_out_number", "ExpectColumnValuesToBeInSet", {"column": "is_opted_out", "value_set": [False]}),
        Expectation("no_wrong_number", "ExpectColumnValuesToBeInSet", {"column": "has_wrong_number", "value_set": [False]}),
    ]
    if channel_policy["consent_required_line_types"]:
        suite.append(Expectation("no_number_without_required_consent", "ExpectColumnValuesToBeInSet",
                                 {"column": "lacks_required_consent", "value_set": [False]}))
    if channel_policy.get("allowed_line_types") is not None:
        suite.append(Expectation("allowed_line_types_only", "ExpectColumnValuesToBeInSet",
                                 {"column": "line_type", "value_set": list(channel_policy["allowed_line_types"])}))
    if channel_policy.get("line_type_max_age_days") is not None:
        suite.append(Expectation("fresh_line_type_check", "ExpectColumnValuesToBeInSet",
                                 {"column": "has_fresh_line_type_check", "value_set": [True]}))
    cap = channel_policy.get("cap")
    if cap:
        suite.append(Expectation("under_prerecorded_cap", "ExpectColumnValuesToBeBetween",
                                 {"column": "prerecorded_calls_in_window", "max_value": cap["calls"] - 1}))
    return suite

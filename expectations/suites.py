"""The Great Expectations suite each published list must pass, from its channel's policy.

A suite is plain data here, so this module imports nothing heavy. Each expectation is one
rule: DuckDB counts the rows of the list's gate frame that break it (`counts_sql`), and Great
Expectations checks the one-row frame of counts (`gate.py`), so a list of millions of rows is
never copied into Python to be checked, and the validation result holds counts, never a row's
values. A NULL fact counts as breaking the rule: the gate fails closed."""

from __future__ import annotations

from dataclasses import dataclass, field

from assets.sql_text import ident, sql_string

E164_NANP = r"^\+1[2-9][0-9]{2}[2-9][0-9]{6}$"
NO_ROWS = {"min_value": 0, "max_value": 0}


@dataclass(frozen=True)
class Expectation:
    name: str          # what a person reads in the gate summary and the manifest; its column in the counts
    count: str         # SQL aggregate over the gate frame `frame`: the rows breaking the rule
    type: str = "ExpectColumnMaxToBeBetween"   # the Great Expectations class checking that count
    kwargs: dict = field(default_factory=lambda: dict(NO_ROWS))

    @property
    def counts_violations(self) -> bool:
        """Whether the count is of rows breaking the rule (and so belongs in the summary)."""
        return self.kwargs == NO_ROWS


def _never(name: str, column: str) -> Expectation:
    """No row may have `column` true (a boolean fact of the gate frame); NULL counts as true."""
    return Expectation(name, f"count(*) filter (where {ident(column)} is not false)")


def suite_for(channel_policy: dict, policy: dict | None = None, purpose: str | None = None) -> list[Expectation]:
    """The suite for a list of this effective channel (and purpose), by the policy.

    The fact columns come from `expectations.facts.gate_frame`, which derives them from the
    raw sources and the ledger, not from the models that built the list."""
    policy = policy or {}
    suite = [
        Expectation("rows_above_zero", "count(*)", "ExpectColumnMinToBeBetween", {"min_value": 1}),
        Expectation("phone_present", "count(*) filter (where phone_e164 is null)"),
        Expectation("phone_is_e164_nanp", "count(*) filter (where phone_e164 is not null and "
                                          f"not regexp_full_match(phone_e164, {sql_string(E164_NANP)}))"),
        # As Great Expectations counts uniqueness: every row of a phone that appears twice.
        Expectation("one_row_per_phone", "(select coalesce(sum(copies), 0) from (select count(*) as copies "
                                         "from frame where phone_e164 is not null group by phone_e164 "
                                         "having count(*) > 1))"),
        Expectation("time_zone_present", "count(*) filter (where timezone is null)"),
        Expectation("window_present", "count(*) filter (where window_start_local is null)"),
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
        suite.append(Expectation("fresh_line_type_check",                                      # R05, at expires_at
                                 "count(*) filter (where has_fresh_line_type_check is not true)"))
    if channel_policy.get("cap"):
        suite.append(_never("under_prerecorded_cap", "over_prerecorded_cap"))                  # R13
    if channel_policy.get("state_rules"):
        suite.append(_never("state_rule_consent_or_live_operator", "lacks_state_rule_consent"))  # R22
        if policy.get("nh_prerecorded_federal_dnc"):
            suite.append(_never("no_nh_number_on_federal_dnc", "nh_on_federal_dnc"))           # R23
    if purpose is not None and purpose in (policy.get("dnc_scrub_purposes") or []):
        suite.append(_never("no_do_not_call_number", "on_dnc_list"))                           # R20
    return suite


def counts_sql(frame: str, suite: list[Expectation]) -> str:
    """One row: per expectation, its count over the gate frame `frame` (a table of ours, quoted
    by the caller, or a query of ours in parentheses)."""
    columns = ",\n    ".join(f"{e.count} as {ident(e.name)}" for e in suite)
    return f"with frame as (select * from {frame})\nselect\n    {columns}\nfrom frame"

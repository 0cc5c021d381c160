"""Every compliance rule of CONTRACT section 4, table-driven, on one handcrafted inbox.

One North Carolina ncvoter file (plus one Florida extract line for R26) holds one voter per
case, each with its own phone; the CSV sources, do-not-call files and lists.yaml give each
voter exactly the circumstance its case is about. The real pipeline (Dagster, dbt, DuckDB,
Great Expectations) runs once; every case is then read back from `main.list_decisions`
(included, rule ids) and from the published contacts.csv of its list.

Each rule has at least one positive case (the rule excludes) and one near miss (a case that
looks close but must not carry that rule id)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import phonenumbers
import pytest
import yaml

from assets.ingest.layouts import FL_VOTER_COLUMNS, NC_VOTER_COLUMNS

from .conftest import open_db

AS_OF = datetime.fromisoformat("2026-11-28T12:00:00-05:00")
ENTITY = "Friends of Jane Doe"
OTHER_ENTITY = "Friends of John Roe"

# Timestamps relative to as-of (2026-11-28 12:00 Eastern).
FRESH_CHECK = "2026-11-23T12:00:00-05:00"        # 5 days before as-of
STALE_CHECK = "2026-11-08T12:00:00-05:00"        # 20 days before as-of
EDGE_CHECK = "2026-11-14T12:00:00-05:00"         # exactly 15 days before expires_at (as-of + 24 h): still fresh
STALE_AT_EXPIRY = "2026-11-13T12:00:00-05:00"    # 15 days before as-of, 16 at expires_at: stale (R05 at dial time)
CONSENTED = "2026-03-10T12:00:00-05:00"
CONSENT_DATE = "2026-03-10"
RND_QUERIED = "2026-11-20T12:00:00-05:00"
BEFORE = "2026-10-01T10:00:00-04:00"             # comfortably before as-of
AFTER = "2026-11-29T09:00:00-05:00"              # the day after as-of
AFTER_FIRST_READ = "2099-11-29T09:00:00-05:00"   # later than any run of this suite reads it

FEDERAL_FULL_OLD = "20261001"
FEDERAL_FULL = "20261120"                         # 8 days before as-of: fresh (R20)
FEDERAL_CHANGES = "20261124"
FEDERAL_CHANGES_FUTURE = "20261201"               # after as-of: not yet in force


# --------------------------------------------------------------------------------------
# The inbox: one voter per case name.


@dataclass
class Voter:
    name: str
    phone: str                       # as written in the voter file
    status: str = "A"
    confidential: str = "N"
    state: str = "NC"
    zip_code: str = "27601"
    florida: bool = False
    line_type: tuple[str, str] | None = None       # (line_type, checked_at)
    line_types: list[tuple[str, str]] = field(default_factory=list)
    consents: list[dict] = field(default_factory=list)
    rnd: list[tuple[str, str, str]] = field(default_factory=list)   # (consent_date, result, queried_at)
    opt_outs: list[dict] = field(default_factory=list)
    inbound: list[tuple[str, str]] = field(default_factory=list)    # (received_at, body)
    history: list[dict] = field(default_factory=list)
    dnc: list[str] = field(default_factory=list)   # markers, see _dnc_files


def _digits(index: int, area: str = "919") -> str:
    """A distinct valid NANP number: area code, exchange 2xx, line number."""
    number = f"{area}{200 + index % 100:03d}{4000 + index:04d}"
    parsed = phonenumbers.parse(number, "US")
    assert phonenumbers.is_valid_number(parsed), number
    return number


def _e164(text: str) -> str:
    return phonenumbers.format_number(phonenumbers.parse(text, "US"), phonenumbers.PhoneNumberFormat.E164)


def landline(checked_at: str = FRESH_CHECK) -> tuple[str, str]:
    return ("landline", checked_at)


def consent(scope: str, *, entity: str = ENTITY, consented_at: str = CONSENTED, revoked_at: str = "",
            phone: str | None = None) -> dict:
    return {"scope": scope, "caller_entity": entity, "consented_at": consented_at, "revoked_at": revoked_at,
            "phone": phone}


def rnd_no(consent_date: str = CONSENT_DATE) -> tuple[str, str, str]:
    return (consent_date, "no", RND_QUERIED)


def prerecorded_calls(*days_before: int, entity: str = ENTITY, channel: str = "prerecorded_call_landline") -> list[dict]:
    """Calls made `days_before` days (and one hour) before as-of; see _attempted_at."""
    return [{"channel": channel, "attempted_at": f"as_of|{d}", "caller_entity": entity,
             "disposition": "answered"} for d in days_before]


def build_voters() -> dict[str, Voter]:
    voters: list[Voter] = []
    counter = iter(range(1, 1000))

    def add(name: str, area: str = "919", **kwargs) -> Voter:
        index = next(counter)
        voter = Voter(name, kwargs.pop("phone", None) or _digits(index, area), **kwargs)
        voters.append(voter)
        return voter

    valid_prerecorded = dict(consents=[consent("prerecorded_voice")], rnd=[rnd_no()])
    valid_autodialed = dict(consents=[consent("autodialed_voice")], rnd=[rnd_no()])
    valid_sms = dict(consents=[consent("sms")], rnd=[rnd_no()])

    # Baselines: a plain wireless-by-default voter, and a fresh landline.
    add("plain")
    add("plain_landline", line_type=landline())

    # C01, C02, C03: voter-level rules.
    add("c01_confidential", confidential="Y")
    add("c01_confidential_lower", confidential="y")
    add("c01_not_confidential", confidential="N")
    add("c01_florida_exempt", area="850", florida=True, confidential="Y", state="FL", zip_code="32301")
    add("c01_florida_not_exempt", area="850", florida=True, state="FL", zip_code="32301")
    add("c02_removed", status="R")
    add("c02_denied", status="D")
    add("c02_inactive", status="I")
    # The flag and the status as people type them: anything but a plain no protects (C01),
    # a status spelled out counts, one that reads as no status is excluded (C02).
    add("c01_confidential_yes", confidential="YES")
    add("c01_confidential_fullwidth", confidential="\uff39")
    add("c01_confidential_unclear", confidential="X")
    add("c01_confidential_no_word", confidential="No")
    add("c01_florida_exempt_one", area="850", florida=True, confidential="1", state="FL", zip_code="32301")
    add("c02_removed_word", status="REMOVED")
    add("c02_denied_word", status="Denied")
    add("c02_status_unreadable", status="?")
    add("c02_active_word", status="Active")
    add("c03_seven_digits", phone="2345678")
    add("c03_bad_exchange", phone="919-123-4567")
    add("c03_plus1_spelling", phone=None)
    voters[-1].phone = "+1 (919) " + voters[-1].phone[3:6] + "-" + voters[-1].phone[6:]

    # C04: landlines never on SMS.
    add("c04_landline", line_type=landline())
    add("c04_wireless", line_type=("wireless", FRESH_CHECK))
    add("c04_voip_fixed", line_type=("voip_fixed", FRESH_CHECK))

    # C05: two voters sharing one phone.
    shared = _digits(900)
    add("c05_first", phone=shared)
    add("c05_second", phone=shared[:3] + "." + shared[3:6] + "." + shared[6:])

    # R03: prerecorded_call_wireless holds wireless numbers only.
    add("r03_landline_consented", line_type=landline(), **valid_prerecorded)
    add("r03_wireless_consented", line_type=("wireless", FRESH_CHECK), **valid_prerecorded)
    add("r03_voip_nonfixed_consented", line_type=("voip_nonfixed", FRESH_CHECK), **valid_prerecorded)
    add("r03_unknown_consented", line_type=("unknown", FRESH_CHECK), **valid_prerecorded)
    add("r03_no_record_consented", **valid_prerecorded)

    # R04: prerecorded_call_landline holds landline or fixed VoIP only.
    add("r04_wireless", line_type=("wireless", FRESH_CHECK))
    add("r04_no_record")
    add("r04_unknown", line_type=("unknown", FRESH_CHECK))
    add("r04_voip_nonfixed", line_type=("voip_nonfixed", FRESH_CHECK))
    add("r04_voip_fixed", line_type=("voip_fixed", FRESH_CHECK))
    add("r04_landline", line_type=landline())

    # R05: line-type check at most 15 days old.
    add("r05_checked_20_days_ago", line_type=landline(STALE_CHECK))
    add("r05_checked_5_days_ago", line_type=landline(FRESH_CHECK))
    add("r05_checked_15_days_ago", line_type=landline(EDGE_CHECK))

    # R06 (prerecorded wireless, automated SMS) and R07 (predictive dialer).
    add("r06_no_consent")
    add("r06_sms_consent", **valid_sms)
    add("r07_autodialed_consent", **valid_autodialed)
    add("r07_all_scope", consents=[consent("all")], rnd=[rnd_no()])
    add("r07_unknown", line_type=("unknown", FRESH_CHECK))
    add("r07_voip_nonfixed", line_type=("voip_nonfixed", FRESH_CHECK))
    add("r07_landline", line_type=landline())
    add("r07_voip_fixed", line_type=("voip_fixed", FRESH_CHECK))

    # Consent validity (CONTRACT rule 4), on the predictive dialer (scope autodialed_voice).
    add("cv_wrong_entity", consents=[consent("autodialed_voice", entity=OTHER_ENTITY)], rnd=[rnd_no()])
    add("cv_wrong_scope_sms", **valid_sms)
    add("cv_wrong_scope_prerecorded", **valid_prerecorded)
    add("cv_consented_after_as_of", consents=[consent("autodialed_voice", consented_at="2026-11-28T13:00:00-05:00")],
        rnd=[("2026-11-28", "no", "2026-11-28T11:00:00-05:00")])
    add("cv_consented_day_before", consents=[consent("autodialed_voice", consented_at="2026-11-27T12:00:00-05:00")],
        rnd=[("2026-11-27", "no", "2026-11-28T11:00:00-05:00")])
    add("cv_revoked_before_as_of", consents=[consent("autodialed_voice", revoked_at="2026-11-01T12:00:00-05:00")],
        rnd=[rnd_no()])
    add("cv_revoked_exactly_as_of", consents=[consent("autodialed_voice", revoked_at="2026-11-28T17:00:00Z")],
        rnd=[rnd_no()])
    add("cv_revoked_before_consented_at",
        consents=[consent("autodialed_voice", revoked_at="2026-02-01T12:00:00-05:00")], rnd=[rnd_no()])
    add("cv_consented_exactly_as_of", consents=[consent("autodialed_voice", consented_at="2026-11-28T12:00:00-05:00")],
        rnd=[("2026-11-28", "no", "2026-11-28T11:00:00-05:00")])
    add("cv_revoked_after_as_of", consents=[consent("autodialed_voice", revoked_at="2026-12-01T12:00:00-05:00")],
        rnd=[rnd_no()])
    add("cv_rnd_yes", consents=[consent("autodialed_voice")], rnd=[(CONSENT_DATE, "yes", RND_QUERIED)])
    add("cv_rnd_no_data", consents=[consent("autodialed_voice")], rnd=[(CONSENT_DATE, "no_data", RND_QUERIED)])
    add("cv_rnd_yes_then_no", consents=[consent("autodialed_voice")],
        rnd=[(CONSENT_DATE, "yes", "2026-06-01T12:00:00-04:00"), (CONSENT_DATE, "no", RND_QUERIED)])
    add("cv_rnd_yes_after_as_of", consents=[consent("autodialed_voice")],
        rnd=[(CONSENT_DATE, "no", RND_QUERIED), (CONSENT_DATE, "yes", "2026-11-29T12:00:00-05:00")])
    add("cv_rnd_no_then_yes", consents=[consent("autodialed_voice")],
        rnd=[(CONSENT_DATE, "no", "2026-06-01T12:00:00-04:00"), (CONSENT_DATE, "yes", RND_QUERIED)])
    add("cv_wrong_number_after_consent", **valid_autodialed,
        history=[{"channel": "manual_call", "attempted_at": "2026-06-01T12:00:00-04:00", "caller_entity": ENTITY,
                  "disposition": "wrong_number"}])
    add("cv_wrong_number_after_as_of", **valid_autodialed,
        history=[{"channel": "manual_call", "attempted_at": AFTER, "caller_entity": ENTITY,
                  "disposition": "wrong_number"}])
    add("cv_wrong_number_before_consent", **valid_autodialed,
        history=[{"channel": "manual_call", "attempted_at": "2026-01-05T12:00:00-05:00", "caller_entity": ENTITY,
                  "disposition": "wrong_number"}])
    spelled = add("cv_spellings_differ", consents=[], rnd=[])
    d = spelled.phone
    spelled.consents = [consent("autodialed_voice", phone=f"+1 ({d[:3]}) {d[3:6]}-{d[6:]}")]
    spelled.rnd = [(CONSENT_DATE, "no", RND_QUERIED, f"{d[:3]}.{d[3:6]}.{d[6:]}")]

    # R08: p2p_sms without human_per_message_send is automated_sms.
    # Line type: the newest check at as-of wins; a check after as-of does not count yet.
    add("lt_newest_check_wins", line_types=[("landline", "2026-11-01T12:00:00-05:00"), ("wireless", FRESH_CHECK)])
    add("lt_check_after_as_of_ignored", line_types=[("landline", FRESH_CHECK), ("wireless", AFTER)])

    # R08: p2p_sms without human_per_message_send is automated_sms.
    add("r08_no_consent")
    add("r08_sms_consent", **valid_sms)

    # R09: opt-outs in force at as-of, whatever their channel, whatever the spelling.
    def optout(received_at: str, channel: str, phone: str | None = None) -> dict:
        return {"received_at": received_at, "channel": channel, "phone": phone}

    add("r09_sms_optout", opt_outs=[optout(BEFORE, "sms")])
    add("r09_call_optout", opt_outs=[optout(BEFORE, "call")])
    add("r09_blank_channel", opt_outs=[optout(BEFORE, "")])
    add("r09_all_channel", opt_outs=[optout(BEFORE, "all")])
    add("r09_exactly_as_of_utc", opt_outs=[optout("2026-11-28T17:00:00Z", "sms")])
    add("r09_one_second_after", opt_outs=[optout("2026-11-28T12:00:01-05:00", "all")])
    add("r09_after_as_of", opt_outs=[optout(AFTER, "all")])
    voter = add("r09_spelled_parentheses")
    voter.opt_outs = [optout(BEFORE, "call", f"({voter.phone[:3]}) {voter.phone[3:6]}-{voter.phone[6:]}")]
    voter = add("r09_spelled_plus1_dots")
    voter.opt_outs = [optout(BEFORE, "sms", f"+1.{voter.phone[:3]}.{voter.phone[3:6]}.{voter.phone[6:]}")]
    voter = add("r09_spelled_11_digits")
    voter.opt_outs = [optout(BEFORE, "all", "1" + voter.phone)]
    voter = add("r09_voter_spelled_dashes")
    plain = voter.phone
    voter.phone = f"{plain[:3]}-{plain[3:6]}-{plain[6:]}"
    voter.opt_outs = [optout(BEFORE, "sms", f"+1{plain}")]

    # R11: inbound SMS replies classified by the policy keywords.
    add("r11_stop", inbound=[(BEFORE, "STOP")])
    add("r11_stop_all_padded", inbound=[(BEFORE, " Stop all ")])
    add("r11_please_remove_me", inbound=[(BEFORE, "please remove me")])
    add("r11_unsubscribe_sentence", inbound=[(BEFORE, "Unsubscribe me now")])
    add("r11_wrong_number_text", inbound=[(BEFORE, "Sorry, wrong number")])
    add("r11_dont_text", inbound=[(BEFORE, "Please don't text me again")])
    voter = add("r11_spelled_differently")
    voter.inbound = [(BEFORE, "Stop", f"1 ({voter.phone[:3]}) {voter.phone[3:6]} {voter.phone[6:]}")]
    add("r11_end_caps", inbound=[(BEFORE, "END")])
    add("r11_opt_out_hyphen", inbound=[(BEFORE, "Opt-Out")])
    add("r11_take_me_off", inbound=[(BEFORE, "Can you take me off this list")])
    add("r11_lose_my_number", inbound=[(BEFORE, "LOSE MY NUMBER")])
    add("r11_stop_exactly_as_of", inbound=[("2026-11-28T12:00:00-05:00", "stop")])
    add("r11_stop_inside_sentence", inbound=[(BEFORE, "Can you stop by the rally?")])
    add("r11_optimistic", inbound=[(BEFORE, "Optimistic about Jane!")])
    add("r11_dont_stop", inbound=[(BEFORE, "Don't stop!")])
    add("r11_yes_i_will_vote", inbound=[(BEFORE, "yes i will vote")])
    add("r11_stop_after_as_of", inbound=[(AFTER, "STOP")])

    # R13: at most 3 prerecorded calls in 30 days, counting this one.
    add("r13_three_recent", line_type=landline(), history=prerecorded_calls(5, 12, 29))
    add("r13_two_recent", line_type=landline(), history=prerecorded_calls(5, 12))
    add("r13_three_40_days_ago", line_type=landline(), history=prerecorded_calls(40, 45, 50))
    add("r13_three_blank_entity", line_type=landline(), history=prerecorded_calls(5, 12, 29, entity=""))
    add("r13_three_manual_calls", line_type=landline(), history=prerecorded_calls(5, 12, 29, channel="manual_call"))

    # R22: IN, MN, ND (by area code or residence) need consent or a live operator.
    add("r22_indiana_317", area="317", line_type=landline())
    add("r22_minnesota_612", area="612", line_type=landline())
    add("r22_north_dakota_701", area="701", line_type=landline())
    add("r22_indiana_resident", state="IN", zip_code="46204", line_type=landline())
    add("r22_indiana_consented", area="317", line_type=landline(), **valid_prerecorded)
    add("r22_indiana_autodialed_consent", area="317", line_type=landline(), **valid_autodialed)

    # R23: NH numbers on the federal DNC, prerecorded.
    add("r23_nh_on_dnc", area="603", line_type=landline(), dnc=["federal"])
    add("r23_nh_not_on_dnc", area="603", line_type=landline())
    add("r23_nc_on_dnc", line_type=landline(), dnc=["federal"])
    add("r23_nh_resident_on_dnc", state="NH", zip_code="03301", line_type=landline(), dnc=["federal"])

    # R24: toll-free needs consent on automated channels.
    add("r24_toll_free", area="800")
    add("r24_toll_free_consented", area="888", consents=[consent("all")], rnd=[rnd_no()])
    add("r24_toll_free_sms_consent", area="855", **valid_sms)

    # R20: DNC scrub for commercial lists only.
    add("r20_federal", dnc=["federal"])
    add("r20_federal_comma", dnc=["federal_comma"])
    add("r20_state_nc", dnc=["state_nc"])
    add("r20_added_by_change", dnc=["federal_change_add"])
    add("r20_deleted_by_change", dnc=["federal", "federal_change_delete"])
    add("r20_only_in_older_full", dnc=["federal_old"])
    add("r20_added_after_as_of", dnc=["federal_change_future"])

    # R26: voter files of states that forbid commercial use (policy adds FL for this run).
    add("r26_florida_voter", area="850", florida=True, state="FL", zip_code="32301")

    # R28: wrong-number dispositions.
    add("r28_wrong_number", history=[{"channel": "manual_call", "attempted_at": BEFORE, "caller_entity": ENTITY,
                                      "disposition": "wrong_number"}])
    add("r28_other_entity_wrong_number", history=[{"channel": "p2p_sms", "attempted_at": BEFORE,
                                                   "caller_entity": OTHER_ENTITY, "disposition": "wrong_number"}])
    add("r28_no_answer", history=[{"channel": "manual_call", "attempted_at": BEFORE, "caller_entity": ENTITY,
                                   "disposition": "no_answer"}])
    add("r28_wrong_number_after_as_of", history=[{"channel": "manual_call", "attempted_at": AFTER,
                                                  "caller_entity": ENTITY, "disposition": "wrong_number"}])

    # R05 at dial time (issue 9): fresh at as-of, stale by expires_at. Added last: indices stay.
    add("r05_fresh_at_as_of_stale_at_expiry", line_type=landline(STALE_AT_EXPIRY))

    # Times later than the moment the pipeline first read them cannot be right (a mistyped
    # year): such an opt-out, STOP, wrong number, do-not-call request or revocation counts
    # like one whose time cannot be read. AFTER (the day after as-of, before this run) waits.
    add("r09_dated_after_first_read", opt_outs=[optout(AFTER_FIRST_READ, "all")])
    add("r11_stop_dated_after_first_read", inbound=[(AFTER_FIRST_READ, "STOP")])
    add("r28_wrong_number_dated_after_first_read", history=[{
        "channel": "manual_call", "attempted_at": AFTER_FIRST_READ, "caller_entity": ENTITY,
        "disposition": "Wrong Number"}])
    add("r09_dnc_disposition_dated_after_first_read", history=[{
        "channel": "manual_call", "attempted_at": AFTER_FIRST_READ, "caller_entity": ENTITY,
        "disposition": "Do Not Call"}])
    add("cv_revoked_dated_after_first_read", consents=[consent("autodialed_voice", revoked_at=AFTER_FIRST_READ)],
        rnd=[rnd_no()])

    # R13 in a dialer's own words: prerecorded channels named otherwise, a channel that cannot be
    # placed, and the caller entity punctuated otherwise all count; a phone bank or a text does not.
    add("r13_three_robocalls", line_type=landline(), history=prerecorded_calls(5, 12, 29, channel="Robocall"))
    add("r13_ivr_rvm_broadcast", line_type=landline(), history=[
        *prerecorded_calls(5, channel="IVR"), *prerecorded_calls(12, channel="RVM"),
        *prerecorded_calls(29, channel="Voice Broadcast")])
    add("r13_three_blank_channels", line_type=landline(), history=prerecorded_calls(5, 12, 29, channel=""))
    add("r13_three_unplaced_channels", line_type=landline(), history=prerecorded_calls(5, 12, 29, channel="Campaign X"))
    add("r13_entity_punctuated", line_type=landline(),
        history=prerecorded_calls(5, 12, 29, entity="Friends of Jane Doe.", channel="Pre-Recorded"))
    add("r13_three_phone_bank_calls", line_type=landline(), history=prerecorded_calls(5, 12, 29, channel="Phone Bank"))
    add("r13_three_texts", line_type=landline(), history=prerecorded_calls(5, 12, 29, channel="Text Message"))

    # R11: a request not to be contacted anywhere in the reply (the default policy's phrases).
    add("r11_please_stop_texting", inbound=[(BEFORE, "Please stop texting me")])
    add("r11_i_want_to_opt_out", inbound=[(BEFORE, "I want to opt out")])
    add("r11_i_said_stop", inbound=[(BEFORE, "I said STOP.")])

    # Answers dated after the pipeline first read them (a mistyped year) are no newer answer to
    # ignore: a line-type look-up is unknown at as-of, an RND answer other than `no` counts.
    add("lt_wireless_dated_after_first_read", line_types=[("landline", FRESH_CHECK), ("wireless", AFTER_FIRST_READ)])
    add("cv_rnd_yes_dated_after_first_read", consents=[consent("autodialed_voice")],
        rnd=[rnd_no(), (CONSENT_DATE, "yes", AFTER_FIRST_READ)])
    add("cv_rnd_yes_for_a_consent_date_after_first_read", consents=[consent("autodialed_voice")],
        rnd=[rnd_no(), ("2099-03-10", "yes", RND_QUERIED)])

    # A revocation on a row of its own (no consent time) revokes the number's consents: one that
    # names no scope, or one the pipeline cannot read, covers every scope; one that names no
    # entity, or ours however punctuated, counts for us; one without a readable time, at as-of.
    def revocation(scope: str = "autodialed_voice", entity: str = ENTITY, revoked_at: str = BEFORE) -> dict:
        return consent(scope, entity=entity, consented_at="", revoked_at=revoked_at)

    add("cv_revoked_on_a_row_of_its_own", consents=[consent("autodialed_voice"), revocation()], rnd=[rnd_no()])
    add("cv_revocation_without_scope", consents=[consent("autodialed_voice"), revocation(scope="")], rnd=[rnd_no()])
    add("cv_revocation_with_an_unread_scope", consents=[consent("autodialed_voice"), revocation(scope="SMS/Voice")],
        rnd=[rnd_no()])
    add("cv_revocation_without_entity", consents=[consent("autodialed_voice"), revocation(entity="")], rnd=[rnd_no()])
    add("cv_revocation_entity_punctuated", consents=[consent("autodialed_voice"),
                                                     revocation(entity="Friends of Jane Doe.")], rnd=[rnd_no()])
    add("cv_revocation_without_a_time", consents=[consent("autodialed_voice"), revocation(revoked_at="last spring")],
        rnd=[rnd_no()])
    add("cv_revocation_by_another_entity", consents=[consent("autodialed_voice"), revocation(entity=OTHER_ENTITY)],
        rnd=[rnd_no()])
    add("cv_revocation_of_another_scope", consents=[consent("autodialed_voice"), revocation(scope="sms")],
        rnd=[rnd_no()])

    # R11 in Spanish (the default policy's keywords and phrases).
    add("r11_spanish_request", inbound=[(BEFORE, "Por favor no me envíes más mensajes")])
    add("r11_spanish_keyword", inbound=[(BEFORE, "ALTO")])


    # R09: a consent revocation is an opt-out on every channel, whatever scope it names (added
    # at the end, so no earlier voter's number moves), until a newer consent for the entity.
    add("r09_consent_revoked", consents=[consent("autodialed_voice", revoked_at=BEFORE)], rnd=[rnd_no()])
    add("r09_sms_consent_revoked_on_a_row_of_its_own",
        consents=[consent("sms", consented_at="", revoked_at=BEFORE)])
    add("r09_revoked_then_consented_again",
        consents=[consent("sms", revoked_at="2026-03-20T12:00:00-05:00"),
                  consent("autodialed_voice", consented_at="2026-04-01T12:00:00-05:00")],
        rnd=[rnd_no(), ("2026-04-01", "no", RND_QUERIED)])
    add("r09_revocation_by_another_entity", consents=[consent("sms", entity=OTHER_ENTITY, consented_at="",
                                                              revoked_at=BEFORE)])
    add("r09_revocation_after_as_of", consents=[consent("sms", revoked_at="2026-12-01T12:00:00-05:00")])

    names = [v.name for v in voters]
    assert len(names) == len(set(names))
    return {v.name: v for v in voters}


# --------------------------------------------------------------------------------------
# Lists.

SMS = {"campaign_id_10dlc": "CX12345", "campaign_verify_token": "cv|test-token"}
PRERECORDED = {"caller_legal_name": ENTITY, "callback_number": "+19195550100", "optout_mechanism": "keypress"}

LISTS = [
    {"name": "calls", "segment": "everyone", "channel": "manual_call", "purpose": "political"},
    {"name": "dialer", "segment": "everyone", "channel": "predictive_dialer_call", "purpose": "political"},
    {"name": "robo_landline", "segment": "everyone", "channel": "prerecorded_call_landline", "purpose": "political",
     "prerecorded": {**PRERECORDED, "live_operator_intro": False}},
    {"name": "robo_landline_live", "segment": "everyone", "channel": "prerecorded_call_landline",
     "purpose": "political", "prerecorded": {**PRERECORDED, "live_operator_intro": True}},
    {"name": "robo_wireless", "segment": "everyone", "channel": "prerecorded_call_wireless", "purpose": "political",
     "prerecorded": PRERECORDED},
    {"name": "texts_p2p", "segment": "everyone", "channel": "p2p_sms", "purpose": "political",
     "sms": {**SMS, "human_per_message_send": True}},
    {"name": "texts_p2p_no_human", "segment": "everyone", "channel": "p2p_sms", "purpose": "political",
     "sms": dict(SMS)},
    {"name": "texts_auto", "segment": "everyone", "channel": "automated_sms", "purpose": "political", "sms": dict(SMS)},
    {"name": "commercial_calls", "segment": "everyone", "channel": "manual_call", "purpose": "commercial"},
]


def write_lists(path: Path, lists: list[dict]) -> Path:
    path.write_text(yaml.safe_dump({"caller_entity": ENTITY, "caller_entity_type": "candidate_committee",
                                    "lists": lists}, sort_keys=False))
    return path


# --------------------------------------------------------------------------------------
# Writers in the inbox formats of CONTRACT section 2.


def nc_voter_row(ncid: str, phone: str, *, status: str = "A", confidential: str = "N", state: str = "NC",
                 zip_code: str = "27601", first_name: str = "Pat", last_name: str = "Case") -> str:
    row = {column: "" for column in NC_VOTER_COLUMNS}
    row.update({
        "county_id": "92", "county_desc": "WAKE", "voter_reg_num": ncid[-6:], "ncid": ncid,
        "last_name": last_name, "first_name": first_name, "status_cd": status,
        "voter_status_desc": {"A": "ACTIVE", "I": "INACTIVE", "R": "REMOVED", "D": "DENIED"}.get(status, ""),
        "res_street_address": "1 MAIN ST", "res_city_desc": "RALEIGH", "state_cd": state, "zip_code": zip_code,
        "full_phone_number": phone, "confidential_ind": confidential, "registr_dt": "2010-05-01",
        "party_cd": "UNA", "gender_code": "U", "birth_year": "1980",
    })
    return "\t".join(row[column] for column in NC_VOTER_COLUMNS)


def write_nc_voters(path: Path, rows: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\t".join(NC_VOTER_COLUMNS) + "\n" + "\n".join(rows) + "\n")


def fl_voter_row(voter_id: str, phone: str, zip_code: str, exempt: str = "N") -> str:
    row = {column: "" for column in FL_VOTER_COLUMNS}
    row.update({
        "county_code": "LEO", "voter_id": voter_id, "name_last": "Case", "name_first": "Flo",
        "public_records_exemption": exempt, "residence_address_line_1": "2 BAY ST", "residence_city": "TALLAHASSEE",
        "residence_state": "FL", "residence_zipcode": zip_code, "gender": "F", "birth_date": "01/02/1975",
        "registration_date": "03/04/2005", "party_affiliation": "NPA", "voter_status": "ACT",
        "daytime_area_code": phone[:3], "daytime_phone_number": phone[3:],
    })
    return "\t".join(row[column] for column in FL_VOTER_COLUMNS)


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _attempted_at(text: str) -> str:
    """`prerecorded_calls` encodes 'N days before as-of' after a '|'."""
    if "|" not in text:
        return text
    _, days = text.split("|")
    return (AS_OF - timedelta(days=int(days), hours=1)).isoformat()


def build_inbox(inbox: Path, voters: dict[str, Voter]) -> dict[str, str]:
    """Write the inbox; returns voter name -> voter_key."""
    keys: dict[str, str] = {}
    nc_rows, fl_rows = [], []
    opt_outs, inbound, consents, line_types, rnd, history = [], [], [], [], [], []
    dnc = {"federal": [], "federal_comma": [], "federal_old": [], "federal_change": [], "federal_change_future": [],
           "state_nc": []}
    for index, voter in enumerate(voters.values(), start=1):
        ncid = f"TC{index:06d}"
        if voter.florida:
            fl_rows.append(fl_voter_row(f"9{index:08d}", voter.phone, voter.zip_code, exempt=voter.confidential))
            keys[voter.name] = f"FL-9{index:08d}"
        else:
            nc_rows.append(nc_voter_row(ncid, voter.phone, status=voter.status, confidential=voter.confidential,
                                        state=voter.state, zip_code=voter.zip_code))
            keys[voter.name] = f"NC-{ncid}"
        digits = _e164(voter.phone)[2:] if len(voter.phone) >= 10 else voter.phone
        for kind, checked_at in ([voter.line_type] if voter.line_type else []) + voter.line_types:
            line_types.append([f"1-{digits[:3]}-{digits[3:6]}-{digits[6:]}", kind, checked_at, "test-carrier"])
        for c in voter.consents:
            consents.append([c["phone"] or digits, c["caller_entity"], c["scope"], c["consented_at"], "web_form",
                             "test", "v1", c["revoked_at"]])
        for answer in voter.rnd:
            consent_date, result, queried_at = answer[:3]
            phone = answer[3] if len(answer) > 3 else digits
            rnd.append([phone, consent_date, result, queried_at])
        for o in voter.opt_outs:
            opt_outs.append([o["phone"] or digits, o["received_at"], o["channel"], "test", "asked"])
        for message in voter.inbound:
            received_at, body = message[:2]
            phone = message[2] if len(message) > 2 else f"+1{digits}"
            inbound.append([phone, received_at, body])
        for h in voter.history:
            history.append([f"({digits[:3]}) {digits[3:6]}-{digits[6:]}", h["channel"], _attempted_at(h["attempted_at"]),
                            h["caller_entity"], h["disposition"]])
        for marker in voter.dnc:
            if marker == "federal":
                dnc["federal"].append(digits)
            elif marker == "federal_comma":
                dnc["federal"].append(f"{digits[:3]},{digits[3:]}")
            elif marker == "federal_old":
                dnc["federal_old"].append(digits)
            elif marker == "federal_change_add":
                dnc["federal_change"].append(f"{digits[:3]},{digits[3:]},A")
            elif marker == "federal_change_delete":
                dnc["federal_change"].append(f"{digits[:3]},{digits[3:]},D")
            elif marker == "federal_change_future":
                dnc["federal_change_future"].append(f"{digits[:3]},{digits[3:]},A")
            elif marker == "state_nc":
                dnc["state_nc"].append(digits)
    write_nc_voters(inbox / "voters" / "ncvoter_test.txt", nc_rows)
    if fl_rows:
        (inbox / "voters" / "LEO_20261120.txt").write_text("\n".join(fl_rows) + "\n")
    write_csv(inbox / "opt_outs" / "opt_outs.csv", ["phone", "received_at", "channel", "source", "reason"], opt_outs)
    write_csv(inbox / "inbound_sms" / "replies.csv", ["phone", "received_at", "body"], inbound)
    write_csv(inbox / "consents" / "consents.csv",
              ["phone", "caller_entity", "scope", "consented_at", "method", "source", "disclosure_version", "revoked_at"],
              consents)
    write_csv(inbox / "line_types" / "line_types.csv", ["phone", "line_type", "checked_at", "source"], line_types)
    write_csv(inbox / "rnd" / "rnd.csv", ["phone", "consent_date", "result", "queried_at"], rnd)
    write_csv(inbox / "contact_history" / "history.csv",
              ["phone", "channel", "attempted_at", "caller_entity", "disposition"], history)
    federal = inbox / "dnc" / "federal"
    federal.mkdir(parents=True)
    # A full list always holds some unrelated numbers so no file is empty.
    filler = ["2025550100", "2025550101"]
    (federal / f"dnc_full_{FEDERAL_FULL}.txt").write_text("\n".join(filler + dnc["federal"]) + "\n")
    (federal / f"dnc_full_{FEDERAL_FULL_OLD}.txt").write_text("\n".join(filler + dnc["federal_old"]) + "\n")
    (federal / f"dnc_changes_{FEDERAL_CHANGES}.txt").write_text("\n".join(["202,5550102,A"] + dnc["federal_change"]) + "\n")
    (federal / f"dnc_changes_{FEDERAL_CHANGES_FUTURE}.txt").write_text(
        "\n".join(["202,5550103,A"] + dnc["federal_change_future"]) + "\n")
    state = inbox / "dnc" / "state" / "NC"
    state.mkdir(parents=True)
    (state / f"dnc_full_{FEDERAL_FULL}.txt").write_text("\n".join(filler + dnc["state_nc"]) + "\n")
    return keys


def policy_with(home: Path, **changes) -> Path:
    from configuration.config_files import DEFAULTS_DIR

    data = yaml.safe_load((DEFAULTS_DIR / "policy.yaml").read_text())
    data.update(changes)
    path = home / "policy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def run(inbox: Path, home: Path, lists_path: Path, policy_path: Path | None = None):
    from orchestration.runner import run_pipeline
    from configuration.settings import RunSettings

    out = io.StringIO()
    status, outcomes = run_pipeline(RunSettings.build(inbox, home, AS_OF, lists_path, policy_path), out=out)
    return status, outcomes, out.getvalue()


def published_rows(home: Path, list_name: str) -> list[dict] | None:
    list_dir = home / "published" / list_name
    if not (list_dir / "LATEST").exists():
        return None
    version = (list_dir / "LATEST").read_text().strip()
    with (list_dir / version / "contacts.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


# --------------------------------------------------------------------------------------
# The one run.


@dataclass
class Run:
    home: Path
    status: int
    outcomes: dict
    printed: str
    keys: dict[str, str]           # voter name -> voter_key
    contact_ids: dict[str, str]    # voter name -> contact_id
    voters: dict[str, Voter]
    decisions: dict[tuple[str, str], tuple[bool, list[str]]]   # (list, contact_id) -> (included, rule_ids)
    voter_rules: dict[str, list[str]]                          # contact_id -> voter_rule_ids
    everyone: set[str]
    published: dict[str, list[dict] | None]
    channels: dict[str, str]


@pytest.fixture(scope="session")
def rules_run(tmp_path_factory) -> Run:
    base = tmp_path_factory.mktemp("rules")
    inbox, home = base / "inbox", base / "home"
    home.mkdir()
    voters = build_voters()
    keys = build_inbox(inbox, voters)
    lists_path = write_lists(base / "lists.yaml", LISTS)
    # R26 needs a voter-file state that forbids commercial use; the pipeline reads NC and FL
    # files, neither of which is in the default list, so this run's policy adds FL.
    from configuration.config_files import DEFAULTS_DIR

    default_states = yaml.safe_load((DEFAULTS_DIR / "policy.yaml").read_text())["commercial_forbidden_voter_states"]
    policy_path = policy_with(base, commercial_forbidden_voter_states=list(default_states) + ["FL"])
    status, outcomes, printed = run(inbox, home, lists_path, policy_path)
    con = open_db(str(home / "warehouse.duckdb"))
    try:
        ids = dict(con.execute("select voter_key, contact_id from main.int_voters").fetchall())
        voter_rules = {cid: list(rules) for cid, rules in
                       con.execute("select contact_id, voter_rule_ids from main.int_voters").fetchall()}
        everyone = {r[0] for r in con.execute("select contact_id from main.everyone").fetchall()}
        decisions = {(name, cid): (included, list(rules)) for name, cid, included, rules in con.execute(
            "select list_name, contact_id, included, rule_ids from main.list_decisions").fetchall()}
        channels = dict(con.execute("select distinct list_name, channel from main.list_decisions").fetchall())
    finally:
        con.close()
    contact_ids = {name: ids[key] for name, key in keys.items() if key in ids}
    return Run(home, status, {o.name: o for o in outcomes}, printed, keys, contact_ids, voters, decisions,
               voter_rules, everyone, {spec["name"]: published_rows(home, spec["name"]) for spec in LISTS}, channels)


# --------------------------------------------------------------------------------------
# The table. (case id, list, expected included, rule ids that must be present, rule ids that
# must be absent). A "one of" rule set is written as a frozenset: at least one must be present.

ALL_LISTS = [spec["name"] for spec in LISTS]
README_RULE_IDS = {"C01", "C02", "C03", "C04", "C05", "R03", "R04", "R05", "R06", "R07", "R09", "R11", "R13", "R20",
                   "R22", "R23", "R24", "R26", "R28"}
R06_OR_R07 = frozenset({"R06", "R07"})


def case(voter: str, list_name: str, included: bool | None, present=(), absent=()):
    params = (voter, list_name, included, tuple([present] if isinstance(present, (str, frozenset)) else present),
              tuple([absent] if isinstance(absent, str) else absent))
    return pytest.param(*params, id=f"{voter}@{list_name}")


CASES = [
    # Baselines: a number with nothing against it.
    case("plain", "calls", True),
    case("plain", "texts_p2p", True),
    case("plain", "commercial_calls", True, absent=("R20", "R26")),
    case("plain_landline", "robo_landline", True),
    case("plain_landline", "dialer", True),
    # C01, C02, C03 negatives (their positives are voter-level, see test_voter_level_rules).
    case("c01_not_confidential", "calls", True, absent="C01"),
    case("c03_plus1_spelling", "calls", True, absent="C03"),
    # C04
    case("c04_landline", "texts_p2p", False, "C04"),
    case("c04_landline", "texts_auto", False, "C04"),
    case("c04_landline", "texts_p2p_no_human", False, "C04"),
    case("c04_landline", "calls", True),
    case("c04_wireless", "texts_p2p", True, absent="C04"),
    case("c04_voip_fixed", "texts_p2p", True, absent="C04"),
    # R03
    case("r03_landline_consented", "robo_wireless", False, "R03"),
    case("r03_landline_consented", "robo_landline", True),
    case("r03_wireless_consented", "robo_wireless", True, absent="R03"),
    case("r03_voip_nonfixed_consented", "robo_wireless", True, absent="R03"),
    case("r03_unknown_consented", "robo_wireless", True, absent="R03"),
    case("r03_no_record_consented", "robo_wireless", True, absent="R03"),
    # R04
    case("r04_wireless", "robo_landline", False, "R04"),
    case("r04_no_record", "robo_landline", False, "R04"),
    case("r04_unknown", "robo_landline", False, "R04"),
    case("r04_voip_nonfixed", "robo_landline", False, "R04"),
    case("r04_voip_fixed", "robo_landline", True, absent="R04"),
    case("r04_landline", "robo_landline", True, absent="R04"),
    # R05
    case("r05_checked_20_days_ago", "robo_landline", False, "R05"),
    case("r05_checked_20_days_ago", "calls", True),
    case("r05_checked_5_days_ago", "robo_landline", True, absent="R05"),
    case("r05_checked_15_days_ago", "robo_landline", True, absent="R05"),
    case("r05_fresh_at_as_of_stale_at_expiry", "robo_landline", False, present="R05"),
    # R06
    case("r06_no_consent", "robo_wireless", False, "R06"),
    case("r06_no_consent", "texts_auto", False, "R06"),
    case("r06_no_consent", "texts_p2p", True),
    case("r06_no_consent", "calls", True),
    case("r06_sms_consent", "texts_auto", True, absent="R06"),
    case("r03_wireless_consented", "texts_auto", False, "R06"),   # prerecorded consent does not cover SMS
    # R07
    case("r06_no_consent", "dialer", False, "R07"),
    case("r07_unknown", "dialer", False, "R07"),
    case("r07_voip_nonfixed", "dialer", False, "R07"),
    case("r07_autodialed_consent", "dialer", True, absent="R07"),
    case("r07_all_scope", "dialer", True, absent="R07"),
    case("r07_all_scope", "texts_auto", True, absent="R06"),
    case("r07_all_scope", "robo_wireless", True, absent="R06"),
    case("r07_landline", "dialer", True, absent="R07"),
    case("r07_voip_fixed", "dialer", True, absent="R07"),
    # Consent validity (CONTRACT rule 4) on the predictive dialer.
    case("cv_wrong_entity", "dialer", False, "R07"),
    case("cv_wrong_scope_sms", "dialer", False, "R07"),
    case("cv_wrong_scope_sms", "texts_auto", True, absent="R06"),
    case("cv_wrong_scope_prerecorded", "dialer", False, "R07"),
    case("cv_consented_after_as_of", "dialer", False, "R07"),
    case("cv_consented_day_before", "dialer", True, absent="R07"),
    case("cv_revoked_before_as_of", "dialer", False, "R07"),
    case("cv_revoked_after_as_of", "dialer", True, absent="R07"),
    case("cv_revoked_exactly_as_of", "dialer", False, "R07"),
    case("cv_revoked_before_consented_at", "dialer", False, "R07"),
    case("cv_consented_exactly_as_of", "dialer", True, absent="R07"),
    case("cv_rnd_yes_after_as_of", "dialer", True, absent="R07"),
    case("cv_wrong_number_after_as_of", "dialer", True, absent=("R07", "R28")),
    case("cv_rnd_yes", "dialer", False, "R07"),
    case("cv_rnd_no_data", "dialer", False, "R07"),
    case("cv_rnd_yes_then_no", "dialer", True, absent="R07"),
    case("cv_rnd_no_then_yes", "dialer", False, "R07"),
    case("cv_wrong_number_after_consent", "dialer", False, ("R07", "R28")),
    case("cv_wrong_number_before_consent", "dialer", False, "R28", absent="R07"),
    case("cv_spellings_differ", "dialer", True, absent="R07"),
    # Line type (CONTRACT rule 3): the check in force at as-of.
    case("lt_newest_check_wins", "robo_landline", False, "R04"),
    case("lt_newest_check_wins", "dialer", False, "R07"),
    case("lt_check_after_as_of_ignored", "robo_landline", True, absent="R04"),
    case("lt_check_after_as_of_ignored", "dialer", True, absent="R07"),
    # R08: the p2p list without human_per_message_send is automated SMS.
    case("r08_no_consent", "texts_p2p_no_human", False, R06_OR_R07),
    case("r08_no_consent", "texts_p2p", True),
    case("r08_sms_consent", "texts_p2p_no_human", True, absent=("R06", "R07")),
    # R09
    case("r09_sms_optout", "calls", False, "R09"),
    case("r09_sms_optout", "dialer", False, "R09"),
    case("r09_sms_optout", "texts_p2p", False, "R09"),
    case("r09_call_optout", "texts_p2p", False, "R09"),
    case("r09_call_optout", "calls", False, "R09"),
    case("r09_blank_channel", "calls", False, "R09"),
    case("r09_blank_channel", "texts_p2p", False, "R09"),
    case("r09_all_channel", "calls", False, "R09"),
    case("r09_exactly_as_of_utc", "calls", False, "R09"),
    case("r09_one_second_after", "calls", True, absent="R09"),
    case("r09_after_as_of", "calls", True, absent="R09"),
    case("r09_after_as_of", "texts_p2p", True, absent="R09"),
    case("r09_spelled_parentheses", "calls", False, "R09"),
    case("r09_spelled_parentheses", "texts_p2p", False, "R09"),
    case("r09_spelled_plus1_dots", "calls", False, "R09"),
    case("r09_spelled_11_digits", "calls", False, "R09"),
    case("r09_voter_spelled_dashes", "calls", False, "R09"),
    # R11
    case("r11_stop", "calls", False, "R11"),
    case("r11_stop", "texts_p2p", False, "R11"),
    case("r11_stop_all_padded", "texts_p2p", False, "R11"),
    case("r11_please_remove_me", "texts_p2p", False, "R11"),
    case("r11_unsubscribe_sentence", "texts_p2p", False, "R11"),
    case("r11_wrong_number_text", "calls", False, "R11"),
    case("r11_dont_text", "texts_p2p", False, "R11"),
    case("r11_spelled_differently", "calls", False, "R11"),
    case("r11_end_caps", "texts_p2p", False, "R11"),
    case("r11_opt_out_hyphen", "texts_p2p", False, "R11"),
    case("r11_take_me_off", "texts_p2p", False, "R11"),
    case("r11_lose_my_number", "calls", False, "R11"),
    case("r11_stop_exactly_as_of", "texts_p2p", False, "R11"),
    case("r11_dont_stop", "texts_p2p", True, absent=("R11", "R09")),
    case("r11_stop_inside_sentence", "texts_p2p", True, absent=("R11", "R09")),
    case("r11_optimistic", "texts_p2p", True, absent=("R11", "R09")),
    case("r11_yes_i_will_vote", "texts_p2p", True, absent=("R11", "R09")),
    case("r11_stop_after_as_of", "texts_p2p", True, absent=("R11", "R09")),
    # R13
    case("r13_three_recent", "robo_landline", False, "R13"),
    case("r13_three_recent", "calls", True),
    case("r13_two_recent", "robo_landline", True, absent="R13"),
    case("r13_three_40_days_ago", "robo_landline", True, absent="R13"),
    case("r13_three_manual_calls", "robo_landline", True, absent="R13"),
    case("r13_three_blank_entity", "robo_landline", False, "R13"),
    case("r13_three_robocalls", "robo_landline", False, "R13"),
    case("r13_ivr_rvm_broadcast", "robo_landline", False, "R13"),
    case("r13_three_blank_channels", "robo_landline", False, "R13"),
    case("r13_three_unplaced_channels", "robo_landline", False, "R13"),
    case("r13_entity_punctuated", "robo_landline", False, "R13"),
    case("r13_three_phone_bank_calls", "robo_landline", True, absent="R13"),
    case("r13_three_texts", "robo_landline", True, absent="R13"),
    case("r11_please_stop_texting", "texts_p2p", False, "R11"),
    case("r11_i_want_to_opt_out", "calls", False, "R11"),
    case("r11_i_said_stop", "texts_p2p", False, "R11"),
    case("r11_spanish_request", "texts_p2p", False, "R11"),
    case("r11_spanish_keyword", "calls", False, "R11"),
    # R20
    case("r20_federal", "commercial_calls", False, "R20"),
    case("r20_federal", "calls", True, absent="R20"),
    case("r20_federal_comma", "commercial_calls", False, "R20"),
    case("r20_state_nc", "commercial_calls", False, "R20"),
    case("r20_state_nc", "calls", True, absent="R20"),
    case("r20_added_by_change", "commercial_calls", False, "R20"),
    case("r20_deleted_by_change", "commercial_calls", True, absent="R20"),
    case("r20_only_in_older_full", "commercial_calls", True, absent="R20"),
    case("r20_added_after_as_of", "commercial_calls", True, absent="R20"),
    # R22
    case("r22_indiana_317", "robo_landline", False, "R22"),
    case("r22_minnesota_612", "robo_landline", False, "R22"),
    case("r22_north_dakota_701", "robo_landline", False, "R22"),
    case("r22_indiana_resident", "robo_landline", False, "R22"),
    case("r22_indiana_317", "robo_landline_live", True, absent="R22"),
    case("r22_indiana_317", "calls", True),
    case("r22_indiana_consented", "robo_landline", True, absent="R22"),
    case("r22_indiana_autodialed_consent", "robo_landline", False, "R22"),
    case("plain_landline", "robo_landline", True, absent="R22"),
    # R23
    case("r23_nh_on_dnc", "robo_landline", False, "R23"),
    case("r23_nh_on_dnc", "calls", True),
    case("r23_nh_not_on_dnc", "robo_landline", True, absent="R23"),
    case("r23_nc_on_dnc", "robo_landline", True, absent="R23"),
    case("r23_nh_resident_on_dnc", "robo_landline", False, "R23"),
    # R24
    case("r24_toll_free", "dialer", False, "R24"),
    case("r24_toll_free", "robo_landline", False, "R24"),
    case("r24_toll_free", "robo_wireless", False, "R24"),
    case("r24_toll_free", "texts_auto", False, "R24"),
    case("r24_toll_free", "texts_p2p_no_human", False, "R24"),
    case("r24_toll_free", "calls", True, absent="R24"),
    case("r24_toll_free", "texts_p2p", True, absent="R24"),
    case("r24_toll_free_sms_consent", "dialer", False, "R24"),
    case("r24_toll_free_sms_consent", "texts_auto", True, absent="R24"),
    case("r24_toll_free_consented", "dialer", True, absent=("R24", "R07")),
    # R26
    case("r26_florida_voter", "commercial_calls", False, "R26"),
    case("r26_florida_voter", "calls", True, absent="R26"),
    case("c01_florida_not_exempt", "commercial_calls", False, "R26"),
    case("c01_florida_not_exempt", "calls", True, absent="C01"),
    # R28
    case("r28_wrong_number", "calls", False, "R28"),
    case("r28_wrong_number", "texts_p2p", False, "R28"),
    case("r28_other_entity_wrong_number", "calls", False, "R28"),
    case("r28_no_answer", "calls", True, absent="R28"),
    case("r28_wrong_number_after_as_of", "calls", True, absent="R28"),
    # Dated after the pipeline first read them: in force.
    case("r09_dated_after_first_read", "calls", False, "R09"),
    case("r11_stop_dated_after_first_read", "texts_p2p", False, "R11"),
    case("r28_wrong_number_dated_after_first_read", "calls", False, "R28"),
    case("r09_dnc_disposition_dated_after_first_read", "texts_p2p", False, "R09"),
    case("cv_revoked_dated_after_first_read", "dialer", False, "R07"),
    case("lt_wireless_dated_after_first_read", "robo_landline", False, "R04"),
    case("lt_wireless_dated_after_first_read", "dialer", False, "R07"),
    case("cv_rnd_yes_dated_after_first_read", "dialer", False, "R07"),
    case("cv_rnd_yes_for_a_consent_date_after_first_read", "dialer", False, "R07"),
    case("cv_revoked_on_a_row_of_its_own", "dialer", False, "R07"),
    case("cv_revocation_without_scope", "dialer", False, "R07"),
    case("cv_revocation_with_an_unread_scope", "dialer", False, "R07"),
    case("cv_revocation_without_entity", "dialer", False, "R07"),
    case("cv_revocation_entity_punctuated", "dialer", False, "R07"),
    case("cv_revocation_without_a_time", "dialer", False, "R07"),
    case("cv_revocation_by_another_entity", "dialer", True, absent="R07"),
    # An SMS revocation revokes the voice consent too (R09 covers every scope and channel).
    case("cv_revocation_of_another_scope", "dialer", False, "R09"),
    case("r09_consent_revoked", "calls", False, "R09"),
    case("r09_consent_revoked", "texts_p2p", False, "R09"),
    case("r09_consent_revoked", "dialer", False, ("R09", "R07")),
    case("r09_sms_consent_revoked_on_a_row_of_its_own", "calls", False, "R09"),
    case("r09_sms_consent_revoked_on_a_row_of_its_own", "texts_p2p", False, "R09"),
    case("r09_revoked_then_consented_again", "calls", True, absent="R09"),
    case("r09_revoked_then_consented_again", "dialer", True, absent="R09"),
    case("r09_revoked_then_consented_again", "texts_auto", False, "R06", absent="R09"),
    case("r09_revocation_by_another_entity", "calls", True, absent="R09"),
    case("r09_revocation_after_as_of", "calls", True, absent="R09"),
]


def _contact_id(run: Run, voter: str) -> str:
    assert voter in run.contact_ids, f"voter {voter} did not reach main.int_voters"
    return run.contact_ids[voter]


@pytest.mark.parametrize("voter, list_name, included, present, absent", CASES)
def test_rule_case(rules_run: Run, voter, list_name, included, present, absent):
    cid = _contact_id(rules_run, voter)
    assert (list_name, cid) in rules_run.decisions, f"{voter} has no decision row on {list_name}"
    actual_included, rule_ids = rules_run.decisions[(list_name, cid)]
    summary = f"{voter} on {list_name}: included={actual_included}, rule_ids={rule_ids}"
    if included is not None:
        assert actual_included is included, summary
    for rule in present:
        if isinstance(rule, frozenset):
            assert rule & set(rule_ids), f"expected one of {sorted(rule)}; {summary}"
        else:
            assert rule in rule_ids, f"expected {rule}; {summary}"
    for rule in absent:
        assert rule not in rule_ids, f"did not expect {rule}; {summary}"
    if included is False:
        assert rule_ids, f"an excluded row must carry a rule id; {summary}"
    # The published file agrees with the decision.
    rows = rules_run.published[list_name]
    assert rows is not None, f"list {list_name} was not published: {rules_run.outcomes[list_name].detail}"
    published_ids = {row["contact_id"] for row in rows}
    assert (cid in published_ids) is actual_included, summary
    if actual_included:
        row = next(r for r in rows if r["contact_id"] == cid)
        assert row["phone_e164"] == _e164(rules_run.voters[voter].phone)


# --------------------------------------------------------------------------------------
# Voter-level rules: C01, C02, C03 keep a voter out of `everyone` altogether.

VOTER_CASES = [
    # (voter, rule id, expected present)
    ("c01_confidential", "C01", True),
    ("c01_confidential_lower", "C01", True),
    ("c01_not_confidential", "C01", False),
    ("c01_florida_exempt", "C01", True),
    ("c01_florida_not_exempt", "C01", False),
    ("c02_removed", "C02", True),
    ("c02_denied", "C02", True),
    ("c02_inactive", "C02", False),
    ("c01_confidential_yes", "C01", True),
    ("c01_confidential_fullwidth", "C01", True),
    ("c01_confidential_unclear", "C01", True),
    ("c01_confidential_no_word", "C01", False),
    ("c01_florida_exempt_one", "C01", True),
    ("c02_removed_word", "C02", True),
    ("c02_denied_word", "C02", True),
    ("c02_status_unreadable", "C02", True),
    ("c02_active_word", "C02", False),
    ("plain", "C02", False),
    ("c03_seven_digits", "C03", True),
    ("c03_bad_exchange", "C03", True),
    ("c03_plus1_spelling", "C03", False),
    ("r09_voter_spelled_dashes", "C03", False),
]


@pytest.mark.parametrize("voter, rule, present", VOTER_CASES, ids=[f"{v}:{r}" for v, r, _ in VOTER_CASES])
def test_voter_level_rules(rules_run: Run, voter, rule, present):
    cid = _contact_id(rules_run, voter)
    rules = rules_run.voter_rules[cid]
    assert (rule in rules) is present, f"{voter}: voter_rule_ids={rules}"
    if present:
        assert cid not in rules_run.everyone
        for name in ALL_LISTS:
            assert (name, cid) not in rules_run.decisions or not rules_run.decisions[(name, cid)][0]
            rows = rules_run.published[name] or []
            assert cid not in {row["contact_id"] for row in rows}, f"{voter} published on {name}"


def test_inactive_voter_is_not_in_everyone(rules_run: Run):
    assert _contact_id(rules_run, "c02_inactive") not in rules_run.everyone
    assert _contact_id(rules_run, "c01_not_confidential") in rules_run.everyone
    assert _contact_id(rules_run, "c01_confidential_no_word") in rules_run.everyone
    assert _contact_id(rules_run, "c02_active_word") in rules_run.everyone


# --------------------------------------------------------------------------------------
# C05: a shared household phone is contacted once.


@pytest.mark.parametrize("list_name", ["calls", "texts_p2p", "dialer"])
def test_shared_phone_contacted_once(rules_run: Run, list_name):
    first, second = _contact_id(rules_run, "c05_first"), _contact_id(rules_run, "c05_second")
    decisions = [rules_run.decisions[(list_name, first)], rules_run.decisions[(list_name, second)]]
    if list_name == "dialer":
        # Both are wireless without consent: R07 keeps both out, and C05 is no reason here.
        assert not decisions[0][0] and not decisions[1][0]
        assert all("R07" in rules for _, rules in decisions)
        return
    assert sorted(included for included, _ in decisions) == [False, True], decisions
    kept_out = next(rules for included, rules in decisions if not included)
    assert kept_out == ["C05"], decisions
    phone = _e164(rules_run.voters["c05_first"].phone)
    rows = rules_run.published[list_name]
    assert [row["phone_e164"] for row in rows].count(phone) == 1


# --------------------------------------------------------------------------------------
# The run as a whole.


def test_every_list_published(rules_run: Run):
    blocked = {name: o.detail for name, o in rules_run.outcomes.items() if not o.published}
    assert not blocked, blocked
    assert rules_run.status == 0


def test_p2p_without_human_is_automated_sms(rules_run: Run):
    assert rules_run.channels["texts_p2p_no_human"] == "automated_sms"
    assert rules_run.channels["texts_p2p"] == "p2p_sms"
    list_dir = rules_run.home / "published" / "texts_p2p_no_human"
    manifest = json.loads((list_dir / (list_dir / "LATEST").read_text().strip() / "manifest.json").read_text())
    assert manifest.get("effective_channel") == "automated_sms"
    # Consent-dependent channels expire after 24 hours (R29).
    expires = datetime.fromisoformat(manifest["expires_at"])
    assert (expires - AS_OF).total_seconds() == 24 * 3600


def test_every_rule_id_is_exercised(rules_run: Run):
    """The table exercises every rule id README "Compliance, first cut" names (R08 re-classifies
    a list rather than excluding a row, see test_p2p_without_human_is_automated_sms)."""
    seen = {rule for _, rules in rules_run.decisions.values() for rule in rules}
    seen |= {rule for rules in rules_run.voter_rules.values() for rule in rules}
    assert README_RULE_IDS <= seen, sorted(README_RULE_IDS - seen)
    # C06 is the safeguard "never evaluated by the channel rules": it must never fire.
    assert "C06" not in seen


def test_published_lists_hold_no_opted_out_or_wrong_number(rules_run: Run):
    con = open_db(str(rules_run.home / "warehouse.duckdb"))
    opted = {r[0] for r in con.execute("select phone_e164 from main.int_opt_outs").fetchall()}
    con.close()
    expected_opted = {_e164(v.phone) for v in rules_run.voters.values()
                      if any(o["received_at"] in (BEFORE, "2026-11-28T17:00:00Z") for o in v.opt_outs)}
    assert expected_opted <= opted
    for name, rows in rules_run.published.items():
        assert rows is not None, name
        assert not opted & {row["phone_e164"] for row in rows}, name


# --------------------------------------------------------------------------------------
# R20 freshness: a commercial list is blocked when the newest federal snapshot is more than
# 31 days older than as-of; a political list is not.


def test_commercial_list_blocked_on_stale_federal_snapshot(tmp_path):
    inbox, home = tmp_path / "inbox", tmp_path / "home"
    home.mkdir()
    write_nc_voters(inbox / "voters" / "ncvoter_stale.txt",
                    [nc_voter_row(f"ST{i:06d}", _digits(i, "919")) for i in range(1, 6)])
    federal = inbox / "dnc" / "federal"
    federal.mkdir(parents=True)
    (federal / "dnc_full_20261020.txt").write_text("2025550100\n")   # 39 days before as-of
    lists_path = write_lists(tmp_path / "lists.yaml", [
        {"name": "political_calls", "segment": "everyone", "channel": "manual_call", "purpose": "political"},
        {"name": "commercial_calls", "segment": "everyone", "channel": "manual_call", "purpose": "commercial"},
    ])
    status, outcomes, printed = run(inbox, home, lists_path)
    by_name = {o.name: o for o in outcomes}
    assert by_name["political_calls"].published, by_name["political_calls"].detail
    assert not by_name["commercial_calls"].published
    assert "R20" in by_name["commercial_calls"].detail
    assert status == 3
    assert not (home / "published" / "commercial_calls" / "LATEST").exists()
    assert len(published_rows(home, "political_calls")) == 5

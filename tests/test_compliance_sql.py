"""docs/compliance_defaults.md on the eligibility path (issue 9), through the real pipeline.

Each case below excluded (or published) a number wrongly with every gate passing before the
dbt compliance models implemented the page: Unicode spellings of phones, replies and enums,
C07 lines, line-type and RND ties, R05 and R16 measured at expires_at, the 2021 RND cutoff,
per-number exemptions and state rules, and the R13 cap across this run's lists and already
published ones. The branching logic itself is pinned by dbt unit tests in the models' YAML
(`dbt test --select test_type:unit`); these tests prove the whole path on a handmade inbox.

One run serves the table; the published-list cap needs runs of its own."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
import yaml

from .conftest import open_db
from .test_rules_table import (
    AS_OF,
    AFTER,
    BEFORE,
    CONSENT_DATE,
    FEDERAL_FULL,
    FRESH_CHECK,
    PRERECORDED,
    RND_QUERIED,
    SMS,
    Voter,
    _digits,
    _e164,
    build_inbox,
    consent,
    landline,
    prerecorded_calls,
    published_rows,
    rnd_no,
    run,
    write_csv,
    write_lists,
)

FULL_WIDTH = str.maketrans("0123456789+()-", "０１２３４５６７８９＋（）－")


def before_as_of(days: int, hours: int = 0) -> str:
    return (AS_OF - timedelta(days=days, hours=hours)).isoformat()


def compliance_policy(base: Path) -> Path:
    """The shipped policy with the page's values made explicit: prerecorded landline lists
    expire after 24 hours (R29), the cap exempts consented numbers, and the R16 keys and the
    C07/R16 rule texts (added here only while the shipped policy still lacks them)."""
    from configuration.config_files import DEFAULTS_DIR

    data = yaml.safe_load((DEFAULTS_DIR / "policy.yaml").read_text())
    data["rules"].setdefault("C07", {"confidence": "H", "text": "unparsed suppression line holding a valid number"})
    data["rules"].setdefault("R16", {"confidence": "M", "text": "RND answer too old, or consent before the RND cutoff"})
    data.setdefault("rnd_max_age_days", 30)
    data.setdefault("rnd_consent_cutoff_date", "2021-01-27")
    landline_channel = data["channels"]["prerecorded_call_landline"]
    landline_channel["expires_hours"] = 24
    landline_channel["cap"]["exempt_with_consent"] = True
    path = base / "policy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


LISTS = [
    {"name": "calls", "segment": "everyone", "channel": "manual_call", "purpose": "political"},
    {"name": "dialer", "segment": "everyone", "channel": "predictive_dialer_call", "purpose": "political"},
    {"name": "robo_first", "segment": "everyone", "channel": "prerecorded_call_landline", "purpose": "political",
     "prerecorded": {**PRERECORDED, "live_operator_intro": False}},
    {"name": "robo_second", "segment": "everyone", "channel": "prerecorded_call_landline", "purpose": "political",
     "prerecorded": {**PRERECORDED, "live_operator_intro": False}},
    {"name": "texts_p2p", "segment": "everyone", "channel": "p2p_sms", "purpose": "political",
     "sms": {**SMS, "human_per_message_send": True}},
    # Commercial purposes scrub the do-not-call lists (R20).
    {"name": "commercial_calls", "segment": "everyone", "channel": "manual_call", "purpose": "commercial"},
]


def build_voters() -> dict[str, Voter]:
    """One voter per case (see write_extra_lines for what the shared writer cannot express)."""
    voters: list[Voter] = []
    counter = iter(range(301, 1000))

    def add(name: str, **kwargs) -> Voter:
        voter = Voter(name, kwargs.pop("phone", None) or _digits(next(counter)), **kwargs)
        voters.append(voter)
        return voter

    def spelled(digits: str) -> str:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"

    add("plain", line_type=landline())

    # 1. Unicode: a full-width opt-out phone, replies with a tab, a no-break space, a curly
    # apostrophe and full-width letters.
    voter = add("fullwidth_optout")
    voter.opt_outs = [{"received_at": BEFORE, "channel": "sms", "phone": spelled(voter.phone).translate(FULL_WIDTH)}]
    add("tab_stop", inbound=[(BEFORE, "\tSTOP")])
    add("nbsp_stop", inbound=[(BEFORE, "\u00a0STOP")])
    add("curly_dont_text", inbound=[(BEFORE, "Please don\u2019t text me")])
    add("fullwidth_stop", inbound=[(BEFORE, "\uff33\uff34\uff2f\uff30")])
    # Told to 'reply "STOP"', people reply with the quotes, or after an emoji.
    add("quoted_stop", inbound=[(BEFORE, '"STOP"')])
    add("emoji_stop", inbound=[(BEFORE, "\U0001F6D1 Stop texting me")])
    add("spelled_stop", inbound=[(BEFORE, "S T O P")])
    # Cyrillic capitals that look like Latin ones (S, T, O, P).
    add("cyrillic_stop", inbound=[(BEFORE, "\u0405\u0422\u041e\u0420")])
    # A keyword at the end, after something else: ambiguous, suppressed until read (R11).
    add("trailing_stop", inbound=[(BEFORE, "No thanks, stop")])

    # 2. Enum spellings.
    for name, disposition in (("wrong_number_caps", "WRONG NUMBER"), ("wrong_number_dash", "Wrong-Number"),
                              ("wrong_number_padded", " wrong number ")):
        add(name, history=[{"channel": "Manual Call", "attempted_at": BEFORE, "caller_entity": "Friends of Jane Doe",
                            "disposition": disposition}])
    # Dialers' own words: the wrong person (R28), a request not to be called (R09).
    for name, disposition in (("not_this_person", "Not this person"), ("wrong_hash", "Wrong #"),
                              ("dnc_disposition", "Do Not Call"), ("refused_dnc_disposition", "Refused - DNC"),
                              ("opted_out_disposition", "Opted Out")):
        add(name, history=[{"channel": "Manual Call", "attempted_at": BEFORE, "caller_entity": "Friends of Jane Doe",
                            "disposition": disposition}])
    add("unknown_channel_optout", opt_outs=[{"received_at": BEFORE, "channel": "email", "phone": None}])

    # 3. C07: only a malformed opt-out line (too few fields) names this number.
    add("c07_too_few_fields")
    # C07 on the other sources an unreadable line can hide a suppression in (write_extra_lines):
    # a Mobilize record without an id, a consents line (maybe a revocation) after a valid
    # consent, a do-not-call line with spaces, a line-types line (maybe a newer answer) after a
    # fresh landline answer. Each number would be on its list without the unreadable line.
    add("c07_mobilize_record")
    # Mobilize statuses other than the API's three, as a tool or an export may write them: any
    # value that is neither an opt-in nor blank may be an opt-out (write_extra_lines).
    add("mobilize_opted_out_spelled")
    add("mobilize_stop_status")
    add("c07_consents_line", consents=[consent("autodialed_voice")], rnd=[rnd_no()])
    add("c07_dnc_line")
    add("c07_line_types_line", line_type=landline())
    # A loaded line whose phone field does not read as a valid number still holds one
    # (write_extra_lines): a spreadsheet's float in opt_outs/, a labelled number in a STOP
    # reply, and in a line-types answer after a fresh landline answer.
    add("c07_opt_out_phone_as_float")
    # numpy's savetxt writes floats in scientific notation with every digit.
    add("c07_opt_out_phone_in_scientific_notation")
    add("c07_stop_from_labelled_phone")
    # Separators no spelling uses: the digit groups are still the number (write_extra_lines).
    add("c07_opt_out_phone_with_underscores")
    add("c07_opt_out_phone_with_colons")
    add("c07_opt_out_phone_with_commas")
    add("c07_line_type_phone_as_float", line_type=landline())
    # A line-type answer without a readable time may be the newest: `unknown` at as-of.
    add("line_type_untimed", line_types=[("landline", FRESH_CHECK), ("landline", "last week")])
    # RND (R07 via R15): an unreadable rnd/ line, and answers `yes` whose consent date or query
    # time cannot be read, may be the newest answer for the consent: none of them is cleared.
    add("c07_rnd_line", consents=[consent("autodialed_voice")], rnd=[rnd_no()])
    add("rnd_yes_undated", consents=[consent("autodialed_voice")], rnd=[rnd_no(), ("someday", "yes", RND_QUERIED)])
    add("rnd_yes_untimed", consents=[consent("autodialed_voice")], rnd=[rnd_no(), (CONSENT_DATE, "yes", "soon")])
    add("rnd_no_undated_clears_nothing", consents=[consent("autodialed_voice")],
        rnd=[("someday", "no", RND_QUERIED)])

    # 4. Ties: landline and wireless at the same checked_at, in both row orders and both file orders.
    add("tie_landline_first", line_types=[("landline", FRESH_CHECK), ("wireless", FRESH_CHECK)])
    add("tie_wireless_first", line_types=[("wireless", FRESH_CHECK), ("landline", FRESH_CHECK)])
    add("tie_across_files_landline_first", line_types=[("landline", FRESH_CHECK)])
    add("tie_across_files_wireless_first", line_types=[("wireless", FRESH_CHECK)])
    add("rnd_tie_no_first", consents=[consent("autodialed_voice")],
        rnd=[(CONSENT_DATE, "no", RND_QUERIED), (CONSENT_DATE, "yes", RND_QUERIED)])
    add("rnd_tie_yes_first", consents=[consent("autodialed_voice")],
        rnd=[(CONSENT_DATE, "yes", RND_QUERIED), (CONSENT_DATE, "no", RND_QUERIED)])
    add("rnd_spelled_no_data", consents=[consent("autodialed_voice")], rnd=[(CONSENT_DATE, "No Data", RND_QUERIED)])

    # 5. R05 and R16 at expires_at (24 hours after as-of on both channels here), the RND cutoff.
    add("r05_checked_14_days_ago", line_type=("landline", before_as_of(14, 1)))
    add("r05_checked_13_days_ago", line_type=("landline", before_as_of(13)))
    add("rnd_31_days_at_expiry", consents=[consent("autodialed_voice")],
        rnd=[(CONSENT_DATE, "no", before_as_of(30))])
    add("rnd_29_days_at_expiry", consents=[consent("autodialed_voice")],
        rnd=[(CONSENT_DATE, "no", before_as_of(28))])
    add("consent_dated_2020", consents=[consent("autodialed_voice", consented_at="2020-06-01T12:00:00-04:00")],
        rnd=[("2020-06-01", "no", RND_QUERIED)])
    add("consent_dated_2021_after_cutoff", consents=[consent("autodialed_voice", consented_at="2021-02-01T12:00:00-05:00")],
        rnd=[("2021-02-01", "no", RND_QUERIED)])

    # 6. R13 across this run's lists, in lists.yaml order.
    add("cap_two_calls", line_type=landline(), history=prerecorded_calls(5, 12))
    add("cap_one_call", line_type=landline(), history=prerecorded_calls(5))
    add("cap_two_calls_consented", line_type=landline(), history=prerecorded_calls(5, 12),
        consents=[consent("prerecorded_voice")], rnd=[rnd_no()])

    # 7. Exemptions and state rules per number.
    shared = _digits(next(counter))
    add("nc_active_sharing_with_fl_exempt", phone=shared)
    add("fl_exempt_sharing", phone=shared, florida=True, confidential="Y", state="FL", zip_code="32301")
    indiana = _digits(next(counter))
    add("nc_resident_sharing_with_indiana", phone=indiana, line_type=landline())
    add("indiana_resident_sharing", phone=indiana, state="IN", zip_code="46204")

    # 8. Added later (at the end, so no earlier voter's number moves). A person's OPT_OUT
    # reaches the numbers they gave besides the primary one; the letter O typed for a zero.
    add("mobilize_other_number_opted_out")
    add("mobilize_other_number_unreadable")
    add("mobilize_other_number_opted_in")
    add("c07_opt_out_phone_with_letter_o", phone="9192704305")
    # Survey and ID answers in a dialer's words for a disposition (surveys/).
    add("survey_do_not_call_by_ncid")
    add("survey_wrong_number_by_phone")
    add("survey_support_by_ncid")
    add("survey_do_not_call_after_as_of")
    add("survey_do_not_call_labelled_phone")
    # A phone field that reads as its first number, the rest as an extension ("a;b", "a,,b").
    add("c07_opt_out_first_of_two")
    add("c07_opt_out_second_of_two")
    add("reply_first_of_two")
    add("c07_reply_second_of_two")

    names = [v.name for v in voters]
    assert len(names) == len(set(names))
    return {v.name: v for v in voters}


@dataclass
class Run:
    home: Path
    status: int
    outcomes: dict
    voters: dict[str, Voter]
    contact_ids: dict[str, str]
    decisions: dict[tuple[str, str], tuple[bool, list[str], list[dict]]]
    opt_out_channels: dict[int, str]


def write_extra_lines(inbox: Path, voters: dict[str, Voter]) -> None:
    """What the shared writer cannot express: a second line-type file and a malformed line."""
    def digits(name: str) -> str:
        return _e164(voters[name].phone)[2:]

    write_csv(inbox / "line_types" / "z_second_file.csv", ["phone", "line_type", "checked_at", "source"], [
        [digits("tie_across_files_landline_first"), "wireless", FRESH_CHECK, "other-carrier"],
        [digits("tie_across_files_wireless_first"), "landline", FRESH_CHECK, "other-carrier"],
    ])
    with (inbox / "opt_outs" / "opt_outs.csv").open("a", newline="") as handle:
        handle.write(f"{digits('c07_too_few_fields')},{BEFORE}\n")
    number = digits("c07_mobilize_record")
    (inbox / "volunteers").mkdir(exist_ok=True)
    (inbox / "volunteers" / "attendances_001.json").write_text(json.dumps({"count": 1, "next": None, "data": [
        {"person": {"phone_numbers": [{"primary": True, "number": f"{number[:3]}-{number[3:6]}-{number[6:]}"}],
                    "sms_opt_in_status": "OPT_OUT"}}]}))
    (inbox / "volunteers" / "attendances_002.json").write_text(json.dumps({"count": 2, "next": None, "data": [
        {"id": 9000 + index, "modified_date": 1767225600, "status": "CONFIRMED",
         "person": {"id": 9000 + index, "phone_numbers": [{"primary": True, "number": digits(name)}],
                    "sms_opt_in_status": status}}
        for index, (name, status) in enumerate((("mobilize_opted_out_spelled", "Opted Out"),
                                                 ("mobilize_stop_status", "STOP")))]}))
    # Each person's primary number is no voter's; a voter's number is among the others.
    other = digits("mobilize_other_number_unreadable")
    (inbox / "volunteers" / "attendances_003.json").write_text(json.dumps({"count": 3, "next": None, "data": [
        {"id": 9100 + index, "modified_date": 1767225600, "status": "CONFIRMED",
         "person": {"id": 9100 + index, "sms_opt_in_status": status, "phone_numbers": [
             {"primary": False, "number": others}, {"primary": True, "number": f"202-555-01{index + 10}"}]}}
        for index, (status, others) in enumerate((
            ("OPT_OUT", f"+1 ({digits('mobilize_other_number_opted_out')[:3]}) "
                        f"{digits('mobilize_other_number_opted_out')[3:6]}-{digits('mobilize_other_number_opted_out')[6:]}"),
            ("OPT_OUT", f"{other[:3]}_{other[3:6]}_{other[6:]} (home)"),
            ("OPT_IN", digits("mobilize_other_number_opted_in"))))]}))
    def ncid(name: str) -> str:  # as build_inbox numbers the NC voters
        return f"TC{list(voters).index(name) + 1:06d}"

    write_csv(inbox / "surveys" / "ids.csv", ["ncid", "phone", "question", "response", "collected_at"], [
        [ncid("survey_do_not_call_by_ncid"), "", "contact", "Do Not Call", BEFORE],
        ["", digits("survey_wrong_number_by_phone"), "id", "Wrong #", BEFORE],
        [ncid("survey_support_by_ncid"), "", "id", "Strongly support", BEFORE],
        [ncid("survey_do_not_call_after_as_of"), "", "contact", "DNC", AFTER],
        ["", f"{digits('survey_do_not_call_labelled_phone')} (cell)", "contact", "Remove me", BEFORE],
    ])
    with (inbox / "consents" / "consents.csv").open("a", newline="") as handle:
        handle.write(f"{digits('c07_consents_line')},Friends of Jane Doe\n")
    with (inbox / "dnc" / "federal" / f"dnc_full_{FEDERAL_FULL}.txt").open("a") as handle:
        number = digits("c07_dnc_line")
        handle.write(f"{number[:3]} {number[3:6]} {number[6:]}\n")
    with (inbox / "rnd" / "rnd.csv").open("a", newline="") as handle:
        handle.write(f"{digits('c07_rnd_line')},yes\n")
    with (inbox / "line_types" / "line_types.csv").open("a", newline="") as handle:
        handle.write(f"{digits('c07_line_types_line')},wireless\n")
        handle.write(f"{digits('c07_line_type_phone_as_float')}.0,wireless,{FRESH_CHECK},carrier\n")
    with (inbox / "opt_outs" / "opt_outs.csv").open("a", newline="") as handle:
        handle.write(f"{digits('c07_opt_out_phone_as_float')}.0,{BEFORE},all,spreadsheet,\n")
        number = digits("c07_opt_out_phone_in_scientific_notation")
        handle.write(f"{number[0]}.{number[1:]}000000000e+09,{BEFORE},all,numpy,\n")
    with (inbox / "inbound_sms" / "replies.csv").open("a", newline="") as handle:
        number = digits("c07_stop_from_labelled_phone")
        handle.write(f'"{number[:3]}-{number[3:6]}-{number[6:]} (cell)",{BEFORE},STOP\n')
    with (inbox / "opt_outs" / "opt_outs.csv").open("a", newline="") as handle:
        for name, separator in (("c07_opt_out_phone_with_underscores", "_"), ("c07_opt_out_phone_with_colons", ":"),
                                ("c07_opt_out_phone_with_commas", ",")):
            number = digits(name)
            handle.write(f'"{number[:3]}{separator}{number[3:6]}{separator}{number[6:]}",{BEFORE},all,spreadsheet,\n')
        # The letter O typed for a zero in the line number.
        number = digits("c07_opt_out_phone_with_letter_o")
        handle.write(f'{number[:3]}-{number[3:6]}-{number[6:].replace("0", "O")},{BEFORE},all,web,\n')
        # Two numbers in one field: the first is the row's, the second an unreadable line's (C07).
        handle.write(f'{digits("c07_opt_out_first_of_two")};{digits("c07_opt_out_second_of_two")},{BEFORE},all,web,\n')
    with (inbox / "inbound_sms" / "replies.csv").open("a", newline="") as handle:
        handle.write(f'"{digits("reply_first_of_two")},,{digits("c07_reply_second_of_two")}",{BEFORE},Thanks\n')


@pytest.fixture(scope="module")
def compliance_run(tmp_path_factory) -> Run:
    base = tmp_path_factory.mktemp("compliance")
    inbox, home = base / "inbox", base / "home"
    home.mkdir()
    voters = build_voters()
    keys = build_inbox(inbox, voters)
    write_extra_lines(inbox, voters)
    status, outcomes, _ = run(inbox, home, write_lists(base / "lists.yaml", LISTS), compliance_policy(base))
    con = open_db(str(home / "warehouse.duckdb"))
    try:
        ids = dict(con.execute("select voter_key, contact_id from main.int_voters").fetchall())
        decisions = {(name, cid): (included, list(rules), list(evidence)) for name, cid, included, rules, evidence in
                     con.execute("select list_name, contact_id, included, rule_ids, evidence from main.list_decisions"
                                 ).fetchall()}
        channels = dict(con.execute("select source_line, channel from main.stg_opt_outs").fetchall())
    finally:
        con.close()
    contact_ids = {name: ids[key] for name, key in keys.items() if key in ids}
    return Run(home, status, {o.name: o for o in outcomes}, voters, contact_ids, decisions, channels)


def decision(run_: Run, voter: str, list_name: str) -> tuple[bool, list[str], list[dict]]:
    assert voter in run_.contact_ids, f"{voter} did not reach int_voters"
    key = (list_name, run_.contact_ids[voter])
    assert key in run_.decisions, f"{voter} has no decision on {list_name}"
    return run_.decisions[key]


def case(voter: str, list_name: str, included: bool, present=()):
    return pytest.param(voter, list_name, included, (present,) if isinstance(present, str) else present,
                        id=f"{voter}@{list_name}")


CASES = [
    case("plain", "robo_first", True),
    case("plain", "robo_second", True),
    # 1. Unicode normalization.
    case("fullwidth_optout", "calls", False, "R09"),
    case("fullwidth_optout", "texts_p2p", False, "R09"),
    case("tab_stop", "texts_p2p", False, "R11"),
    case("nbsp_stop", "texts_p2p", False, "R11"),
    case("quoted_stop", "texts_p2p", False, "R11"),
    case("emoji_stop", "calls", False, "R11"),
    case("spelled_stop", "texts_p2p", False, "R11"),
    case("cyrillic_stop", "texts_p2p", False, "R11"),
    case("trailing_stop", "calls", False, "R11"),
    case("curly_dont_text", "texts_p2p", False, "R11"),
    case("fullwidth_stop", "calls", False, "R11"),
    # 2. Enum spellings.
    case("wrong_number_caps", "calls", False, "R28"),
    case("wrong_number_dash", "texts_p2p", False, "R28"),
    case("not_this_person", "calls", False, "R28"),
    case("wrong_hash", "texts_p2p", False, "R28"),
    case("dnc_disposition", "calls", False, "R09"),
    case("refused_dnc_disposition", "texts_p2p", False, "R09"),
    case("opted_out_disposition", "calls", False, "R09"),
    case("wrong_number_padded", "calls", False, "R28"),
    case("unknown_channel_optout", "calls", False, "R09"),
    case("unknown_channel_optout", "texts_p2p", False, "R09"),
    # 3. C07.
    case("c07_too_few_fields", "calls", False, "C07"),
    case("c07_too_few_fields", "texts_p2p", False, "C07"),
    case("c07_opt_out_phone_with_letter_o", "calls", False, "C07"),
    case("c07_opt_out_phone_with_letter_o", "texts_p2p", False, "C07"),
    case("survey_do_not_call_by_ncid", "calls", False, "R09"),
    case("survey_do_not_call_by_ncid", "texts_p2p", False, "R09"),
    case("survey_wrong_number_by_phone", "calls", False, "R28"),
    case("survey_support_by_ncid", "calls", True),
    case("survey_do_not_call_after_as_of", "calls", True),
    case("survey_do_not_call_labelled_phone", "calls", False, "C07"),
    case("c07_opt_out_first_of_two", "calls", False, "R09"),
    case("c07_opt_out_second_of_two", "calls", False, "C07"),
    case("c07_opt_out_second_of_two", "texts_p2p", False, "C07"),
    case("reply_first_of_two", "texts_p2p", True),
    case("c07_reply_second_of_two", "texts_p2p", False, "C07"),
    case("c07_mobilize_record", "calls", False, "C07"),
    case("c07_mobilize_record", "texts_p2p", False, "C07"),
    case("mobilize_opted_out_spelled", "calls", False, "R09"),
    case("mobilize_opted_out_spelled", "texts_p2p", False, "R09"),
    case("mobilize_stop_status", "texts_p2p", False, "R09"),
    case("mobilize_other_number_opted_out", "calls", False, "R09"),
    case("mobilize_other_number_opted_out", "texts_p2p", False, "R09"),
    case("mobilize_other_number_unreadable", "texts_p2p", False, "C07"),
    case("mobilize_other_number_opted_in", "texts_p2p", True),
    case("c07_consents_line", "dialer", False, "R07"),
    # It may be a revocation: an opt-out on every channel (R09 via C07).
    case("c07_consents_line", "calls", False, "C07"),
    case("c07_dnc_line", "commercial_calls", False, "R20"),
    case("c07_dnc_line", "calls", True),
    case("c07_line_types_line", "robo_first", False, "R04"),
    case("c07_line_types_line", "calls", True),
    case("c07_opt_out_phone_as_float", "calls", False, "C07"),
    case("c07_opt_out_phone_as_float", "texts_p2p", False, "C07"),
    case("c07_opt_out_phone_in_scientific_notation", "calls", False, "C07"),
    case("c07_stop_from_labelled_phone", "texts_p2p", False, "C07"),
    case("c07_opt_out_phone_with_underscores", "calls", False, "C07"),
    case("c07_opt_out_phone_with_colons", "texts_p2p", False, "C07"),
    case("c07_opt_out_phone_with_commas", "calls", False, "C07"),
    case("c07_line_type_phone_as_float", "robo_first", False, "R04"),
    case("c07_line_type_phone_as_float", "calls", True),
    case("line_type_untimed", "robo_first", False, "R04"),
    case("line_type_untimed", "calls", True),
    case("c07_rnd_line", "dialer", False, "R07"),
    case("rnd_yes_undated", "dialer", False, "R07"),
    case("rnd_yes_untimed", "dialer", False, "R07"),
    case("rnd_no_undated_clears_nothing", "dialer", False, "R07"),
    case("c07_rnd_line", "calls", True),
    # 4. Ties: a rule applies if it applies to any answer; the RND tie goes to the answer that is not `no`.
    *[case(voter, "robo_first", False, "R04") for voter in (
        "tie_landline_first", "tie_wireless_first", "tie_across_files_landline_first", "tie_across_files_wireless_first")],
    *[case(voter, "dialer", False, "R07") for voter in (
        "tie_landline_first", "tie_wireless_first", "tie_across_files_landline_first", "tie_across_files_wireless_first")],
    *[case(voter, "texts_p2p", False, "C04") for voter in (
        "tie_landline_first", "tie_wireless_first", "tie_across_files_landline_first", "tie_across_files_wireless_first")],
    case("rnd_tie_no_first", "dialer", False, "R07"),
    case("rnd_tie_yes_first", "dialer", False, "R07"),
    case("rnd_spelled_no_data", "dialer", False, "R07"),
    # 5. R05 and R16 at expires_at; the RND cutoff.
    case("r05_checked_14_days_ago", "robo_first", False, "R05"),
    case("r05_checked_13_days_ago", "robo_first", True),
    case("rnd_31_days_at_expiry", "dialer", False, "R07"),
    case("rnd_29_days_at_expiry", "dialer", True),
    case("consent_dated_2020", "dialer", False, "R07"),
    case("consent_dated_2021_after_cutoff", "dialer", True),
    # 6. R13 across lists, in lists.yaml order: 2 calls + this list = 3 enters the first only.
    case("cap_two_calls", "robo_first", True),
    case("cap_two_calls", "robo_second", False, "R13"),
    case("cap_one_call", "robo_first", True),
    case("cap_one_call", "robo_second", True),
    case("cap_two_calls_consented", "robo_first", True),
    case("cap_two_calls_consented", "robo_second", True),
    # 7. Per number: an exempt Florida record keeps the NC voter's number off every list; an
    # Indiana holder brings R22 to a number with an NC area code and an NC resident.
    *[case("nc_active_sharing_with_fl_exempt", name, False, "C01") for name in ("calls", "dialer", "texts_p2p", "robo_first")],
    case("nc_resident_sharing_with_indiana", "robo_first", False, "R22"),
    case("nc_resident_sharing_with_indiana", "robo_second", False, "R22"),
]


@pytest.mark.parametrize("voter, list_name, included, present", CASES)
def test_compliance_case(compliance_run, voter, list_name, included, present):
    actual, rule_ids, _ = decision(compliance_run, voter, list_name)
    summary = f"{voter} on {list_name}: included={actual}, rule_ids={rule_ids}"
    assert actual is included, summary
    for rule in present:
        assert rule in rule_ids, f"expected {rule}; {summary}"
    if not included:
        assert rule_ids, summary


def test_unknown_opt_out_channel_counts_as_all(compliance_run):
    # Every channel value after normalization is call, sms or all.
    assert set(compliance_run.opt_out_channels.values()) <= {"call", "sms", "all"}
    assert "all" in compliance_run.opt_out_channels.values()


def test_evidence_names_the_deciding_events(compliance_run):
    _, _, evidence = decision(compliance_run, "fullwidth_optout", "calls")
    assert {(e["rule_id"], e["kind"], e["source_file"]) for e in evidence} >= {("R09", "opt_out", "opt_outs/opt_outs.csv")}
    _, _, evidence = decision(compliance_run, "c07_too_few_fields", "calls")
    assert any(e["rule_id"] == "C07" and e["source_file"] == "opt_outs/opt_outs.csv" and e["source_line"] for e in evidence)
    _, _, evidence = decision(compliance_run, "cap_two_calls", "robo_second")
    kinds = [(e["rule_id"], e["kind"], e["source_file"]) for e in evidence if e["rule_id"] == "R13"]
    assert sum(kind == "prerecorded_call" for _, kind, _ in kinds) == 2
    assert ("R13", "earlier_list", "robo_first") in kinds
    _, _, evidence = decision(compliance_run, "tie_landline_first", "robo_first")
    assert {e["kind"] for e in evidence if e["rule_id"] == "R04"} == {"line_type_check:landline", "line_type_check:wireless"}
    _, _, evidence = decision(compliance_run, "rnd_tie_no_first", "dialer")
    assert any(e["rule_id"] == "R07" and e["kind"] == "rnd_answer:yes" for e in evidence)
    _, _, evidence = decision(compliance_run, "plain", "calls")
    assert evidence == []


def test_every_list_published(compliance_run):
    """The gate, which implements the same page on its own, agrees with every decision."""
    blocked = {name: o.detail for name, o in compliance_run.outcomes.items() if not o.published}
    assert not blocked, blocked
    for spec in LISTS:
        rows = published_rows(compliance_run.home, spec["name"])
        included = {cid for (name, cid), (inc, _, _) in compliance_run.decisions.items() if name == spec["name"] and inc}
        assert {row["contact_id"] for row in rows} == included, spec["name"]


# --------------------------------------------------------------------------------------
# R13 counts unexpired prerecorded-landline lists already published that this run does not
# build; one that cannot be read fails the run closed.


def test_published_list_counts_toward_the_cap_and_a_corrupt_one_fails_closed(tmp_path):
    inbox, home = tmp_path / "inbox", tmp_path / "home"
    home.mkdir()
    voters = {v.name: v for v in [
        Voter("one_call", _digits(701), line_type=landline(), history=prerecorded_calls(5)),
        Voter("no_calls", _digits(702), line_type=landline()),
    ]}
    keys = build_inbox(inbox, voters)
    policy = compliance_policy(tmp_path)
    old = [{"name": "robo_old", "segment": "everyone", "channel": "prerecorded_call_landline", "purpose": "political",
            "prerecorded": {**PRERECORDED, "live_operator_intro": False}}]
    status, outcomes, _ = run(inbox, home, write_lists(tmp_path / "old.yaml", old), policy)
    assert status == 0, [o.detail for o in outcomes]
    assert {row["phone_e164"] for row in published_rows(home, "robo_old")} == {
        _e164(v.phone) for v in voters.values()}

    # Same as-of, robo_old not in lists.yaml: it is pending (unexpired), one call for each of its numbers.
    new = [spec for spec in LISTS if spec["name"] in ("robo_first", "robo_second")]
    lists_path = write_lists(tmp_path / "new.yaml", new)
    status, outcomes, _ = run(inbox, home, lists_path, policy)
    con = open_db(str(home / "warehouse.duckdb"))
    try:
        ids = dict(con.execute("select voter_key, contact_id from main.int_voters").fetchall())
        decided = {(name, cid): (included, list(rules)) for name, cid, included, rules in con.execute(
            "select list_name, contact_id, included, rule_ids from main.list_decisions").fetchall()}
        pending = con.execute("select list_name, count(*) from config.pending_prerecorded group by 1").fetchall()
    finally:
        con.close()
    assert pending == [("robo_old", 2)]
    one_call, no_calls = ids[keys["one_call"]], ids[keys["no_calls"]]
    # 1 call + 1 pending list + this one = 3: the first list only.
    assert decided[("robo_first", one_call)] == (True, [])
    assert decided[("robo_second", one_call)] == (False, ["R13"])
    assert decided[("robo_first", no_calls)] == (True, [])
    assert decided[("robo_second", no_calls)] == (True, [])

    # A pending list whose numbers cannot be read: no list is built, and the reason names it.
    version = (home / "published" / "robo_old" / "LATEST").read_text().strip()
    (home / "published" / "robo_old" / version / "contacts.parquet").write_bytes(b"not a parquet file")
    status, outcomes, _ = run(inbox, home, lists_path, policy)
    assert status != 0
    assert outcomes and all(not o.published for o in outcomes)
    assert all("robo_old" in o.detail for o in outcomes), [o.detail for o in outcomes]


def test_unreadable_lines_are_the_evidence(compliance_run):
    """Each C07 exclusion names the quarantined line that caused it, file and line."""
    _, _, evidence = decision(compliance_run, "c07_mobilize_record", "calls")
    assert any(e["rule_id"] == "C07" and e["source_file"] == "volunteers/attendances_001.json" for e in evidence)
    _, _, evidence = decision(compliance_run, "c07_consents_line", "dialer")
    assert any(e["rule_id"] == "R07" and e["kind"] == "consent_revoked:revoked"
               and e["source_file"] == "consents/consents.csv" and e["source_line"] for e in evidence), evidence
    _, _, evidence = decision(compliance_run, "c07_rnd_line", "dialer")
    assert any(e["rule_id"] == "R07" and e["kind"] == "rnd_answer:unreadable"
               and e["source_file"] == "rnd/rnd.csv" and e["source_line"] for e in evidence), evidence
    _, _, evidence = decision(compliance_run, "c07_line_types_line", "robo_first")
    assert any(e["kind"] == "line_type_check:unknown" and e["source_file"] == "line_types/line_types.csv"
               for e in evidence), evidence


def test_unreadable_lines_are_quarantined_not_lost(compliance_run):
    """The extra lines are in quarantine, so the counts still reconcile."""
    con = open_db(str(compliance_run.home / "warehouse.duckdb"))
    try:
        sources = {row[0] for row in con.execute("select distinct source from raw.quarantine").fetchall()}
    finally:
        con.close()
    assert {"opt_outs", "volunteers", "consents", "dnc", "line_types", "rnd"} <= sources

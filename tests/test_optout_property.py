"""Property: an opt-out written in any common US spelling, on any channel, from the opt-out
file or as an inbound STOP-style text, keeps the number off every published list
(CONTRACT sections 2 and 4, rules 1 and 2).

A pipeline run costs about 15 s, so one hypothesis example is a whole batch: dozens of
voters, each opted out in its own drawn way (spelling, channel, file, keyword, time), plus
control voters that must still be published. max_examples is small and shrinking is off
(each shrink step would be another pipeline run); the failing batch is printed instead."""

from __future__ import annotations

import tempfile
from datetime import timedelta, timezone
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from .conftest import open_db
from .test_rules_table import (
    AS_OF,
    FRESH_CHECK,
    PRERECORDED,
    SMS,
    _digits,
    nc_voter_row,
    published_rows,
    run,
    write_csv,
    write_lists,
    write_nc_voters,
)

N_OPTED = 48
N_CONTROL = 12

LISTS = [
    {"name": "calls", "segment": "everyone", "channel": "manual_call", "purpose": "political"},
    {"name": "texts", "segment": "everyone", "channel": "p2p_sms", "purpose": "political",
     "sms": {**SMS, "human_per_message_send": True}},
    {"name": "robo", "segment": "everyone", "channel": "prerecorded_call_landline", "purpose": "political",
     "prerecorded": PRERECORDED},
]

# CONTRACT rule 2 keywords: a body that equals or starts with one of these ...
STARTS_WITH = ["stop", "stopall", "stop all", "unsubscribe", "cancel", "end", "quit", "revoke", "optout",
               "opt out", "opt-out", "remove"]
# ... or contains one of these.
CONTAINS = ["remove me", "take me off", "don't text", "dont text", "don't contact", "lose my number",
            "delete my number", "wrong number"]


@st.composite
def spellings(draw, digits: str) -> str:
    """One common US spelling of a ten-digit number."""
    area, exchange, line = digits[:3], digits[3:6], digits[6:]
    prefix = draw(st.sampled_from(["", "1", "+1", "1 ", "+1 ", "1-", "+1-", "1.", "+1."]))
    area_text = draw(st.sampled_from([area, f"({area})"]))
    first = draw(st.sampled_from(["", " ", "-", ".", "/"]))
    second = draw(st.sampled_from(["", " ", "-", "."]))
    padding = draw(st.sampled_from(["", " "]))
    return f"{padding}{prefix}{area_text}{first}{exchange}{second}{line}{padding}"


def recase(text: str, how: str) -> str:
    return {"lower": text.lower(), "upper": text.upper(), "title": text.title(), "capitalize": text.capitalize(),
            "as_is": text}[how]


@st.composite
def opt_out_bodies(draw) -> str:
    how = draw(st.sampled_from(["lower", "upper", "title", "capitalize", "as_is"]))
    pad_left = draw(st.sampled_from(["", " ", "  "]))
    pad_right = draw(st.sampled_from(["", " ", "\t", "  "]))
    if draw(st.booleans()):
        keyword = draw(st.sampled_from(STARTS_WITH))
        tail = draw(st.sampled_from(["", " please", "!", " now", ".", " texting me"]))
        body = keyword + tail
    else:
        phrase = draw(st.sampled_from(CONTAINS))
        head = draw(st.sampled_from(["", "please ", "Hey, ", "sorry "]))
        tail = draw(st.sampled_from(["", " thanks", "!", " me"]))
        body = head + phrase + tail
    return pad_left + recase(body, how) + pad_right


def timestamps(earliest_days: int, latest_days: int):
    """A time between `earliest_days` and `latest_days` before as-of (negative = after as-of),
    written with an Eastern or a UTC offset."""

    @st.composite
    def draw_time(draw) -> str:
        seconds = draw(st.integers(latest_days * 86400, earliest_days * 86400))
        moment = AS_OF - timedelta(seconds=seconds)
        if draw(st.booleans()):
            return moment.isoformat()
        return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")

    return draw_time()


@st.composite
def opt_out_ways(draw, digits: str) -> dict:
    source = draw(st.sampled_from(["opt_outs", "inbound_sms"]))
    # On or before as-of: anywhere in the last year, as-of itself included.
    received_at = draw(st.one_of(st.just(AS_OF.isoformat()), timestamps(365, 0)))
    way = {"source": source, "phone": draw(spellings(digits)), "received_at": received_at}
    if source == "opt_outs":
        way["channel"] = draw(st.sampled_from(["call", "sms", "all", ""]))
    else:
        way["body"] = draw(opt_out_bodies())
    return way


@st.composite
def batches(draw) -> dict:
    opted_digits = [_digits(i, "919") for i in range(1, N_OPTED + 1)]
    control_digits = [_digits(i, "919") for i in range(N_OPTED + 1, N_OPTED + N_CONTROL + 1)]
    opted = [{"digits": d, "voter_phone": draw(spellings(d)), "way": draw(opt_out_ways(d))} for d in opted_digits]
    controls = []
    for d in control_digits:
        control = {"digits": d, "voter_phone": draw(spellings(d)), "future": None}
        # A near miss: an opt-out received after as-of does not count yet. Up to a week after
        # as-of, so before this suite first reads it: one dated later than that counts at once.
        if draw(st.booleans()):
            control["future"] = {"phone": draw(spellings(d)), "received_at": draw(timestamps(-1, -7)),
                                 "channel": draw(st.sampled_from(["call", "sms", "all", ""]))}
        controls.append(control)
    return {"opted": opted, "controls": controls}


def write_batch(inbox: Path, batch: dict) -> dict[str, str]:
    """The inbox for one batch; returns ncid -> E.164."""
    rows, phones = [], {}
    opt_outs, inbound, line_types = [], [], []
    people = [("OP", p) for p in batch["opted"]] + [("CT", c) for c in batch["controls"]]
    for index, (kind, person) in enumerate(people):
        ncid = f"{kind}{index:06d}"
        rows.append(nc_voter_row(ncid, person["voter_phone"]))
        digits = person["digits"]
        phones[ncid] = f"+1{digits}"
        # Every other number is a fresh landline, so each list has numbers it would otherwise take.
        if index % 2 == 0:
            line_types.append([digits, "landline", FRESH_CHECK, "test-carrier"])
        way = person.get("way")
        if way and way["source"] == "opt_outs":
            opt_outs.append([way["phone"], way["received_at"], way["channel"], "property", "asked"])
        elif way:
            inbound.append([way["phone"], way["received_at"], way["body"]])
        future = person.get("future")
        if future:
            opt_outs.append([future["phone"], future["received_at"], future["channel"], "property", "later"])
    write_nc_voters(inbox / "voters" / "ncvoter_property.txt", rows)
    write_csv(inbox / "opt_outs" / "opt_outs.csv", ["phone", "received_at", "channel", "source", "reason"], opt_outs)
    write_csv(inbox / "inbound_sms" / "replies.csv", ["phone", "received_at", "body"], inbound)
    write_csv(inbox / "line_types" / "line_types.csv", ["phone", "line_type", "checked_at", "source"], line_types)
    return phones


@settings(max_examples=3, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(batch=batches())
def test_no_opted_out_number_is_ever_published(batch):
    with tempfile.TemporaryDirectory(prefix="optout-property-") as tmp:
        base = Path(tmp)
        inbox, home = base / "inbox", base / "home"
        home.mkdir()
        phones = write_batch(inbox, batch)
        lists_path = write_lists(base / "lists.yaml", LISTS)
        status, outcomes, printed = run(inbox, home, lists_path)
        opted = {phones[ncid] for ncid in phones if ncid.startswith("OP")}
        controls = {phones[ncid] for ncid in phones if ncid.startswith("CT")}
        for way in batch["opted"]:
            note(f"opted out: voter file {way['voter_phone']!r}, {way['way']}")

        by_name = {o.name: o for o in outcomes}
        for name, outcome in by_name.items():
            assert outcome.published, f"{name} blocked: {outcome.detail}"

        con = open_db(str(home / "warehouse.duckdb"))
        try:
            everyone = {r[0] for r in con.execute("select phone_e164 from main.everyone").fetchall()}
            decisions = con.execute(
                "select list_name, phone_e164, included, rule_ids from main.list_decisions").fetchall()
        finally:
            con.close()
        # Every voter-file spelling was read: the opt-out, nothing else, is what has to keep them out.
        assert opted | controls <= everyone, sorted((opted | controls) - everyone)
        for list_name, phone, included, rule_ids in decisions:
            if phone in opted:
                assert not included and {"R09", "R11"} & set(rule_ids), (list_name, phone, rule_ids)

        for spec in LISTS:
            rows = published_rows(home, spec["name"])
            assert rows is not None, spec["name"]
            published = {row["phone_e164"] for row in rows}
            leaked = published & opted
            assert not leaked, f"{spec['name']} publishes opted-out numbers {sorted(leaked)}"
            if spec["name"] == "calls":
                assert controls <= published, f"controls missing from calls: {sorted(controls - published)}"

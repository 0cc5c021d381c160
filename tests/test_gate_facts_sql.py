"""The gate's facts read in DuckDB (facts.line_type_facts, facts.contact_facts) are those of
the Python reading they replaced (kept here as the reference), answer for answer, on messy
sources: phone and time spellings of every kind, ties, rows after as-of, unreadable times,
line types, channels and entities, the ledger's copy and unreadable line_types/ lines (C07)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from expectations import facts as F
from tests.test_gate_independence import AS_OF, ENTITY, INPUTS, warehouse


def reference(con, as_of: datetime) -> dict:
    """The Python reading as it was before the gate read line types in SQL (with known_by: a
    look-up made after its row was first read has no time)."""
    latest: dict = {}
    for number, line_type, checked_at, seen in F.source_rows(
            con, "line_types", ["phone", "line_type", "checked_at", F.FIRST_SEEN]):
        e164 = F.normalize_phone(number)
        when = F.known_by(F.parse_time(checked_at), seen)
        kind = F.EFFECTIVE_LINE_TYPE[F.normalize_line_type(line_type) if when is not None else "unknown"]
        when = as_of if when is None else when
        if not e164 or when > as_of:
            continue
        current = latest.get(e164)
        if current is None or when > current[0]:
            latest[e164] = (when, {kind})
        elif when == current[0]:
            current[1].add(kind)
    for e164 in F.quarantined_phones(con, ("line_types",)):
        current = latest.get(e164)
        if current is None or as_of > current[0]:
            latest[e164] = (as_of, {F.EFFECTIVE_LINE_TYPE["unknown"]})
        else:
            current[1].add(F.EFFECTIVE_LINE_TYPE["unknown"])
    return {e164: (sorted(kinds), when) for e164, (when, kinds) in latest.items()}


def _messy_rows(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    kinds = ["landline", "wireless", "Wireless ", "VOIP-fixed", "voip_nonfixed", "toll free", "TOLL_FREE", "unknown",
             "mobile", "", None, "LANDLINE", "l\u0430ndline", "\uff4c\uff41\uff4e\uff44\uff4c\uff49\uff4e\uff45"]
    rows = []
    for index in range(count):
        national = f"{rng.choice(['919', '984', '252', '268', '416', '800', '555', '123'])}{rng.randrange(2000000, 10**7)}"
        if index % 7 == 0 and rows:      # the same number again, spelled otherwise
            national = rows[rng.randrange(len(rows))]["phone"] or national
            national = "".join(c for c in national if c.isdigit())[-10:] or national
        phone = rng.choice([national, f"+1{national}", f"({national[:3]}) {national[3:6]}-{national[6:]}",
                            f"1.{national[:3]}.{national[3:6]}.{national[6:]}", f"tel {national}", None,
                            "".join(chr(0xFF10 + int(c)) for c in national)])
        when = AS_OF + timedelta(hours=rng.choice([-900, -48, -2, -2, 0, 3, 5000]), minutes=rng.choice([0, 0, 30]))
        stamp = rng.choice([when.isoformat(), when.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
                            when.astimezone(timezone.utc).replace(tzinfo=None).isoformat(sep=" "),
                            when.strftime("%m/%d/%Y"), when.date().isoformat(), "not a time", "", None,
                            when.isoformat(timespec="milliseconds")])
        rows.append({"phone": phone, "line_type": rng.choice(kinds), "checked_at": stamp})
    return rows


def facts_by_phone(con) -> dict:
    frame = F.line_type_facts(con, AS_OF)
    return {row.phone_e164: (list(row.line_types), row.line_checked_at.to_pydatetime()) for row in frame.itertuples()}


def _compare(con) -> int:
    got, want = facts_by_phone(con), reference(con, AS_OF)
    assert set(got) == set(want)
    for e164, (kinds, when) in want.items():
        assert got[e164][0] == kinds, e164
        assert got[e164][1] == when, e164
    return len(want)


def test_messy_sources_give_the_same_facts():
    rows = _messy_rows(4_000, 1)
    con = warehouse({"line_types": rows, "quarantine": [
        {"source": "line_types", "raw_line": f"{rows[5]['phone']},,garbled"},
        {"source": "Line Types", "raw_line": "call 919 555 0142 or +1 (984) 555-0199"},
        {"source": "opt_outs", "raw_line": "9195550177"},
    ]}, ledger={"line_types": _messy_rows(1_000, 2) + rows[:300]})
    assert _compare(con) > 1_500


def test_ties_and_unreadable_times():
    n = "9195550142"
    at = "2026-11-20T10:00:00-05:00"
    con = warehouse({"line_types": [
        {"phone": n, "line_type": "landline", "checked_at": at},
        {"phone": f"+1{n}", "line_type": "toll_free", "checked_at": "2026-11-20T15:00:00Z"},   # the same instant
        {"phone": "9845550142", "line_type": "landline", "checked_at": "garbled"},
        {"phone": "9845550142", "line_type": "landline", "checked_at": at},
        {"phone": "2525550142", "line_type": "landline", "checked_at": "2026-12-01T00:00:00Z"},   # after as-of
        {"phone": "3365550142", "line_type": "landline", "checked_at": "2099-01-01T00:00:00Z"},   # after its first read
    ]})
    assert _compare(con) == 3
    facts = facts_by_phone(con)
    assert facts["+19195550142"][0] == ["landline", "toll_free"]
    assert facts["+19845550142"] == (["wireless"], AS_OF)
    assert "+12525550142" not in facts
    assert facts["+13365550142"] == (["wireless"], AS_OF)


def test_no_line_type_source():
    con = warehouse({})
    assert facts_by_phone(con) == {} == reference(con, AS_OF)


# --------------------------------------------------------------------------------------
# Contact history: wrong numbers (R28) and prerecorded calls (R13).


def reference_contacts(con, inputs, days):
    """The Python reading as it was: (wrong-number times per phone, prerecorded calls per phone)."""
    history = []
    for number, channel, attempted_at, entity, disposition, seen in F.source_rows(
            con, "contact_history", ["phone", "channel", "attempted_at", "caller_entity", "disposition", F.FIRST_SEEN]):
        e164 = F.normalize_phone(number)
        if e164:
            # A time later than the row's first read is no time (F.known_by).
            when = F.known_by(F.parse_time(attempted_at), seen)
            history.append((e164, F.contact_channel(channel), when, F.entity_key(entity or ""),
                            F.disposition_kind(disposition)))
    wrong: dict = {}
    for e164, _channel, when, _entity, disposition in history:
        if disposition == "wrong_number" and (when is None or when <= inputs.as_of):
            wrong.setdefault(e164, []).append(when)
    entity = F.entity_key(inputs.caller_entity)
    since = inputs.as_of - timedelta(days=days)
    calls: dict = {}
    for e164, channel, when, caller, _disposition in history:
        if channel.startswith("prerecorded") and caller in ("", entity) and (when is None or since <= when <= inputs.as_of):
            calls[e164] = calls.get(e164, 0) + 1
    return wrong, calls


def _messy_history(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    lines = _messy_rows(count, seed)
    channels = ["prerecorded_call_landline", "Prerecorded Call Landline", "prerecorded_call_wireless", "manual_call",
                "p2p_sms", "", None, "PRERECORDED-CALL", "pre recorded", "Robocall", "IVR", "Phone Bank", "Text",
                "Campaign X"]
    dispositions = ["wrong_number", "Wrong Number", "WRONG-NUMBER", "answered", "no_answer", "", None, "wrong  number",
                    "wrongnumber", "Not this person", "Wrong #", "Do Not Call", "called at the wrong time"]
    entities = [ENTITY, ENTITY.upper(), f"  {ENTITY}  ", "", None, "Another Campaign", ENTITY.replace(" ", "  "),
                f"{ENTITY}.", ENTITY.replace(" ", "-")]
    return [{"phone": line["phone"], "channel": rng.choice(channels), "attempted_at": line["checked_at"],
             "caller_entity": rng.choice(entities), "disposition": rng.choice(dispositions)} for line in lines]


def _same_contacts(con, days: int = 30) -> tuple[int, int]:
    got_wrong, got_calls = F.contact_facts(con, INPUTS, days)
    want_wrong, want_calls = reference_contacts(con, INPUTS, days)
    assert got_calls == want_calls
    assert set(got_wrong) == set(want_wrong)
    key = lambda when: (when is not None, when)  # noqa: E731
    for e164, times in want_wrong.items():
        assert sorted(got_wrong[e164], key=key) == sorted(times, key=key), e164
    return len(want_wrong), len(want_calls)


def test_messy_contact_history_gives_the_same_facts():
    rows = _messy_history(4_000, 3)
    con = warehouse({"contact_history": rows}, ledger={"contact_history": _messy_history(800, 4) + rows[:200]})
    wrong, calls = _same_contacts(con)
    assert wrong > 200 and calls > 100
    assert _same_contacts(con, days=400) != (wrong, calls)


def test_no_contact_history():
    con = warehouse({})
    assert F.contact_facts(con, INPUTS, 30) == ({}, {}) == reference_contacts(con, INPUTS, 30)

"""What keeps numbers off lists: `opt_outs/`, `inbound_sms/` and `contact_history/` CSV files."""

from __future__ import annotations

import pathlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import phones
from .consent_sources import CALLER_ENTITY, CALLER_ENTITY_SHARE, OTHER_ENTITIES, Consents
from .population import Population, sample_voter_numbers
from .randomness import rng_for, weighted_choice
from .textio import pick, write_csv
from .timefmt import DAY, YEAR_DAYS, iso_mixed

OPT_OUT_SHARE = 0.01
MIN_OPT_OUTS = 50
UNKNOWN_NUMBERS = 0.05
RESPELLED_AGAIN = 0.04  # the same number opted out twice, written differently
SEVEN_DIGITS = 0.005  # a caller gave no area code: unusable, the row belongs in quarantine
AFTER_AS_OF = 0.03  # rows dated after as-of: they must not count yet
OPT_OUT_CHANNELS = ("call", "sms", "all", "")
OPT_OUT_CHANNEL_WEIGHTS = (35, 35, 15, 15)
OPT_OUT_SOURCES = {
    "call": ("dialer_keypress", "phonebank_note", "voicemail_request"),
    "sms": ("texting_tool", "sms_reply"),
    "all": ("web_form", "email_request", "letter"),
    "": ("web_form", "email_request", "volunteer_report"),
}
OPT_OUT_REASONS = ("requested no contact", "STOP", "do not call", "", "hostile", "not interested, remove")

INBOUND_SHARE = 0.015
MIN_INBOUND = 60
# Bodies that CONTRACT section 4 rule 2 classifies as opt-outs (typos such as "stopp" still
# start with "stop", so they count).
OPT_OUT_BODIES = (
    "STOP", "Stop", "stop", "  STOP  ", " STOP ALL", "stop all", "STOPALL", "Stop.", "stop texting me", "stopp",
    "Unsubscribe", "UNSUBSCRIBE", "cancel", "End", "QUIT", "revoke", "optout", "Opt out", "opt-out",
    "Remove", "please remove me", "Remove me from your list", "take me off your list",
    "Don't text me again", "dont text me", "Please don't contact me again", "lose my number",
    "delete my number", "Wrong number", "wrong number sorry", "This is the wrong number",
)
# Close to an opt-out but not one by the rule: candidates for a review table.
NEAR_MISS_BODIES = ("unsub", "Unsub please", "Don't stop!", "no more", "stahp", "s t o p", "Remov me")
ORDINARY_BODIES = (
    "yes I'll vote", "who is this?", "Already voted!", "Where is my polling place?", "Yes", "No thanks",
    "Thanks!", "What time do polls close?", "I support Jane", "Count me in", "Maybe", "ok", "👍",
    "Can I get a yard sign?", "Yes,\nI'll be there", "I'm voting early, thanks", "how do I volunteer?",
)
BODY_KIND_WEIGHTS = (25, 6, 69)

CONTACT_SHARE = 0.1
MIN_CONTACTS = 150
CHANNELS = ("manual_call", "predictive_dialer_call", "p2p_sms", "prerecorded_call_landline",
            "prerecorded_call_wireless", "automated_sms")
CHANNEL_WEIGHTS = (30, 20, 30, 12, 3, 5)
DISPOSITIONS = (
    "answered", "no_answer", "voicemail", "busy", "wrong_number", "disconnected", "delivered", "undelivered",
)
CALL_DISPOSITION_WEIGHTS = (30, 35, 25, 5, 3, 2, 0, 0)
PRERECORDED_DISPOSITION_WEIGHTS = (0, 12, 30, 1, 1, 1, 55, 0)
SMS_DISPOSITION_WEIGHTS = (0, 0, 0, 0, 3, 0, 90, 7)
# Numbers robocalled repeatedly in the last 30 days, so the 3-per-30-days cap matters.
CAPPED_SHARE = 0.002
MIN_CAPPED = 5
WRONG_NUMBER_AFTER_CONSENT = 0.03


def _instants(rng: np.random.Generator, as_of: int, size: int, max_days: float, after_share: float) -> np.ndarray:
    seconds = as_of - rng.integers(60, int(max_days * DAY), size)
    after = rng.random(size) < after_share
    seconds[after] = as_of + rng.integers(60, 30 * DAY, after.sum())
    return seconds


def write_opt_outs(folder: pathlib.Path, pop: Population, as_of: int, seed: int) -> int:
    rng = rng_for(seed, "opt_outs")
    count = max(MIN_OPT_OUTS, round(pop.size * OPT_OUT_SHARE))
    number = sample_voter_numbers(pop, rng, count, UNKNOWN_NUMBERS)
    again = np.flatnonzero(rng.random(count) < RESPELLED_AGAIN)
    number[again] = number[rng.integers(0, count, len(again))]
    received = _instants(rng, as_of, count, 3 * YEAR_DAYS, AFTER_AS_OF)
    channel = weighted_choice(rng, OPT_OUT_CHANNEL_WEIGHTS, count)
    source = np.empty(count, dtype=object)
    for index, name in enumerate(OPT_OUT_CHANNELS):
        rows = np.flatnonzero(channel == index)
        options = OPT_OUT_SOURCES[name]
        source[rows] = np.array(options, dtype=object)[rng.integers(0, len(options), len(rows))]

    spelled = phones.spell_mixed(number, rng, phones.TYPED)
    spelled = pc.if_else(pa.array(rng.random(count) < SEVEN_DIGITS), phones.seven_digits(number), spelled)

    order = np.argsort(received, kind="stable")
    return write_csv(folder / "opt_outs.csv", ["phone", "received_at", "channel", "source", "reason"], [
        spelled.take(pa.array(order)),
        iso_mixed(received[order], rng),
        pick(OPT_OUT_CHANNELS, channel[order]),
        pa.array(source[order], pa.string()),
        pick(OPT_OUT_REASONS, rng.integers(0, len(OPT_OUT_REASONS), count)),
    ])


def write_inbound_sms(folder: pathlib.Path, pop: Population, as_of: int, seed: int) -> int:
    rng = rng_for(seed, "inbound_sms")
    count = max(MIN_INBOUND, round(pop.size * INBOUND_SHARE))
    number = sample_voter_numbers(pop, rng, count, UNKNOWN_NUMBERS)
    received = _instants(rng, as_of, count, 2 * YEAR_DAYS, AFTER_AS_OF)
    kind = weighted_choice(rng, BODY_KIND_WEIGHTS, count)
    bodies = OPT_OUT_BODIES + NEAR_MISS_BODIES + ORDINARY_BODIES
    first = np.array([0, len(OPT_OUT_BODIES), len(OPT_OUT_BODIES) + len(NEAR_MISS_BODIES)])
    sizes = np.array([len(OPT_OUT_BODIES), len(NEAR_MISS_BODIES), len(ORDINARY_BODIES)])
    body = first[kind] + (rng.random(count) * sizes[kind]).astype(np.int64)

    order = np.argsort(received, kind="stable")
    return write_csv(folder / "inbound_sms.csv", ["phone", "received_at", "body"], [
        phones.spell_mixed(number[order], rng, phones.EXPORTED),
        iso_mixed(received[order], rng, local=0.3, utc_z=0.6),
        pick(bodies, body[order]),
    ])


def write_contact_history(folder: pathlib.Path, pop: Population, consents: Consents, as_of: int, seed: int) -> int:
    rng = rng_for(seed, "contact_history")
    count = max(MIN_CONTACTS, round(pop.size * CONTACT_SHARE))
    number = sample_voter_numbers(pop, rng, count, UNKNOWN_NUMBERS)
    channel = weighted_choice(rng, CHANNEL_WEIGHTS, count)
    attempted = as_of - rng.integers(60, 365 * DAY, count)

    capped = sample_voter_numbers(pop, rng, max(MIN_CAPPED, round(pop.size * CAPPED_SHARE)), 0)
    calls = rng.integers(2, 5, len(capped))
    capped_number = np.repeat(capped, calls)
    capped_at = as_of - rng.integers(3600, 29 * DAY, len(capped_number))
    capped_channel = CHANNELS.index("prerecorded_call_landline")

    # Consented numbers that later turned out to be wrong: the consent no longer holds.
    wrong = np.flatnonzero(
        (rng.random(len(consents.number)) < WRONG_NUMBER_AFTER_CONSENT) & (consents.consented_at < as_of)
    )
    since = consents.consented_at[wrong]
    wrong_at = since + ((as_of - since) * rng.random(len(wrong))).astype(np.int64)

    number = np.concatenate([number, capped_number, consents.number[wrong]])
    channel = np.concatenate([channel, np.full(len(capped_number), capped_channel),
                              np.full(len(wrong), CHANNELS.index("manual_call"))])
    attempted = np.concatenate([attempted, capped_at, wrong_at])
    total = len(number)
    sms = np.isin(channel, [CHANNELS.index("p2p_sms"), CHANNELS.index("automated_sms")])
    prerecorded = np.isin(channel, [capped_channel, CHANNELS.index("prerecorded_call_wireless")])
    disposition = np.where(
        sms, weighted_choice(rng, SMS_DISPOSITION_WEIGHTS, total),
        np.where(prerecorded, weighted_choice(rng, PRERECORDED_DISPOSITION_WEIGHTS, total),
                 weighted_choice(rng, CALL_DISPOSITION_WEIGHTS, total)),
    )
    capped_rows = slice(count, count + len(capped_number))
    disposition[capped_rows] = np.where(
        rng.random(len(capped_number)) < 0.7, DISPOSITIONS.index("delivered"), DISPOSITIONS.index("voicemail")
    )
    disposition[capped_rows.stop:] = DISPOSITIONS.index("wrong_number")
    entity = np.where(rng.random(total) < CALLER_ENTITY_SHARE, 0, rng.integers(1, 1 + len(OTHER_ENTITIES), total))
    entity[count:] = 0  # the capped robocalls and the wrong numbers are our own calls

    order = np.argsort(attempted, kind="stable")
    header = ["phone", "channel", "attempted_at", "caller_entity", "disposition"]
    return write_csv(folder / "contact_history.csv", header, [
        phones.spell_mixed(number[order], rng, phones.EXPORTED),
        pick(CHANNELS, channel[order]),
        iso_mixed(attempted[order], rng, local=0.5, utc_z=0.4),
        pick((CALLER_ENTITY,) + OTHER_ENTITIES, entity[order]),
        pick(DISPOSITIONS, disposition[order]),
    ])

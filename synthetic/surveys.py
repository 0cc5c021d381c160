"""Survey and ID responses: `surveys/survey_responses.csv` with `ncid,phone,question,response,collected_at`.

North Carolina respondents are mostly identified by ncid; Florida voters (who have none) and
some NC phone-bank respondents by phone. Exactly one of the two is filled on each row.
"""

from __future__ import annotations

import pathlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import phones
from .nc_voters import ncids
from .population import Population
from .randomness import rng_for
from .textio import numbers, pick, write_csv
from .timefmt import DAY, iso_mixed

RESPONDENT_SHARE = 0.02
MIN_RESPONDENTS = 50
TOPICS = ("climate", "healthcare", "education", "housing")
RESPONSES = ("strongly_support", "support", "neutral", "oppose", "strongly_oppose")
# Response weights by party family: Democrats, Republicans, everyone else.
RESPONSE_WEIGHTS = np.array([(40, 30, 15, 10, 5), (8, 15, 22, 28, 27), (18, 25, 30, 15, 12)], dtype=np.float64)
NC_BY_PHONE = 0.15
UNKNOWN_NCIDS = 0.01


def write_surveys(folder: pathlib.Path, pop: Population, as_of: int, seed: int) -> int:
    rng = rng_for(seed, "surveys")
    count = max(MIN_RESPONDENTS, round(pop.size * RESPONDENT_SHARE))
    # Florida voters can only be reached (and identified) through a valid phone.
    reachable = np.flatnonzero(pop.is_nc | pop.phone.valid)
    respondent = np.sort(reachable[rng.integers(0, len(reachable), count)])
    answered = rng.integers(1, len(TOPICS) + 1, count)
    row_of = np.repeat(np.arange(count), answered)  # respondent of each response row
    person = respondent[row_of]
    rank = np.arange(len(person)) - np.repeat(np.cumsum(answered) - answered, answered)
    topic = np.argsort(rng.random((count, len(TOPICS))), axis=1)[row_of, rank]  # distinct topics per respondent

    # Party 0 is DEM and 1 REP in both states' party tables.
    family = np.minimum(pop.party[person], 2)
    cumulative = np.cumsum(RESPONSE_WEIGHTS / RESPONSE_WEIGHTS.sum(axis=1, keepdims=True), axis=1)[family]
    response = (rng.random((len(person), 1)) > cumulative).sum(axis=1)

    by_phone = (~pop.is_nc[person] | (rng.random(count) < NC_BY_PHONE)[row_of]) & pop.phone.valid[person]
    unknown = pa.array(rng.random(len(person)) < UNKNOWN_NCIDS)
    stray_ncid = pc.binary_join_element_wise("ZZ", numbers(rng.integers(0, 10**6, len(person)), 6), "")
    ncid = pc.if_else(unknown, stray_ncid, ncids(pop, person))
    collected = as_of - rng.integers(DAY, 400 * DAY, count)[row_of]

    return write_csv(folder / "survey_responses.csv", ["ncid", "phone", "question", "response", "collected_at"], [
        pc.if_else(pa.array(by_phone), "", ncid),
        pc.if_else(pa.array(by_phone), phones.spell_mixed(pop.phone.number[person], rng, phones.TYPED), ""),
        pick(TOPICS, topic),
        pick(RESPONSES, response),
        iso_mixed(collected, rng),
    ])

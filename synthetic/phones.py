"""Phone numbers: the numbers voters list, and the many ways other sources spell them.

Numbers are int64 national numbers (area code * 10**7 + exchange * 10**4 + line); 0 means
no number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .places import OUT_OF_STATE_AREA_CODES, TOLL_FREE_AREA_CODES
from .randomness import weighted_choice

# Shares among voters who list a number at all.
SEVEN_DIGIT_SHARE = 0.03
INVALID_SHARE = 0.015
OUT_OF_STATE_SHARE = 0.045
TOLL_FREE_SHARE = 0.003
# A voter in a multi-person household who lists the head of household's number.
SHARED_WITH_HOUSEHOLD = 0.12


@dataclass
class VoterPhones:
    number: np.ndarray  # int64, 0 when blank
    seven_digit: np.ndarray  # bool: the file shows only the last seven digits
    valid: np.ndarray  # bool: a dialable NANP number as written (10 digits, valid prefix)


def _exchange_line(rng: np.random.Generator, size: int) -> np.ndarray:
    """Exchange 200-999 without N11 codes (valid per phonenumbers too, but service codes)."""
    exchange = rng.integers(200, 1000, size)
    n11 = exchange % 100 == 11
    exchange[n11] += 1
    return exchange * 10_000 + rng.integers(0, 10_000, size)


def _invalid_numbers(rng: np.random.Generator, size: int) -> np.ndarray:
    """Numbers no NANP parser accepts: area code 0xx/1xx, N11 area code, exchange 0xx/1xx."""
    kind = rng.integers(0, 3, size)
    area = np.where(kind == 0, rng.integers(10, 200, size), rng.choice([211, 311, 411, 611, 911], size))
    area = np.where(kind == 2, rng.choice([919, 704, 305, 813], size), area)
    exchange = np.where(kind == 2, rng.integers(10, 200, size), rng.integers(200, 1000, size))
    return area * 10_000_000 + exchange * 10_000 + rng.integers(0, 10_000, size)


def _numbers_in(rng: np.random.Generator, area_codes: tuple[str, ...], size: int) -> np.ndarray:
    area = rng.choice(np.array(area_codes, dtype=np.int64), size)
    return area * 10_000_000 + _exchange_line(rng, size)


IN_STATE, OUT_OF_STATE, TOLL_FREE, INVALID, SEVEN_DIGIT = range(5)


def voter_phones(
    rng: np.random.Generator,
    home_area_codes: list[tuple[str, ...]],
    county_index: np.ndarray,
    has_phone_rate: np.ndarray,
    head_of: np.ndarray,
) -> VoterPhones:
    """Numbers for every voter.

    `home_area_codes[c]` are the area codes of county c, `has_phone_rate` is per voter,
    `head_of[i]` is the index of voter i's head of household (i itself for heads).
    """
    size = len(county_index)
    shares = (OUT_OF_STATE_SHARE, TOLL_FREE_SHARE, INVALID_SHARE, SEVEN_DIGIT_SHARE)
    kind = weighted_choice(rng, (1 - sum(shares),) + shares, size)
    number = np.zeros(size, dtype=np.int64)
    for county, codes in enumerate(home_area_codes):
        members = np.flatnonzero(county_index == county)
        number[members] = _numbers_in(rng, codes, len(members))
    for which, codes in ((OUT_OF_STATE, OUT_OF_STATE_AREA_CODES), (TOLL_FREE, TOLL_FREE_AREA_CODES)):
        members = np.flatnonzero(kind == which)
        number[members] = _numbers_in(rng, codes, len(members))
    number[kind == INVALID] = _invalid_numbers(rng, int((kind == INVALID).sum()))

    blank = rng.random(size) >= has_phone_rate
    number[blank] = 0
    seven_digit = (kind == SEVEN_DIGIT) & ~blank
    valid = ~blank & (kind != INVALID) & ~seven_digit

    # Households: members copy the head's (valid, complete) number, as landlines are shared.
    copies = (head_of != np.arange(size)) & (rng.random(size) < SHARED_WITH_HOUSEHOLD) & valid[head_of]
    number[copies] = number[head_of[copies]]
    seven_digit[copies] = False
    valid[copies] = True
    return VoterPhones(number=number, seven_digit=seven_digit, valid=valid)


def random_numbers(rng: np.random.Generator, size: int, area_codes: tuple[str, ...]) -> np.ndarray:
    """Valid-looking numbers that belong to nobody in the voter file (or rarely, by chance)."""
    return _numbers_in(rng, area_codes, size)


def _parts(numbers: np.ndarray) -> tuple[pa.Array, pa.Array, pa.Array]:
    area = pc.cast(pa.array(numbers // 10_000_000), pa.string())
    exchange = pc.utf8_lpad(pc.cast(pa.array(numbers // 10_000 % 1000), pa.string()), 3, "0")
    line = pc.utf8_lpad(pc.cast(pa.array(numbers % 10_000), pa.string()), 4, "0")
    return pc.utf8_lpad(area, 3, "0"), exchange, line


def digits10(numbers: np.ndarray) -> pa.Array:
    """'9195550142'."""
    area, exchange, line = _parts(numbers)
    return pc.binary_join_element_wise(area, exchange, line, "")


def seven_digits(numbers: np.ndarray) -> pa.Array:
    """'555-0142': the number without its area code."""
    _, exchange, line = _parts(numbers)
    return pc.binary_join_element_wise(exchange, line, "-")


# The US spellings found in exports, in the order of SPELLING_WEIGHTS.
SPELLINGS = (
    "9195550142",
    "(919) 555-0142",
    "919-555-0142",
    "919.555.0142",
    "+1 919-555-0142",
    "19195550142",
    "+19195550142",
    "919 555 0142",
    "1-919-555-0142",
    "+1 (919) 555-0142",
)


def spell(numbers: np.ndarray, style: np.ndarray) -> pa.Array:
    """Each number written in SPELLINGS[style]."""
    area, exchange, line = _parts(numbers)
    variants = [
        pc.binary_join_element_wise(area, exchange, line, ""),
        pc.binary_join_element_wise("(", area, ") ", exchange, "-", line, ""),
        pc.binary_join_element_wise(area, exchange, line, "-"),
        pc.binary_join_element_wise(area, exchange, line, "."),
        pc.binary_join_element_wise("+1 ", area, "-", exchange, "-", line, ""),
        pc.binary_join_element_wise("1", area, exchange, line, ""),
        pc.binary_join_element_wise("+1", area, exchange, line, ""),
        pc.binary_join_element_wise(area, exchange, line, " "),
        pc.binary_join_element_wise("1", area, exchange, line, "-"),
        pc.binary_join_element_wise("+1 (", area, ") ", exchange, "-", line, ""),
    ]
    return pc.choose(pa.array(style.astype(np.int8)), *variants)


def spell_mixed(numbers: np.ndarray, rng: np.random.Generator, weights: tuple[float, ...]) -> pa.Array:
    """Numbers in spellings drawn with `weights` (one weight per entry of SPELLINGS)."""
    p = np.asarray(weights, dtype=np.float64)
    return spell(numbers, rng.choice(len(SPELLINGS), size=len(numbers), p=p / p.sum()))


# Hand-typed sources (opt-out logs, consent forms): every spelling is common.
TYPED = (4, 4, 4, 2, 1, 1, 1, 1, 1, 1)
# Machine exports (texting tools, carrier look-ups): mostly E.164.
EXPORTED = (2, 0.5, 0.5, 0.2, 0.3, 0.5, 10, 0, 0, 0.2)

"""The gate's fast NANP validity (expectations/nanp_validity.py) is phonenumbers'
`is_valid_number`, number for number: random ten-digit numbers over the whole space, numbers
in every area code, every NANP region's leading digits, and other lengths."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

from expectations.nanp_validity import is_valid_nanp


def reference(national: int) -> bool:
    return phonenumbers.is_valid_number(phonenumbers.PhoneNumber(country_code=1, national_number=national))


def sample() -> list[int]:
    rng = random.Random(20261204)
    numbers = [rng.randrange(10**10) for _ in range(20_000)]
    # Every area code with a few exchanges, most of them valid-looking (NXX 200-999).
    numbers += [npa * 10**7 + rng.randrange(2 * 10**6, 10**7) for npa in range(200, 1000) for _ in range(12)]
    # Each Caribbean and Canadian region's leading digits (the region decides, not the first match).
    for region in COUNTRY_CODE_TO_REGION_CODE[1]:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        example = metadata.fixed_line.example_number if metadata and metadata.fixed_line else None
        if example:
            base = int(example)
            numbers += [base, base + 1, (base // 10**4) * 10**4 + rng.randrange(10**4)]
            numbers += [(base // 10**7) * 10**7 + rng.randrange(10**7) for _ in range(40)]
    # Other lengths: seven digits (Canada's 310 service numbers), eleven, short.
    numbers += [3101234, 3102345, 2125550, 12125550142, 19195550142, 911, 0, 1]
    numbers += [rng.randrange(10**6, 10**8) for _ in range(2_000)] + [rng.randrange(10**10, 10**11) for _ in range(2_000)]
    return numbers


def test_agrees_with_is_valid_number():
    numbers = sample()
    disagree = [n for n in numbers if is_valid_nanp(n) != reference(n)]
    assert not disagree, f"{len(disagree)} of {len(numbers)} numbers disagree, e.g. {disagree[:5]}"
    # The sample holds both answers in quantity, so agreement is not trivial.
    valid = sum(map(is_valid_nanp, numbers))
    assert 5_000 < valid < len(numbers) - 5_000


@pytest.mark.parametrize("text", ["4165550142", "2682345678", "8095550142", "8005550142", "9195550142"])
def test_strings_and_ints_agree(text):
    assert is_valid_nanp(text) == is_valid_nanp(int(text)) == reference(int(text))

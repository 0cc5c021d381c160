"""`phonenumbers.is_valid_number` for country code 1, from phonenumbers' own metadata, at a
tenth of the cost.

The gate normalizes every distinct number of the suppression and consent sources with
phonenumbers (docs/compliance_defaults.md): hundreds of thousands at one million voters,
millions at ten. Most of `is_valid_number`'s time is its own bookkeeping (looking each
regular expression up again, type by type, region by region), not matching. This module
compiles the same metadata once and applies the same steps in the same order:

1. the region: the first NANP region (phonenumbers' order) whose leading digits match the
   start of the number, or, for a region without leading digits, where the number has a type;
2. valid when the number has a type in that region: it matches the general description and
   one of the type descriptions phonenumbers checks (mobile only when its pattern differs
   from fixed line), each with its possible lengths.

It stays a second path beside the eligibility models' (assets/phones compiles the metadata
into decision diagrams; this matches with Python's `re`, as phonenumbers does), and
tests/test_nanp_validity.py compares it with `is_valid_number` itself.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from phonenumbers import PhoneMetadata
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

# The descriptions phonenumbers' _number_type_helper tries after the general one, in its order.
_TYPE_DESCRIPTIONS = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
                      "voicemail", "fixed_line")


@dataclass(frozen=True)
class _Description:
    lengths: frozenset[int]
    pattern: re.Pattern

    def matches(self, national: str) -> bool:
        return (not self.lengths or len(national) in self.lengths) and self.pattern.fullmatch(national) is not None


@dataclass(frozen=True)
class _Region:
    leading_digits: re.Pattern | None
    general: _Description | None
    types: tuple[_Description, ...]

    def has_type(self, national: str) -> bool:
        if self.general is None or not self.general.matches(national):
            return False
        return any(description.matches(national) for description in self.types)


def _description(desc) -> _Description | None:
    # phonenumbers: a missing description or an empty pattern matches nothing.
    if desc is None or not desc.national_number_pattern:
        return None
    return _Description(frozenset(desc.possible_length or ()), re.compile(desc.national_number_pattern))


@functools.lru_cache(maxsize=1)
def _regions() -> tuple[_Region, ...]:
    regions = []
    for code in COUNTRY_CODE_TO_REGION_CODE[1]:
        metadata = PhoneMetadata.metadata_for_region(code.upper(), None)
        if metadata is None:
            continue
        names = list(_TYPE_DESCRIPTIONS)
        if not metadata.same_mobile_and_fixed_line_pattern:
            names.append("mobile")
        types = tuple(d for d in (_description(getattr(metadata, name)) for name in names) if d is not None)
        leading = re.compile(metadata.leading_digits) if metadata.leading_digits is not None else None
        regions.append(_Region(leading, _description(metadata.general_desc), types))
    return tuple(regions)


def is_valid_nanp(national: int | str) -> bool:
    """Whether +1 followed by this national number is valid, exactly as
    `phonenumbers.is_valid_number(PhoneNumber(country_code=1, national_number=national))`."""
    digits = str(int(national))
    for region in _regions():
        if region.leading_digits is not None:
            if region.leading_digits.match(digits):
                return region.has_type(digits)
        elif region.has_type(digits):
            return True
    return False

"""Reference tables for phone numbers, derived from `phonenumbers` and `zipcodes`.

The dbt macro `phone_e164` (dbt_project/macros/phones.sql) parses spellings in SQL and asks
these tables whether the national number is valid, so validity stays exactly what
`phonenumbers.is_valid_number` says without calling Python once per row.

Validity is decided by `phonenumbers` metadata regexes. Instead of calling
`is_valid_number` on hundreds of thousands of sample numbers (slow, and a sample can never
show that a whole NPA-NXX block behaves alike), the regexes are compiled into decision
diagrams over the ten digits of a national number: one level per digit, identical
sub-diagrams shared. Walking the diagram to depth six tells, for every NPA-NXX at once,
whether all 10,000 numbers under it are valid, none are, or it depends on the last four
digits. That is exact, not sampled; the tests compare it with `is_valid_number` anyway.

Tables (schema `ref`):

- `phone_prefixes(prefix INTEGER, region VARCHAR)`: first six digits (NPA-NXX) of a
  10-digit national number, where every one of the 10,000 numbers under it is valid;
  `region` is what `region_code_for_number` says (US, CA, PR, JM, ...).
- `phone_number_exceptions(national_number BIGINT, region VARCHAR)`: every valid number of
  an NPA-NXX whose validity depends on the last four digits (phonenumbers 9.0.43: parts of
  Barbados 246-521 and 246-522 and of Jamaica 876-606), so nothing is rounded either way.
- `area_codes(area_code VARCHAR, state VARCHAR, time_zones VARCHAR[])`.
- `zip_codes(zip5 VARCHAR, state VARCHAR, time_zone VARCHAR)`.

Seven-digit national numbers, which phonenumbers accepts for Canada's 310-XXXX service
numbers, are left out on purpose: the product's E.164 is '+1' and ten digits.
"""

from __future__ import annotations

import hashlib
import os
import re
import re._constants as sre_constants
import re._parser as sre_parse
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import duckdb
import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumberType, geocoder

# Resolved through the module so the lookup tables below are phonenumbers' own data.
from phonenumbers import timezone as phone_timezone
from phonenumbers.geodata import GEOCODE_DATA
from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX

NANP_COUNTRY_CODE = 1
REFERENCE_SCHEMA = "ref"
DIGITS = "0123456789"
# The macro and the tables split a national number into prefix and last four digits.
SUFFIX_DIGITS = 4
NATIONAL_NUMBER_LENGTH = 10
# Bump when the tables' content or layout changes, so cached copies are rebuilt.
CACHE_LAYOUT_VERSION = 1

# The order in which phonenumbers' _number_type_helper tries the number types: the first
# match wins, and fixed line beats mobile.
TYPE_PRIORITY = (
    ("premium_rate", PhoneNumberType.PREMIUM_RATE),
    ("toll_free", PhoneNumberType.TOLL_FREE),
    ("shared_cost", PhoneNumberType.SHARED_COST),
    ("voip", PhoneNumberType.VOIP),
    ("personal_number", PhoneNumberType.PERSONAL_NUMBER),
    ("pager", PhoneNumberType.PAGER),
    ("uan", PhoneNumberType.UAN),
    ("voicemail", PhoneNumberType.VOICEMAIL),
    ("fixed_line", PhoneNumberType.FIXED_LINE),
    ("mobile", PhoneNumberType.MOBILE),
)

US_STATE_CODES = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA",
    "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE", "Florida": "FL", "Georgia": "GA",
    "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL", "Indiana": "IN", "Iowa": "IA",
    "Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA", "Maine": "ME", "Maryland": "MD",
    "Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN", "Mississippi": "MS",
    "Missouri": "MO", "Montana": "MT", "Nebraska": "NE", "Nevada": "NV",
    "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM", "New York": "NY",
    "North Carolina": "NC", "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK",
    "Oregon": "OR", "Pennsylvania": "PA", "Rhode Island": "RI", "South Carolina": "SC",
    "South Dakota": "SD", "Tennessee": "TN", "Texas": "TX", "Utah": "UT", "Vermont": "VT",
    "Virginia": "VA", "Washington": "WA", "Washington State": "WA", "West Virginia": "WV",
    "Wisconsin": "WI", "Wyoming": "WY",
    # Not states, but they have USPS codes and US voter and donor records use them.
    "Washington D.C.": "DC", "Washington DC": "DC", "District of Columbia": "DC",
    "Puerto Rico": "PR", "Guam": "GU", "American Samoa": "AS",
    "Northern Mariana Islands": "MP", "U.S. Virgin Islands": "VI",
    "US Virgin Islands": "VI", "United States Virgin Islands": "VI",
}
USPS_CODES = frozenset(US_STATE_CODES.values())


class MetadataAssumptionError(RuntimeError):
    """phonenumbers metadata no longer matches what the SQL macro hard-codes."""


# ---------------------------------------------------------------------------
# Regexes to automata
# ---------------------------------------------------------------------------


class _Nfa:
    """Thompson automaton over the ten digits, built from a parsed regex."""

    def __init__(self) -> None:
        self.epsilon: list[list[int]] = []
        self.edges: list[list[tuple[frozenset[str], int]]] = []

    def new_state(self) -> int:
        self.epsilon.append([])
        self.edges.append([])
        return len(self.epsilon) - 1


def _class_digits(items) -> frozenset[str]:
    negate = False
    digits: set[str] = set()
    for op, arg in items:
        if op is sre_constants.NEGATE:
            negate = True
        elif op is sre_constants.LITERAL:
            digits.update(d for d in DIGITS if ord(d) == arg)
        elif op is sre_constants.RANGE:
            low, high = arg
            digits.update(d for d in DIGITS if low <= ord(d) <= high)
        elif op is sre_constants.CATEGORY and arg is sre_constants.CATEGORY_DIGIT:
            digits.update(DIGITS)
        else:
            # A construct we do not model would make the tables silently wrong.
            raise MetadataAssumptionError(f"unsupported character class item {op}")
    return frozenset(set(DIGITS) - digits) if negate else frozenset(digits)


def _node_digits(op, arg) -> frozenset[str]:
    """The digits one single-character regex node accepts."""
    if op is sre_constants.IN:
        return _class_digits(arg)
    if op is sre_constants.ANY:
        return frozenset(DIGITS)
    if op is sre_constants.NOT_LITERAL:
        return frozenset(DIGITS) - _class_digits([(sre_constants.LITERAL, arg)])
    return _class_digits([(op, arg)])


def _compile_sequence(nfa: _Nfa, sequence, start: int) -> int:
    state = start
    for op, arg in sequence:
        state = _compile_node(nfa, op, arg, state)
    return state


def _compile_node(nfa: _Nfa, op, arg, start: int) -> int:
    if op in (sre_constants.LITERAL, sre_constants.NOT_LITERAL, sre_constants.IN, sre_constants.ANY):
        digits = _node_digits(op, arg)
        end = nfa.new_state()
        nfa.edges[start].append((digits, end))
        return end
    if op is sre_constants.SUBPATTERN:
        return _compile_sequence(nfa, arg[-1], start)
    if op is sre_constants.BRANCH:
        end = nfa.new_state()
        for alternative in arg[1]:
            branch_start = nfa.new_state()
            nfa.epsilon[start].append(branch_start)
            nfa.epsilon[_compile_sequence(nfa, alternative, branch_start)].append(end)
        return end
    if op is sre_constants.MAX_REPEAT or op is sre_constants.MIN_REPEAT:
        low, high, body = arg
        state = start
        for _ in range(low):
            state = _compile_sequence(nfa, body, state)
        if high is sre_constants.MAXREPEAT:
            loop = nfa.new_state()
            nfa.epsilon[state].append(loop)
            nfa.epsilon[_compile_sequence(nfa, body, loop)].append(loop)
            return loop
        end = nfa.new_state()
        nfa.epsilon[state].append(end)
        for _ in range(high - low):
            state = _compile_sequence(nfa, body, state)
            nfa.epsilon[state].append(end)
        return end
    raise MetadataAssumptionError(f"unsupported regex construct {op}")


# ---------------------------------------------------------------------------
# Decision diagrams over fixed-length digit strings
# ---------------------------------------------------------------------------


class DigitDiagrams:
    """Shared (hash-consed) decision diagrams over digit strings of one fixed length.

    A node is either a leaf holding an int, or a tuple of ten child node ids (one per
    digit). Equal sub-diagrams get the same id, so "all 10,000 numbers under this prefix
    behave alike" is a constant-time check on an id.
    """

    def __init__(self, length: int) -> None:
        self.length = length
        self._nodes: list = []
        self._ids: dict = {}
        self._apply_memo: dict = {}
        self._constant_memo: dict[int, int | None] = {}
        self._constants: dict[int, int] = {}

    def _intern(self, key) -> int:
        node_id = self._ids.get(key)
        if node_id is None:
            node_id = len(self._nodes)
            self._nodes.append(key)
            self._ids[key] = node_id
        return node_id

    def leaf(self, value: int) -> int:
        return self._intern(("leaf", value))

    def branch(self, children) -> int:
        return self._intern(tuple(children))

    def children(self, node_id: int) -> tuple[int, ...]:
        return self._nodes[node_id]

    def constant(self, value: int) -> int:
        """The diagram that maps every string to `value`."""
        if value not in self._constants:
            node = self.leaf(value)
            for _ in range(self.length):
                node = self.branch([node] * 10)
            self._constants[value] = node
        return self._constants[value]

    def from_regex(self, pattern: str, prefix_match: bool = False) -> int:
        """1 for strings the regex matches in full (or, with prefix_match, at the start)."""
        nfa = _Nfa()
        start = nfa.new_state()
        accept = _compile_sequence(nfa, sre_parse.parse(pattern), start)
        if prefix_match:
            # re.match semantics for leading_digits: anything may follow the match.
            tail = nfa.new_state()
            nfa.epsilon[accept].append(tail)
            nfa.edges[tail].append((frozenset(DIGITS), tail))
            accept = tail
        closures: dict[frozenset[int], frozenset[int]] = {}
        built: dict[tuple[frozenset[int], int], int] = {}

        def closure(states: frozenset[int]) -> frozenset[int]:
            if states not in closures:
                seen, stack = set(states), list(states)
                while stack:
                    for target in nfa.epsilon[stack.pop()]:
                        if target not in seen:
                            seen.add(target)
                            stack.append(target)
                closures[states] = frozenset(seen)
            return closures[states]

        def build(states: frozenset[int], depth: int) -> int:
            key = (states, depth)
            if key not in built:
                if depth == self.length:
                    built[key] = self.leaf(1 if accept in states else 0)
                else:
                    built[key] = self.branch(
                        build(closure(frozenset(t for s in states for ds, t in nfa.edges[s] if d in ds)), depth + 1)
                        for d in DIGITS
                    )
            return built[key]

        return build(closure(frozenset([start])), 0)

    def apply(self, function: Callable[..., int], *roots: int) -> int:
        """Combine diagrams leaf by leaf (function must be a module-level callable)."""
        key = (function, roots)
        result = self._apply_memo.get(key)
        if result is None:
            first = self._nodes[roots[0]]
            if first[0] == "leaf":
                result = self.leaf(function(*(self._nodes[r][1] for r in roots)))
            else:
                result = self.branch(
                    self.apply(function, *(self._nodes[r][i] for r in roots)) for i in range(10)
                )
            self._apply_memo[key] = result
        return result

    def constant_value(self, node_id: int) -> int | None:
        """The single leaf value under node_id, or None when leaves differ."""
        if node_id not in self._constant_memo:
            node = self._nodes[node_id]
            if node[0] == "leaf":
                value = node[1]
            else:
                values = {self.constant_value(child) for child in node}
                value = values.pop() if len(values) == 1 else None
            self._constant_memo[node_id] = value
        return self._constant_memo[node_id]


def _both(a: int, b: int) -> int:
    return a & b


def _first_without_second(a: int, b: int) -> int:
    return a & (1 - b)


def _if_then_else(condition: int, then: int, otherwise: int) -> int:
    return then if condition else otherwise


# ---------------------------------------------------------------------------
# phonenumbers' validity rules as diagrams
# ---------------------------------------------------------------------------


def nanp_regions() -> tuple[str, ...]:
    """NANP regions in the order phonenumbers tries them (US first)."""
    return tuple(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[NANP_COUNTRY_CODE])


def _region_metadata(region: str):
    return PhoneMetadata.metadata_for_region(region)


def _description_diagram(diagrams: DigitDiagrams, desc) -> int:
    """Mirror of phonenumbers' _is_number_matching_desc for one length."""
    if desc is None or not desc.national_number_pattern:
        return diagrams.constant(0)
    if desc.possible_length and diagrams.length not in desc.possible_length:
        return diagrams.constant(0)
    return diagrams.from_regex(desc.national_number_pattern)


def _type_diagram(diagrams: DigitDiagrams, metadata) -> int:
    """Leaf = the PhoneNumberType phonenumbers assigns within this region (UNKNOWN if none)."""
    unknown = PhoneNumberType.UNKNOWN
    result = diagrams.constant(unknown)
    for attribute, number_type in reversed(TYPE_PRIORITY):
        if attribute == "mobile" and metadata.same_mobile_and_fixed_line_pattern:
            continue
        if attribute == "fixed_line":
            number_type = _fixed_line_type(diagrams, metadata)
            matches = _description_diagram(diagrams, metadata.fixed_line)
            result = diagrams.apply(_if_then_else, matches, number_type, result)
            continue
        matches = _description_diagram(diagrams, getattr(metadata, attribute))
        result = diagrams.apply(_if_then_else, matches, diagrams.constant(number_type), result)
    general = _description_diagram(diagrams, metadata.general_desc)
    return diagrams.apply(_if_then_else, general, result, diagrams.constant(unknown))


def _fixed_line_type(diagrams: DigitDiagrams, metadata) -> int:
    if metadata.same_mobile_and_fixed_line_pattern:
        return diagrams.constant(PhoneNumberType.FIXED_LINE_OR_MOBILE)
    mobile = _description_diagram(diagrams, metadata.mobile)
    return diagrams.apply(
        _if_then_else,
        mobile,
        diagrams.constant(PhoneNumberType.FIXED_LINE_OR_MOBILE),
        diagrams.constant(PhoneNumberType.FIXED_LINE),
    )


def _is_known_type(number_type: int) -> int:
    return int(number_type != PhoneNumberType.UNKNOWN)


def _is_geographic_type(number_type: int) -> int:
    return int(
        number_type != PhoneNumberType.UNKNOWN
        and phonenumbers.is_number_type_geographical(number_type, NANP_COUNTRY_CODE)
    )


@dataclass
class ValidityModel:
    """For one national-number length: which region validates each number, and whether
    the number is of a geographic type (which decides its time zones)."""

    diagrams: DigitDiagrams
    region_root: int  # leaf: 1-based index into regions, 0 = not valid
    geographic_root: int  # leaf: 1 = valid and geographic
    regions: tuple[str, ...]


def build_validity_model(length: int) -> ValidityModel:
    """Mirror is_valid_number: the first region whose leading digits match (or, without
    leading digits, that recognises a type) claims the number; it is valid if that
    region assigns it a type."""
    diagrams = DigitDiagrams(length)
    regions = nanp_regions()
    region_root = diagrams.constant(0)
    geographic_root = diagrams.constant(0)
    unclaimed = diagrams.constant(1)
    for index, region in enumerate(regions, start=1):
        metadata = _region_metadata(region)
        types = _type_diagram(diagrams, metadata)
        valid_here = diagrams.apply(_is_known_type, types)
        if metadata.leading_digits:
            claims = diagrams.from_regex(metadata.leading_digits, prefix_match=True)
        else:
            claims = valid_here
        taken = diagrams.apply(_both, diagrams.apply(_both, unclaimed, claims), valid_here)
        region_root = diagrams.apply(_if_then_else, taken, diagrams.constant(index), region_root)
        geographic = diagrams.apply(_is_geographic_type, types)
        geographic_root = diagrams.apply(_if_then_else, taken, geographic, geographic_root)
        unclaimed = diagrams.apply(_first_without_second, unclaimed, claims)
    return ValidityModel(diagrams, region_root, geographic_root, regions)


# ---------------------------------------------------------------------------
# Diagrams to rows
# ---------------------------------------------------------------------------

MIXED = -1  # a block holds both geographic and non-geographic valid numbers


@dataclass(frozen=True)
class UniformBlock:
    """All numbers whose first `depth` digits are `lead` are valid, in one region.

    They cover the prefixes (national number without its last four digits)
    lead * 10**(length - 4 - depth) up to, not including, (lead + 1) * that."""

    length: int
    depth: int
    lead: int
    region: str
    geographic: int  # 1, 0 or MIXED

    @property
    def prefix_range(self) -> tuple[int, int]:
        scale = 10 ** (self.length - SUFFIX_DIGITS - self.depth)
        return self.lead * scale, (self.lead + 1) * scale


@dataclass(frozen=True)
class ExceptionNumber:
    """A valid number in a prefix where validity depends on the last four digits."""

    national_number: int
    region: str
    geographic: int


@dataclass
class NumberClasses:
    blocks: list[UniformBlock] = field(default_factory=list)
    exceptions: list[ExceptionNumber] = field(default_factory=list)


def classify_numbers(model: ValidityModel) -> NumberClasses:
    """Walk the diagrams once: emit uniform blocks as high up as possible, descend to full
    numbers only below prefixes whose validity depends on the last four digits."""
    diagrams, length = model.diagrams, model.diagrams.length
    prefix_depth = length - SUFFIX_DIGITS
    classes = NumberClasses()

    def walk(region_node: int, geographic_node: int, depth: int, lead: int) -> None:
        region_index = diagrams.constant_value(region_node)
        if region_index == 0:
            return
        if region_index is not None and depth <= prefix_depth:
            geographic = diagrams.constant_value(geographic_node)
            # Split further while geography differs, so time zones stay exact.
            if geographic is not None or depth == prefix_depth:
                region = model.regions[region_index - 1]
                classes.blocks.append(
                    UniformBlock(length, depth, lead, region, MIXED if geographic is None else geographic)
                )
                return
        if depth == length:
            region = model.regions[region_index - 1]
            classes.exceptions.append(ExceptionNumber(lead, region, diagrams.constant_value(geographic_node)))
            return
        region_children = diagrams.children(region_node)
        geographic_children = diagrams.children(geographic_node)
        for digit in range(10):
            walk(region_children[digit], geographic_children[digit], depth + 1, lead * 10 + digit)

    walk(model.region_root, model.geographic_root, 0, 0)
    return classes


def classify_ten_digit_numbers() -> NumberClasses:
    return classify_numbers(build_validity_model(NATIONAL_NUMBER_LENGTH))


def check_parsing_assumptions(classes: NumberClasses) -> None:
    """The SQL macro hard-codes phonenumbers' parsing rules for region US; stop with a
    clear message if the metadata moved on instead of normalizing numbers wrongly."""
    us = _region_metadata("US")
    expected = {
        "first NANP region": (nanp_regions()[0], "US"),
        "national prefix": (us.national_prefix_for_parsing, "1"),
        "national prefix transform": (us.national_prefix_transform_rule, None),
        "international prefix": (us.international_prefix, "011"),
        "general pattern": (us.general_desc.national_number_pattern, r"[2-9]\d{9}|3\d{6}"),
        "possible lengths": (tuple(us.general_desc.possible_length), (10,)),
        "local-only lengths": (tuple(us.general_desc.possible_length_local_only), (7,)),
    }
    for what, (actual, wanted) in expected.items():
        if actual != wanted:
            raise MetadataAssumptionError(
                f"phonenumbers {phonenumbers.__version__}: US {what} is {actual!r}, the "
                f"phone_e164 macro assumes {wanted!r}; review dbt_project/macros/phones.sql"
            )
    first_digits = {str(block.lead).zfill(block.depth)[:1] for block in classes.blocks}
    first_digits |= {str(e.national_number).zfill(NATIONAL_NUMBER_LENGTH)[:1] for e in classes.exceptions}
    if first_digits - set("23456789"):
        raise MetadataAssumptionError(
            f"phonenumbers {phonenumbers.__version__}: a valid ten-digit national number does "
            "not start with 2-9; the phone_e164 macro assumes it does"
        )


# ---------------------------------------------------------------------------
# Area codes: state and time zones
# ---------------------------------------------------------------------------


def state_from_description(description: str | None) -> str | None:
    """USPS code from a geocoder description ("North Carolina", "Raleigh, NC")."""
    if not description:
        return None
    if description in US_STATE_CODES:
        return US_STATE_CODES[description]
    match = re.fullmatch(r".*, ([A-Z]{2})", description)
    if match and match.group(1) in USPS_CODES:
        return match.group(1)
    return None


def time_zones_for_prefix(prefix: str, geographic: int) -> set[str]:
    """The zones phonenumbers.timezone.time_zones_for_number gives the valid numbers of an
    NPA-NXX (six digits); geographic is 1, 0 or MIXED.

    Geographic numbers use the longest matching time-zone key; other types (toll-free,
    personal, mobile-only outside the US) get every zone of country code 1."""
    zones: set[str] = set()
    if geographic in (1, MIXED):
        digits = f"{NANP_COUNTRY_CODE}{prefix}"
        for length in range(min(TIMEZONE_LONGEST_PREFIX, len(digits)), 0, -1):
            if digits[:length] in TIMEZONE_DATA:
                zones.update(TIMEZONE_DATA[digits[:length]])
                break
    if geographic in (0, MIXED):
        zones.update(TIMEZONE_DATA.get(str(NANP_COUNTRY_CODE), ()))
    zones.discard(phone_timezone.UNKNOWN_TIMEZONE)
    return zones


def _areas_with_finer_time_zones() -> frozenset[str]:
    """Area codes whose time zone data goes below the area code (e.g. 850 by exchange)."""
    country = str(NANP_COUNTRY_CODE)
    return frozenset(key[1:4] for key in TIMEZONE_DATA if key.startswith(country) and len(key) > 4)


def _block_parts_by_area(block: UniformBlock) -> Iterator[tuple[str, int, int]]:
    """(area code, first prefix, end prefix) for each area code a block touches."""
    low, high = block.prefix_range
    for area in range(low // 1000, (high - 1) // 1000 + 1):
        yield f"{area:03d}", max(low, area * 1000), min(high, (area + 1) * 1000)


def _area_code_state(area_code: str, sample_numbers: list[int]) -> str | None:
    """The geocoder's description at area-code level, as a USPS code.

    The area-code entry ("North Carolina") is what the geocoder answers for exchanges
    without a city of their own; without one, ask the geocoder about sample numbers of the
    area code (territories answer with their name, e.g. "Puerto Rico")."""
    entry = GEOCODE_DATA.get(f"{NANP_COUNTRY_CODE}{area_code}", {}).get("en")
    if entry:
        return state_from_description(entry)
    states = Counter()
    for national_number in sample_numbers:
        number = phonenumbers.PhoneNumber(country_code=NANP_COUNTRY_CODE, national_number=national_number)
        state = state_from_description(geocoder.description_for_number(number, "en"))
        if state:
            states[state] += 1
    return states.most_common(1)[0][0] if states else None


@dataclass
class AreaCode:
    area_code: str
    state: str | None
    time_zones: list[str]


def area_code_rows(classes: NumberClasses) -> list[AreaCode]:
    finer = _areas_with_finer_time_zones()
    zones_by_area: dict[str, set[str]] = {}
    samples_by_area: dict[str, list[int]] = {}
    geographic_samples_by_area: dict[str, list[int]] = {}
    for block in classes.blocks:
        for area_code, first, end in _block_parts_by_area(block):
            zones = zones_by_area.setdefault(area_code, set())
            # Without finer keys every prefix of the area code gets the same answer.
            for prefix in range(first, end if area_code in finer else first + 1):
                zones.update(time_zones_for_prefix(f"{prefix:06d}", block.geographic))
            samples_by_area.setdefault(area_code, []).append(first * 10**SUFFIX_DIGITS)
            if block.geographic != 0:
                geographic_samples_by_area.setdefault(area_code, []).append(first * 10**SUFFIX_DIGITS)
    for exception in classes.exceptions:
        prefix = f"{exception.national_number // 10**SUFFIX_DIGITS:06d}"
        zones_by_area.setdefault(prefix[:3], set()).update(time_zones_for_prefix(prefix, exception.geographic))
        samples_by_area.setdefault(prefix[:3], []).append(exception.national_number)
    rows = []
    for area_code in sorted(zones_by_area):
        samples = (geographic_samples_by_area.get(area_code) or samples_by_area[area_code])[:25]
        rows.append(AreaCode(area_code, _area_code_state(area_code, samples), sorted(zones_by_area[area_code])))
    return rows


# ---------------------------------------------------------------------------
# ZIP codes
# ---------------------------------------------------------------------------


def clean_time_zone(name: str | None, known: frozenset[str]) -> str | None:
    """zipcodes has blanks (military ZIPs) and a few non-zone words; those become NULL so
    the pipeline falls back to the area code instead of trusting a bad zone."""
    if not name:
        return None
    if known:
        return name if name in known else None
    # No tz database on this machine: accept what looks like an IANA Area/Location name.
    return name if re.fullmatch(r"[A-Za-z_]+(?:/[A-Za-z0-9_+\-]+)+", name) else None


@dataclass
class ZipCode:
    zip5: str
    state: str | None
    time_zone: str | None


def zip_code_rows() -> list[ZipCode]:
    import zipcodes

    known = frozenset(zoneinfo.available_timezones())
    return [
        ZipCode(record["zip_code"], record["state"] or None, clean_time_zone(record.get("timezone"), known))
        for record in zipcodes.list_all()
    ]


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------

REFERENCE_TABLES = ("phone_prefixes", "phone_number_exceptions", "area_codes", "zip_codes")


def _create_prefix_table(con: duckdb.DuckDBPyConnection, blocks: list[UniformBlock]) -> None:
    ranges = [block.prefix_range for block in blocks]
    con.execute(
        f"""
        create or replace table {REFERENCE_SCHEMA}.phone_prefixes as
        with blocks as (
            select unnest($low) as low, unnest($high) as high, unnest($region) as region
        )
        select cast(unnest(range(low, high)) as integer) as prefix, cast(region as varchar) as region
        from blocks
        order by prefix
        """,
        {
            "low": [low for low, _ in ranges],
            "high": [high for _, high in ranges],
            "region": [block.region for block in blocks],
        },
    )


def _create_exception_table(con: duckdb.DuckDBPyConnection, exceptions: list[ExceptionNumber]) -> None:
    con.execute(
        f"""
        create or replace table {REFERENCE_SCHEMA}.phone_number_exceptions as
        select cast(unnest($number) as bigint) as national_number, cast(unnest($region) as varchar) as region
        order by national_number
        """,
        {"number": [e.national_number for e in exceptions], "region": [e.region for e in exceptions]},
    )


def _create_area_code_table(con: duckdb.DuckDBPyConnection, rows: list[AreaCode]) -> None:
    con.execute(
        f"""
        create or replace table {REFERENCE_SCHEMA}.area_codes as
        select cast(unnest($area_code) as varchar) as area_code,
               cast(unnest($state) as varchar) as state,
               cast(unnest($time_zones) as varchar[]) as time_zones
        order by area_code
        """,
        {
            "area_code": [row.area_code for row in rows],
            "state": [row.state for row in rows],
            "time_zones": [row.time_zones for row in rows],
        },
    )


def _create_zip_code_table(con: duckdb.DuckDBPyConnection, rows: list[ZipCode]) -> None:
    con.execute(
        f"""
        create or replace table {REFERENCE_SCHEMA}.zip_codes as
        select cast(unnest($zip5) as varchar) as zip5,
               cast(unnest($state) as varchar) as state,
               cast(unnest($time_zone) as varchar) as time_zone
        order by zip5
        """,
        {
            "zip5": [row.zip5 for row in rows],
            "state": [row.state for row in rows],
            "time_zone": [row.time_zone for row in rows],
        },
    )


def _derive_tables(con: duckdb.DuckDBPyConnection) -> None:
    classes = classify_ten_digit_numbers()
    check_parsing_assumptions(classes)
    _create_prefix_table(con, classes.blocks)
    _create_exception_table(con, classes.exceptions)
    _create_area_code_table(con, area_code_rows(classes))
    _create_zip_code_table(con, zip_code_rows())


def cache_key() -> str:
    """Changes whenever the source data or this module changes."""
    import zipcodes

    zipcodes_version = getattr(zipcodes, "__version__", "unknown")
    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    return f"phonenumbers-{phonenumbers.__version__}-zipcodes-{zipcodes_version}-v{CACHE_LAYOUT_VERSION}-{source}"


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _load_cached_tables(con: duckdb.DuckDBPyConnection, directory: Path) -> bool:
    if not all((directory / f"{table}.parquet").is_file() for table in REFERENCE_TABLES):
        return False
    for table in REFERENCE_TABLES:
        con.execute(
            f"create or replace table {REFERENCE_SCHEMA}.{table} as "
            f"select * from read_parquet('{_sql_path(directory / f'{table}.parquet')}')"
        )
    return True


def _store_cached_tables(con: duckdb.DuckDBPyConnection, directory: Path) -> None:
    # Written next to the final place and renamed, so a crash never leaves half a cache.
    staging = directory.with_name(f"{directory.name}.tmp-{os.getpid()}")
    staging.mkdir(parents=True, exist_ok=True)
    for table in REFERENCE_TABLES:
        con.execute(
            f"copy {REFERENCE_SCHEMA}.{table} to '{_sql_path(staging / f'{table}.parquet')}' (format parquet)"
        )
    try:
        staging.rename(directory)
    except OSError:  # another run stored the same cache first
        for file in staging.iterdir():
            file.unlink()
        staging.rmdir()


def build_reference_tables(con: duckdb.DuckDBPyConnection, cache_dir: Path | str | None = None) -> dict[str, int]:
    """Create (or replace) the `ref` tables; returns row counts by table name.

    With cache_dir, the derived tables are kept there as parquet files keyed by the
    phonenumbers and zipcodes versions, so later runs load them instead of deriving."""
    con.execute(f"create schema if not exists {REFERENCE_SCHEMA}")
    cache = Path(cache_dir) / cache_key() if cache_dir is not None else None
    if cache is None or not _load_cached_tables(con, cache):
        _derive_tables(con)
        if cache is not None:
            _store_cached_tables(con, cache)
    return {
        table: con.execute(f"select count(*) from {REFERENCE_SCHEMA}.{table}").fetchone()[0]
        for table in REFERENCE_TABLES
    }

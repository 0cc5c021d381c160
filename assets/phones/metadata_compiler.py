"""Compiling phonenumbers' metadata regexes into per-digit decision diagrams.

Validity is decided by `phonenumbers` metadata regexes. Instead of calling
`is_valid_number` on hundreds of thousands of sample numbers (slow, and a sample can never
show that a whole NPA-NXX block behaves alike), the regexes are compiled into decision
diagrams over the ten digits of a national number: one level per digit, identical
sub-diagrams shared. Walking the diagram to depth six tells, for every NPA-NXX at once,
whether all 10,000 numbers under it are valid, none are, or it depends on the last four
digits. That is exact, not sampled; the tests compare it with `is_valid_number` anyway.

Seven-digit national numbers, which phonenumbers accepts for Canada's 310-XXXX service
numbers, are left out on purpose: the product's E.164 is '+1' and ten digits.
"""

from __future__ import annotations

import re._constants as sre_constants
import re._parser as sre_parse
from dataclasses import dataclass, field
from typing import Callable

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumberType

NANP_COUNTRY_CODE = 1
DIGITS = "0123456789"
# The macro and the tables split a national number into prefix and last four digits.
SUFFIX_DIGITS = 4
NATIONAL_NUMBER_LENGTH = 10
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

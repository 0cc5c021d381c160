"""The gate's compliance facts, derived on a second path that shares nothing with the
eligibility models (docs/compliance_defaults.md; issue 9 item 9).

The dbt models that build a list decide from their own staging and compliance models. The
gate must not: a bug there would pass both. So the facts here are re-derived from the
inputs only:

- the suppression and consent sources as read (`raw.<t>`), together with the durable ledger's
  copy (`ledger.<t>`) when the warehouse has it (a set union: an opt-out whose file has left
  the inbox is still in force). Each row is normalized with `unicodedata` and `phonenumbers`
  in Python, never with the SQL phone macro; the line-type answers and the contact history,
  millions of rows at ten million voters, are read in DuckDB by `sql_normalize`, which gives
  the same answers;
- the voter, donor and volunteer records (`raw.nc_voters`, `raw.fl_voters`, `raw.donations`,
  `raw.volunteers`), which are big: read set-based in DuckDB with a deliberately simple
  normalization of their own (digits only, the last ten);
- `raw.dnc_entries`, the published versions under HOME (R13), and the run's settings (as-of,
  caller entity, the policy as loaded, the lists in order).

Facts are per phone and the same for every list, so they are built once per run into the
warehouse schema `gate` (the first gate of a run builds them; `gate.built` records for which
run), reusing the parts whose sources did not change since an earlier run (`kept_facts.py`).
Each list's gate then joins its rows to them in one SQL statement (`gate_frame`): no Python
runs per list row or per voter row.

Nothing here logs or returns a phone, name or address; summaries are counts.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import phonenumbers

from assets.sql_text import exact_paths

from .kept_facts import WHOLE_ROW, fingerprint, forget, kept, remember, table_columns
from .nanp_validity import is_valid_nanp

FACTS_SCHEMA = "gate"
# Bump when the facts tables change shape, so a warehouse built by older code is rebuilt.
FACTS_LAYOUT = 2

CONSENT_SCOPES = ("prerecorded_voice", "autodialed_voice", "sms")
LINE_TYPES = ("landline", "wireless", "voip_fixed", "voip_nonfixed", "toll_free", "unknown")
# What a line-type answer means for the rules (CONTRACT rule 3).
EFFECTIVE_LINE_TYPE = {"landline": "landline", "wireless": "wireless", "voip_fixed": "voip_fixed",
                       "voip_nonfixed": "wireless", "toll_free": "toll_free", "unknown": "wireless"}
# C07 (docs/compliance_defaults.md): what an unreadable line of each source means. A line of
# a suppression source, or a Mobilize record (it carries the person's SMS status), suppresses
# the numbers it holds; one of consents/ revokes their consents; one of line_types/ is an
# `unknown` answer at as-of; one of dnc/ lists them on every do-not-call list.
C07_FAMILIES = ("opt_outs", "inbound_sms", "contact_history", "volunteers")
DEFAULT_RND_MAX_AGE_DAYS = 30
DEFAULT_RND_CONSENT_CUTOFF = date(2021, 1, 27)

# --------------------------------------------------------------------------------------
# Normalization (docs/compliance_defaults.md, "Normalization").

_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u02bc"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u2033"
_QUOTES = str.maketrans({**{c: "'" for c in _SINGLE_QUOTES}, **{c: '"' for c in _DOUBLE_QUOTES}})
_WHITESPACE = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[\W_]+")


def _ascii_digits(text: str) -> str:
    """Every Unicode decimal digit as its ASCII digit (after NFKC, which handles most)."""
    if text.isascii():
        return text
    out = []
    for char in text:
        if not char.isascii():
            value = unicodedata.decimal(char, None)
            if value is not None:
                out.append(str(value))
                continue
        out.append(char)
    return "".join(out)


def normalize_text(text) -> str:
    """Text bodies and enum values: NFKC, straight quotes, one space per whitespace run,
    trimmed, lower case. None reads as ''."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFKC", str(text)).translate(_QUOTES)
    return _WHITESPACE.sub(" ", value).strip().lower()


_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")

# Cyrillic and Greek lower-case letters whose capitals look like Latin ones (`ЅТОР`), read as
# those Latin letters in replies (dbt's copy: macros/compliance.sql fold_confusables).
CONFUSABLES = str.maketrans("авекмнорстухѕіјӏԁԛԝ" "αβεηικμνορτυχζϲ",
                            "abekmhopctyxsijldqw" "abehikmnoptyxzc")


def letters_only(text: str) -> str:
    """`text` with every character other than a letter or digit dropped: a keyword spelled out
    ("S T O P", "s.t.o.p") reads as the keyword."""
    return _NOT_LETTER_OR_DIGIT.sub("", text)


def reply_text(body) -> str:
    """A reply as its keywords are matched: `normalize_text`, Cyrillic and Greek look-alikes
    as Latin letters (`CONFUSABLES`: `ЅТОР`), then leading characters other than letters and
    digits dropped (a reply told to 'reply "STOP"' comes back quoted, or after an emoji)."""
    text = normalize_text(body).translate(CONFUSABLES)
    start = 0
    while start < len(text) and not text[start].isalnum():
        start += 1
    return text[start:]


@functools.lru_cache(maxsize=65536)
def _cached_text(text: str) -> str:
    return normalize_text(text)


@functools.lru_cache(maxsize=65536)
def normalize_enum(text) -> str:
    """An enum value: `normalize_text`, then every run of non-letters-or-digits to `_`,
    leading and trailing `_` dropped (`Wrong-Number` -> `wrong_number`)."""
    return _NOT_ALNUM.sub("_", normalize_text(text)).strip("_")


# Dispositions in dialers' own words (docs/compliance_defaults.md), whole words between `_`
# of the enum value: a wrong number or the wrong person (R28), a request not to be contacted (R09).
_WRONG_NUMBER_WORDS = re.compile(r"_(wrong_(number|num|no|nbr|person|party|contact)|wrongnumber|not_(this|the|that)_person)_")
_DO_NOT_CALL_WORDS = re.compile(r"_(do_not_(call|contact|text|sms|dial)|don_t_(call|contact|text)|dont_(call|contact|text)"
                                r"|donotcall|dnc|opt_out|opted_out|optout|optedout|unsubscribe|unsubscribed|stop|remove"
                                r"|take_me_off)_")


def disposition_kind(text) -> str:
    """A disposition as the rules read it: `wrong_number` (R28), `do_not_call` (R09), or its
    enum value (`normalize_enum`). A value naming both is a wrong number."""
    value = normalize_enum(text)
    if value in ("wrong", "wn") or _WRONG_NUMBER_WORDS.search(f"_{value}_"):
        return "wrong_number"
    if _DO_NOT_CALL_WORDS.search(f"_{value}_"):
        return "do_not_call"
    return value


# R13: a contact-history channel that is a prerecorded call (dbt's copy: macros/compliance.sql
# is_prerecorded_channel): whole words between `_` of the enum value.
_NOT_A_CALL_WORDS = re.compile(r"_(sms|text|texts|texting|txt|p2p|mms|email|e_mail|mail|mailer|postcard|door|doors"
                               r"|canvass|canvassing|knock)_")
_PRERECORDED_WORDS = re.compile(r"_(prerecorded|pre_recorded|recorded|robocall|robocalls|robo|robodial|robodialer|ivr"
                                r"|rvm|ringless|voicemail_drop|vm_drop|voice_drop|broadcast|tts|text_to_speech|ai_voice"
                                r"|artificial_voice|soundboard|press_1|press_one|automated|autodial|autodialed|autodialer"
                                r"|auto_dial|auto_dialer|auto_call)_")
_LIVE_CALL_WORDS = re.compile(r"_(manual|call|calls|phone|phones|phonebank|phone_bank|phonebanking|live|dialer"
                              r"|predictive|power|preview|progressive|click_to_call|ctc)_")
_KNOWN_CHANNELS = {"manual_call": False, "predictive_dialer_call": False, "p2p_sms": False, "automated_sms": False}


def is_prerecorded_channel(text) -> bool:
    """Whether a contact-history channel counts as a prerecorded call (R13): a prerecorded
    channel, blank, or a dialer's word for one (`Robocall`, `IVR`, `RVM`); not a text, email or
    door knock, nor a live call (`Manual`, `Phone Bank`); anything else cannot be placed and
    counts."""
    value = normalize_enum(text)
    if value in _KNOWN_CHANNELS:
        return _KNOWN_CHANNELS[value]
    if not value or value.startswith("prerecorded"):
        return True
    if _NOT_A_CALL_WORDS.search(f"_{value}_"):
        return False
    if _PRERECORDED_WORDS.search(f"_{value}_"):
        return True
    return not _LIVE_CALL_WORDS.search(f"_{value}_")


def entity_key(text) -> str:
    """A caller entity's name as R13 compares it: letters and digits only (dbt: entity_key)."""
    return letters_only(normalize_text(text))


def revocation_applies(entity, caller_entity) -> bool:
    """A consent revocation counts for the caller entity when it names it by its letters and
    digits, or names none (dbt: revocation_names_caller)."""
    return entity_key(entity) in ("", entity_key(caller_entity))


# Mobilize's sms_opt_in_status by its letters (dbt: volunteer_sms_status): a value that is
# neither an opt-in nor a word for no value may be an opt-out.
_VOLUNTEER_OPT_IN = frozenset({"optin", "optedin"})
_VOLUNTEER_UNSPECIFIED = frozenset({"", "unspecified", "unknown", "none", "null", "notset", "na"})


def volunteer_sms_status(text) -> str:
    """OPT_IN, UNSPECIFIED or, for any other value (`OPTED_OUT`, `STOP`), OPT_OUT."""
    letters = letters_only(normalize_text(text))
    if letters in _VOLUNTEER_OPT_IN:
        return "OPT_IN"
    return "UNSPECIFIED" if letters in _VOLUNTEER_UNSPECIFIED else "OPT_OUT"


def contact_channel(text) -> str:
    """A contact-history channel as the gate keeps it: `prerecorded_call` when it counts as
    one (`is_prerecorded_channel`), else its enum value."""
    return "prerecorded_call" if is_prerecorded_channel(text) else normalize_enum(text)


# A plain "no" in a yes/no field, as an enum (dbt's copy: macros/compliance.sql plain_no).
PLAIN_NO = frozenset({"false", "f", "0", "no", "n"})

# The values of a texting tool's `is_from_contact` that mark the campaign's own outbound
# text (JavaScript false as exported, Postgres f as dumped). Anything else is a reply.
OUTBOUND_MARKERS = PLAIN_NO


def is_outbound_message(is_from_contact) -> bool:
    """True only for a message export row that plainly says the campaign sent it."""
    return is_from_contact is not None and normalize_enum(is_from_contact) in OUTBOUND_MARKERS


def flag_is_set(text) -> bool:
    """C01: a voter file's yes/no flag (NC `confidential_ind`, Florida's public-records
    exemption) is set unless it is blank or plainly says no; `YES`, `1`, `X` or Florida's `*`
    mask fail closed."""
    return bool(normalize_text(text)) and normalize_enum(text) not in PLAIN_NO


def normalize_line_type(text) -> str:
    value = normalize_enum(text)
    return value if value in LINE_TYPES else "unknown"


# The usual US spellings: digits with spaces, dots, dashes and parentheses, an optional +1 or 1.
_PLAIN_US = re.compile(r"^\+?[0-9 ().\-]+$")


@functools.lru_cache(maxsize=1 << 20)
def _valid_national(national: int) -> bool:
    return is_valid_nanp(national)


def normalize_phone(text) -> str | None:
    """E.164 of a NANP number (country code 1) that phonenumbers calls valid, else None."""
    if text is None:
        return None
    value = _ascii_digits(unicodedata.normalize("NFKC", str(text))).strip()
    if not value or len(value) > 100:
        return None
    if _PLAIN_US.match(value) and "+" not in value[1:]:
        digits = re.sub(r"[^0-9]", "", value)
        if value.startswith("+") and not digits.startswith("1"):
            digits = ""                      # another country code: the parser decides
        if len(digits) == 11 and digits[0] == "1":
            digits = digits[1:]
        if len(digits) == 10:
            return f"+1{digits}" if _valid_national(int(digits)) else None
    try:
        number = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 1 or not _valid_national(number.national_number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_DIGIT_RUN = re.compile(r"[0-9]+")
# A number in scientific notation that writes every digit ("9.195550123E+09", numpy's
# "9.195550123000000000e+09"); Excel's "9.19555E+09" lost them and names no number.
_SCIENTIFIC = re.compile(r"([0-9])\.([0-9]{9,})[eE]\+?([0-9]{1,2})")


def _scientific_digits(match: re.Match) -> str | None:
    digits, exponent = match.group(1) + match.group(2), int(match.group(3))
    if len(digits) >= exponent + 1 and not digits[exponent + 1:].strip("0"):
        return digits[:exponent + 1]
    return None


# A phone-shaped run whatever its separators ("919_555_0123", "919:555:0123", "919,555,0123"):
# up to three characters other than letters and digits between the groups; its digits are read
# (dbt's copy: any_separators in the model of quarantined numbers).
_ANY_SEPARATORS = re.compile(
    r"\+?1?[^0-9A-Za-z]{0,3}[0-9]{3}[^0-9A-Za-z]{0,3}[0-9]{3}[^0-9A-Za-z]{0,3}[0-9]{4}")


# The same with letters typed for digits ("3O5-717-5597", "9l9.555.0I23": O for zero, I or l
# for one), when at least seven of its characters are digits; the letters read as those
# digits (dbt's copy: letters_for_digits in the model of quarantined numbers).
_LETTERS_FOR_DIGITS = re.compile(
    r"\+?1?[^0-9A-Za-z]{0,3}[0-9OoIl]{3}[^0-9A-Za-z]{0,3}[0-9OoIl]{3}[^0-9A-Za-z]{0,3}[0-9OoIl]{4}")
_DIGIT_OF_LETTER = str.maketrans("OoIl", "0011")


def phones_in_text(text) -> set[str]:
    """Every valid NANP number a free text holds (C07): what phonenumbers' matcher finds,
    plus every run of 10 digits (or 11 starting with 1), plus the digits of every phone-shaped
    run whatever its separators or with letters typed for digits, plus every number in
    scientific notation that writes all its digits."""
    if not text:
        return set()
    value = _ascii_digits(unicodedata.normalize("NFKC", str(text)))
    found = set()
    try:
        for match in phonenumbers.PhoneNumberMatcher(value, "US"):
            number = match.number
            if number.country_code == 1 and phonenumbers.is_valid_number(number):
                found.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    except Exception:  # the matcher is best effort; the digit runs below still apply
        pass
    for run in _DIGIT_RUN.findall(value):
        if len(run) == 10 or (len(run) == 11 and run[0] == "1"):
            phone = normalize_phone(run)
            if phone:
                found.add(phone)
    for match in _ANY_SEPARATORS.finditer(value):
        phone = normalize_phone(re.sub(r"[^0-9]", "", match.group()))
        if phone:
            found.add(phone)
    for match in _LETTERS_FOR_DIGITS.finditer(value):
        if sum(c.isdigit() for c in match.group()) >= 7:
            phone = normalize_phone(re.sub(r"[^0-9]", "", match.group().translate(_DIGIT_OF_LETTER)))
            if phone:
                found.add(phone)
    for match in _SCIENTIFIC.finditer(value):
        digits = _scientific_digits(match)
        phone = normalize_phone(digits) if digits else None
        if phone:
            found.add(phone)
    return found


_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _parse(text) -> datetime | None:
    """A time as written: ISO 8601 (no offset means UTC), a plain date, or MM/DD/YYYY.
    The result keeps its own offset (for its local date)."""
    if text is None:
        return None
    value = str(text)
    value = (value if value.isascii() else _ascii_digits(unicodedata.normalize("NFKC", value))).strip()
    if not value:
        return None
    match = _US_DATE.match(value)
    try:
        if match:
            month, day, year = (int(g) for g in match.groups())
            parsed = datetime(year, month, day)
        else:
            parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def parse_time(text) -> datetime | None:
    """The instant (UTC) a time text names, or None when it cannot be read."""
    parsed = _parse(text)
    return parsed.astimezone(timezone.utc) if parsed is not None else None


def parse_local_date(text) -> date | None:
    """The calendar date a time or date text names, in its own offset."""
    parsed = _parse(text)
    return parsed.date() if parsed is not None else None


def is_blank(text) -> bool:
    return text is None or normalize_text(text) == ""


# The words before a last keyword that turn it around ("Don't stop!"), apostrophes dropped
# (dbt's copy: macros/compliance.sql negating_words).
NEGATING_WORDS = frozenset({"dont", "not", "never", "doesnt", "didnt", "wont", "cant", "cannot"})


def last_two_words(text: str) -> tuple[str, str]:
    """A reply's last word and the word before it ('' when none): runs of letters and digits,
    apostrophes dropped ("No thanks, stop" -> ("stop", "thanks"))."""
    words = _NOT_LETTER_OR_DIGIT.sub(" ", text.replace("'", "")).split()
    return (words[-1] if words else "", words[-2] if len(words) > 1 else "")


def ends_with_keyword(text: str, keywords_letters: set[str]) -> bool:
    """Whether a reply ends with a `starts_with` keyword as its last word, not negated
    ("No thanks, stop", "who is this? STOP"; not "Don't stop!"): R11's ambiguous message."""
    last, before = last_two_words(text)
    return last in keywords_letters and before not in NEGATING_WORDS


def classify_reply(body, sms_policy: dict) -> str | None:
    """`opt_out` when the body (`reply_text`) equals or starts with (as a word) a `starts_with`
    keyword, is one spelled out (`letters_only`: "S T O P"), or contains a `contains` phrase;
    `review` when it starts with a `review_starts_with` prefix or ends with a `starts_with`
    keyword (`ends_with_keyword`; suppressed until a person reads it); else None."""
    return ReplyClassifier(sms_policy)(body)


class ReplyClassifier:
    """`classify_reply` for one policy: its keywords normalized once, each distinct body
    classified once (a run reads hundreds of thousands of replies, most of them alike)."""

    def __init__(self, sms_policy: dict):
        def normalized(key):
            return [word for word in (normalize_text(text) for text in sms_policy.get(key) or []) if word]

        self._starts_with = normalized("starts_with")
        self._contains = normalized("contains")
        self._review_starts_with = normalized("review_starts_with")
        self._spelled_out = {letters_only(word) for word in self._starts_with} - {""}
        self._seen: dict = {}

    def __call__(self, body) -> str | None:
        if body not in self._seen:
            self._seen[body] = self._classify(reply_text(body))
        return self._seen[body]

    def _classify(self, text: str) -> str | None:
        if not text:
            return None
        for word in self._starts_with:
            if text.startswith(word) and (len(text) == len(word) or not text[len(word)].isalnum()):
                return "opt_out"
        if letters_only(text) in self._spelled_out:
            return "opt_out"
        for phrase in self._contains:
            if phrase in text:
                return "opt_out"
        for prefix in self._review_starts_with:
            if text.startswith(prefix):
                return "review"
        if ends_with_keyword(text, self._spelled_out):
            return "review"
        return None


# --------------------------------------------------------------------------------------
# Reading the inputs: raw.<t> together with ledger.<t> when it exists.

# Ledger tables whose name differs from the raw table they copy.
LEDGER_NAMES = {"volunteers": "volunteer_sms", "surveys": "survey_answers"}

# When the pipeline first read a row: a ledger column; a raw row is being read now. Read
# typed, not as text.
FIRST_SEEN = "_first_seen_at"


def known_by(when: datetime | None, seen: datetime | None) -> datetime | None:
    """A suppression time as the rules take it: an event cannot have happened after its row
    was first read, so a time later than `seen` (a mistyped year, a wrong offset) is no time,
    like an unreadable one: None, which counts as having happened (docs/compliance_defaults.md
    "Events and ties"; dbt: no_time_after_first_seen)."""
    return None if when is not None and seen is not None and when > seen else when


def known_day_by(day: date | None, seen: datetime | None) -> date | None:
    """`known_by` for a date (an RND answer's consent date), taken as its UTC midnight (the
    models' sessions are in UTC)."""
    if day is None:
        return None
    return None if known_by(datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc), seen) is None else day


def _table_columns(con, schema: str, table: str) -> set[str]:
    return set(table_columns(con, schema, table))


def source_sql(con, table: str, columns: list[str], ledger_columns: dict[str, str] | None = None) -> str | None:
    """SQL for the distinct rows of `columns` (as text) from raw.<table> and its ledger copy,
    or None when neither exists.

    `ledger_columns` renames columns for a ledger table whose names differ. A missing column
    reads as NULL. FIRST_SEEN, when asked for, is typed, the earliest of a row's copies (a raw
    row is being read now), and does not make a row distinct."""
    parts = []
    for schema, name, rename in (("raw", table, {}), ("ledger", LEDGER_NAMES.get(table, table), ledger_columns or {})):
        have = _table_columns(con, schema, name)
        if not have:
            continue
        selected = []
        for column in columns:
            source = rename.get(column, column)
            kind = "timestamptz" if column == FIRST_SEEN else "varchar"
            missing = "current_timestamp" if column == FIRST_SEEN else "null"
            selected.append(f'cast("{source}" as {kind}) as "{column}"' if source in have
                            else f'cast({missing} as {kind}) as "{column}"')
        parts.append(f"select {', '.join(selected)} from {schema}.\"{name}\"")
    if not parts:
        return None
    if FIRST_SEEN not in columns:
        return " union ".join(parts)
    others = ", ".join(f'"{column}"' for column in columns if column != FIRST_SEEN)
    selected = ", ".join(f'min("{column}") as "{column}"' if column == FIRST_SEEN else f'"{column}"'
                         for column in columns)
    return f"select {selected} from ({' union all '.join(parts)}) group by {others}"


def source_rows(con, table: str, columns: list[str], ledger_columns: dict[str, str] | None = None) -> list[tuple]:
    """The rows of `source_sql`, fetched; a missing table adds nothing."""
    sql = source_sql(con, table, columns, ledger_columns)
    return con.execute(sql).fetchall() if sql else []


# --------------------------------------------------------------------------------------
# Per-phone facts from the small suppression and consent sources (Python per row).


@dataclass(frozen=True)
class FactInputs:
    as_of: datetime
    caller_entity: str
    policy: dict

    @property
    def sms_policy(self) -> dict:
        return self.policy.get("sms_opt_out") or {}

    @property
    def rnd_cutoff(self) -> date:
        value = self.policy.get("rnd_consent_cutoff_date", DEFAULT_RND_CONSENT_CUTOFF)
        return value if isinstance(value, date) else date.fromisoformat(str(value))


class _Phones:
    """normalize_phone with a cache: the same spelling recurs across sources."""

    def __init__(self):
        self._cache: dict = {}

    def __call__(self, text):
        if text not in self._cache:
            self._cache[text] = normalize_phone(text)
        return self._cache[text]


def opted_out_phones(con, inputs: FactInputs, phone=None) -> set[str]:
    """Every number with an opt-out in force at as-of, whatever its channel: file opt-outs
    (R09), inbound replies classified as opt-outs or for review (R11), Mobilize OPT_OUT,
    survey answers asking not to be contacted or naming a wrong number (R09, R28),
    numbers in quarantined suppression lines (C07) and numbers erased on request (C08)."""
    phone = phone or _Phones()
    as_of = inputs.as_of
    opted: set[str] = set()
    for number, received_at, seen in source_rows(con, "opt_outs", ["phone", "received_at", FIRST_SEEN]):
        e164 = phone(number)
        when = known_by(parse_time(received_at), seen)
        if e164 and (when is None or when <= as_of):
            opted.add(e164)
    classify = ReplyClassifier(inputs.sms_policy)
    for number, received_at, body, from_contact, seen in source_rows(
            con, "inbound_sms", ["phone", "received_at", "body", "is_from_contact", FIRST_SEEN]):
        if is_outbound_message(from_contact) or classify(body) is None:
            continue
        e164 = phone(number)
        when = known_by(parse_time(received_at), seen)
        if e164 and (when is None or when <= as_of):
            opted.add(e164)
    # Every OPT_OUT the sources hold suppresses, whatever its time, on every number the person
    # gave: the primary one and each of the others (one a line). An other number that does not
    # read is read like an unreadable line (C07).
    for number, others, status in source_rows(con, "volunteers", ["phone", "other_phones", "sms_opt_in_status"]):
        if volunteer_sms_status(status) == "OPT_OUT":
            e164 = phone(number)
            if e164:
                opted.add(e164)
            for other in (others or "").split("\n"):
                e164 = phone(other) if other.strip() else None
                if e164:
                    opted.add(e164)
                opted |= unread_numbers_of_field(other)
    opted |= survey_answer_phones(con, as_of, phone)
    # C07: an unparseable line of these sources that holds a valid number suppresses it,
    # whatever its date.
    opted |= quarantined_phones(con, C07_FAMILIES)
    # C08: a number whose person asked to be forgotten (`outreach forget`) is never contacted.
    for (number,) in source_rows(con, "erasures", ["phone_e164"]):
        e164 = phone(number)
        if e164:
            opted.add(e164)
    return opted


def survey_answer_phones(con, as_of: datetime, phone) -> set[str]:
    """Every number a survey or ID answer in a dialer's words for a request not to be contacted
    or a wrong number (`disposition_kind`) names at as-of: the row's phone and, by ncid, the
    NC voter record's. The answers are the inbox's and the ledger's; one without a readable
    time, or dated after it was first read (a mistyped year), counts. (dbt: the survey events
    model.) The answers are few distinct texts, sorted out in Python; the rows are found in
    DuckDB."""
    answers = source_sql(con, "surveys", ["ncid", "phone", "response", "collected_at", FIRST_SEEN])
    if answers is None:
        return set()
    responses = [text for (text,) in con.execute(
        f"select distinct response from ({answers}) where response is not null").fetchall()]
    asking = [text for text in responses if disposition_kind(text) in ("wrong_number", "do_not_call")]
    if not asking:
        return set()
    voter_phone, voter_join = "null", ""
    if {"ncid", "full_phone_number"} <= _table_columns(con, "raw", "nc_voters"):
        voter_phone = "v.full_phone_number"
        voter_join = ("left join raw.nc_voters v on nullif(trim(s.ncid), '') is not null "
                      "and trim(v.ncid) = trim(s.ncid)")
    con.register("_gate_survey_answers", pd.DataFrame({"response": pd.Series(asking, dtype=object)}))
    try:
        rows = con.execute(
            f"select s.phone, {voter_phone}, s.collected_at, s.{FIRST_SEEN} from ({answers}) s "
            f"join _gate_survey_answers a on a.response = s.response {voter_join}").fetchall()
    finally:
        con.unregister("_gate_survey_answers")
    found: set[str] = set()
    for number, voter_number, collected_at, seen in rows:
        when = known_by(parse_time(collected_at), seen)
        if when is None or when <= as_of:
            found |= {e164 for e164 in (phone(number), phone(voter_number)) if e164}
        # A phone field that does not read, or holds another number, is an unreadable line
        # (C07) for the numbers it holds besides the one it reads as: whatever its date.
        found |= unread_numbers_of_field(number)
    return found


def quarantined_phones(con, families) -> set[str]:
    """Every valid number in the quarantined lines of these inbox families (C07), and in the
    phone fields of their loaded rows that do not read as a valid number or hold another one
    (`unread_phone_fields`, `unread_numbers_of_field`)."""
    found: set[str] = set()
    for source, raw_line in source_rows(con, "quarantine", ["source", "raw_line"]):
        if normalize_enum(source) in families:
            found |= phones_in_text(raw_line)
    for family in families:
        for text in unread_phone_fields(con, family):
            found |= unread_numbers_of_field(text)
    return found


def _holds_more_than_one_number(text: str) -> bool:
    """More digits than one number and its country code: "919-555-0123;919-555-0456" reads
    as its first number, the rest as an extension (dbt's copy: the model of quarantined numbers)."""
    return sum(c.isdigit() for c in _ascii_digits(unicodedata.normalize("NFKC", text))) > 11


def unread_numbers_of_field(text) -> set[str]:
    """The numbers a phone field holds that its row does not read (C07): every number of a
    field that does not read as a number, and every other number of one that reads as its first."""
    if not text or not str(text).strip():
        return set()
    read_as = normalize_phone(text)
    if read_as is not None and not _holds_more_than_one_number(str(text)):
        return set()
    return phones_in_text(text) - {read_as}


# The table of each family's loaded rows (raw.<table> and its ledger copy), phone column `phone`.
# dnc/ entries are always plain: a line loads only when its number matches the layout.
PHONE_FIELD_TABLES = {"opt_outs": "opt_outs", "inbound_sms": "inbound_sms", "contact_history": "contact_history",
                      "volunteers": "volunteers", "consents": "consents", "line_types": "line_types", "rnd": "rnd"}
# A plain spelling (ten digits, or eleven starting with 1, with the usual separators) reads as
# exactly its digits: no other number can hide in it. Only the other spellings are fetched, so
# no Python runs over the millions of plain rows.
_UNUSUAL_SPELLING = ("phone is not null and not "
                     r"regexp_full_match(phone, '\+?1?[ ()./-]*[0-9]{3}[ ()./-]*[0-9]{3}[ ()./-]*[0-9]{4}')")


def unread_phone_fields(con, family: str) -> list[str]:
    """The phone fields of a family's loaded rows that do not read as a valid number
    ("9195550123.0" from a spreadsheet, "919-555-0123 (cell)"), or may hold another one: each
    counts as an unreadable line of its family for the numbers it holds besides the one it
    reads as (C07, `unread_numbers_of_field`).
    The campaign's own outbound texts in a message export are not replies, and are left out."""
    if family not in PHONE_FIELD_TABLES:
        return []
    rows = source_sql(con, PHONE_FIELD_TABLES[family], ["phone", "is_from_contact"])
    if rows is None:
        return []
    fetched = con.execute(f"select distinct phone, is_from_contact from ({rows}) where {_UNUSUAL_SPELLING}").fetchall()
    return [text for text, from_contact in fetched
            if not (family == "inbound_sms" and is_outbound_message(from_contact))
            and (normalize_phone(text) is None or _holds_more_than_one_number(text))]


def _text_map(con, texts: str, table: str, normalize) -> None:
    """Temp table `table(text, value)`: each distinct text of the relation `texts` (one column
    `text`, a handful of values: channels, dispositions, entities) through `normalize`."""
    values = [text for (text,) in con.execute(f"select distinct text from ({texts}) where text is not null").fetchall()]
    con.register("_gate_texts", pd.DataFrame({"text": pd.Series(values, dtype=object),
                                              "value": pd.Series([normalize(v) for v in values], dtype=object)}))
    con.execute(f"create or replace temp table {table} as select cast(text as varchar) as text, "
                "cast(value as varchar) as value from _gate_texts")
    con.unregister("_gate_texts")


def contact_facts(con, inputs: FactInputs, days: int) -> tuple[dict[str, list[datetime | None]], dict[str, int]]:
    """From the contact history (valid phones only):

    - phone -> times of its wrong-number dispositions on or before as-of (None: unreadable,
      which counts as before as-of);
    - R13: phone -> prerecorded calls by the caller entity (or naming none) in the `days` days
      before as-of, or at an unreadable time."""
    build_contact_events(con, "_gate_contact_events")
    found = contact_facts_at(con, "_gate_contact_events", inputs, days)
    con.execute("drop table _gate_contact_events")
    return found


def build_contact_events(con, table: str, temporary: bool = True) -> None:
    """Table `table` (a temp table unless `temporary` is false): the contact history's rows the
    gate counts, whatever the as-of, as (`e164`, `instant`, `channel`, `entity`,
    `disposition`): wrong-number dispositions, requests not to be contacted (`disposition_kind`)
    and prerecorded calls. Kept from run to run while
    the contact history is the same.

    In DuckDB: phones and times are read by `sql_normalize` (the answers of `normalize_phone`
    and `parse_time`); channels, dispositions and entities, a few distinct texts, by
    `normalize_enum` and `normalize_text` themselves."""
    from .sql_normalize import build_phone_map, build_time_map

    rows = source_sql(con, "contact_history", ["phone", "channel", "attempted_at", "caller_entity", "disposition",
                                                FIRST_SEEN])
    if rows is None:
        rows = ("select null::varchar as phone, null::varchar as channel, null::varchar as attempted_at, "
                f"null::varchar as caller_entity, null::varchar as disposition, null::timestamptz as {FIRST_SEEN} "
                "where false")
    con.execute(f"create or replace temp table _gate_contact_rows as {rows}")
    build_phone_map(con, "select phone as text from _gate_contact_rows", "_gate_contact_phones")
    build_time_map(con, "select attempted_at as text from _gate_contact_rows", "_gate_contact_times")
    _text_map(con, "select channel as text from _gate_contact_rows", "_gate_contact_enums", contact_channel)
    _text_map(con, "select disposition as text from _gate_contact_rows", "_gate_contact_dispositions", disposition_kind)
    _text_map(con, "select caller_entity as text from _gate_contact_rows", "_gate_contact_entities", entity_key)
    con.execute(f"""
        create or replace {'temp ' if temporary else ''}table {table} as
        select * from (
            -- known_by: an attempt cannot have happened after it was first read.
            select p.e164, case when t.instant > r.{FIRST_SEEN} then null else t.instant end as instant,
                   coalesce(c.value, 'prerecorded_call') as channel, coalesce(e.value, '') as entity,
                   coalesce(d.value, '') as disposition
            from _gate_contact_rows r
            join _gate_contact_phones p on p.text = r.phone
            left join _gate_contact_times t on t.text = r.attempted_at
            left join _gate_contact_enums c on c.text = r.channel
            left join _gate_contact_dispositions d on d.text = r.disposition
            left join _gate_contact_entities e on e.text = r.caller_entity
            where p.e164 is not null
        )
        where disposition in ('wrong_number', 'do_not_call') or starts_with(channel, 'prerecorded')
    """)
    for name in ("_gate_contact_rows", "_gate_contact_phones", "_gate_contact_times", "_gate_contact_enums",
                 "_gate_contact_dispositions", "_gate_contact_entities"):
        con.execute(f"drop table if exists {name}")


def contact_facts_at(con, events: str, inputs: FactInputs, days: int) -> tuple[dict[str, list[datetime | None]], dict[str, int]]:
    """`contact_facts` at the as-of, from the events table `events` of `build_contact_events`."""
    contact_tables_at(con, events, inputs, days)
    wrong = wrong_number_times(con)
    calls = dict(con.execute("select phone_e164, calls from _gate_prerecorded_calls").fetchall())
    for name in ("_gate_wrong_numbers", "_gate_do_not_call", "_gate_prerecorded_calls"):
        con.execute(f"drop table {name}")
    return wrong, calls


def contact_tables_at(con, events: str, inputs: FactInputs, days: int) -> None:
    """Temp tables at the as-of, from the events table `events` of `build_contact_events`:
    _gate_wrong_numbers (`phone_e164`, `instant`), a row per wrong-number disposition on or
    before as-of or at an unreadable time; _gate_do_not_call (`phone_e164`), the numbers with a
    request not to be contacted then (R09); _gate_prerecorded_calls (`phone_e164`, `calls`), R13's
    count of prerecorded calls by the caller entity (or naming none) in the `days` days before
    as-of or at an unreadable time."""
    con.execute(
        f"create or replace temp table _gate_wrong_numbers as select e164 as phone_e164, instant from {events} "
        "where disposition = 'wrong_number' and (instant is null or instant <= $as_of)", {"as_of": inputs.as_of})
    con.execute(
        f"create or replace temp table _gate_do_not_call as select distinct e164 as phone_e164 from {events} "
        "where disposition = 'do_not_call' and (instant is null or instant <= $as_of)", {"as_of": inputs.as_of})
    con.execute(
        f"create or replace temp table _gate_prerecorded_calls as select e164 as phone_e164, count(*) as calls "
        f"from {events} where starts_with(channel, 'prerecorded') "
        "and entity in ('', $entity) and (instant is null or instant between $since and $as_of) group by e164",
        {"entity": entity_key(inputs.caller_entity), "since": inputs.as_of - timedelta(days=days),
         "as_of": inputs.as_of})


def wrong_number_times(con) -> dict[str, list[datetime | None]]:
    """phone -> times of its wrong-number dispositions, from _gate_wrong_numbers."""
    wrong: dict[str, list] = defaultdict(list)
    for e164, instant in con.execute("select phone_e164, instant from _gate_wrong_numbers").fetchall():
        wrong[e164].append(instant)
    return wrong


def line_type_facts(con, as_of: datetime) -> pd.DataFrame:
    """`build_line_type_facts` as a frame."""
    build_line_type_facts(con, as_of, "_gate_line_facts")
    frame = con.execute("select * from _gate_line_facts order by phone_e164").df()
    con.execute("drop table _gate_line_facts")
    return frame


def build_line_type_facts(con, as_of: datetime, table: str) -> None:
    """Temp table `table`: per phone (`phone_e164`), the effective line types of its latest
    answers on or before as-of (`line_types`, sorted) and their time (`line_checked_at`), from
    the answers of `build_line_type_answers`."""
    build_line_type_answers(con, "_gate_line_answers")
    line_types_at(con, "_gate_line_answers", as_of, table)
    con.execute("drop table _gate_line_answers")


def build_line_type_answers(con, table: str, temporary: bool = True) -> None:
    """Table `table` (a temp table unless `temporary` is false): every line-type answer as
    (`e164`, `instant`, `kind`, the effective line type), whatever the as-of: kept from run to
    run while the sources are the same. An answer with an unreadable time has no instant and is
    `unknown` (it may be the newest), and so is every number in an unreadable line_types/ line
    (C07).

    In DuckDB: ten million voters bring millions of answers. Phones and times are read by
    `sql_normalize` (the answers of `normalize_phone` and `parse_time`), line types, a handful
    of distinct texts, by `normalize_line_type` itself."""
    from .sql_normalize import build_phone_map, build_time_map

    rows = source_sql(con, "line_types", ["phone", "line_type", "checked_at", FIRST_SEEN])
    if rows is None:
        rows = (f"select null::varchar as phone, null::varchar as line_type, null::varchar as checked_at, "
                f"null::timestamptz as {FIRST_SEEN} where false")
    con.execute(f"create or replace temp table _gate_line_rows as {rows}")
    build_phone_map(con, "select phone as text from _gate_line_rows", "_gate_line_phones")
    build_time_map(con, "select checked_at as text from _gate_line_rows", "_gate_line_times")
    _text_map(con, "select line_type as text from _gate_line_rows", "_gate_line_kinds",
              lambda text: EFFECTIVE_LINE_TYPE[normalize_line_type(text)])
    unread = pd.DataFrame({"e164": pd.Series(sorted(quarantined_phones(con, ("line_types",))), dtype=object)})
    con.register("_gate_line_unread", unread)
    unknown = EFFECTIVE_LINE_TYPE["unknown"]
    # known_by: a look-up cannot have been made after its row was first read.
    con.execute(f"""
        create or replace {'temp ' if temporary else ''}table {table} as
        with answers as (
            select p.e164, case when t.instant > r.{FIRST_SEEN} then null else t.instant end as instant,
                   k.value as kind
            from _gate_line_rows r
            join _gate_line_phones p on p.text = r.phone
            left join _gate_line_times t on t.text = r.checked_at
            left join _gate_line_kinds k on k.text = r.line_type
            where p.e164 is not null
        )
        select e164, instant, case when instant is null then $unknown else coalesce(kind, $unknown) end as kind
        from answers
        union all
        select e164, null::timestamptz, $unknown from _gate_line_unread
    """, {"unknown": unknown})
    con.unregister("_gate_line_unread")
    for name in ("_gate_line_rows", "_gate_line_phones", "_gate_line_times", "_gate_line_kinds"):
        con.execute(f"drop table if exists {name}")


def line_types_at(con, answers: str, as_of: datetime, table: str) -> None:
    """Temp table `table` from the answers table `answers` at `as-of`: per phone, the effective
    line types of its latest answers on or before as-of and their time. Several answers at that
    time: the number holds all of them. An answer without a time counts as given at as-of."""
    con.execute(f"""
        create or replace temp table {table} as
        with answers as (
            select e164, coalesce(instant, $as_of) as checked_at, kind from {answers}
        ),
        latest as (
            select e164, max(checked_at) as checked_at from answers where checked_at <= $as_of group by e164
        )
        select a.e164 as phone_e164, list_sort(list_distinct(list(a.kind))) as line_types,
               l.checked_at as line_checked_at
        from answers a join latest l on l.e164 = a.e164 and l.checked_at = a.checked_at
        group by a.e164, l.checked_at
    """, {"as_of": as_of})


def rnd_answers(con, as_of: datetime, phone) -> dict[tuple[str, date | None], tuple[datetime, bool]]:
    """(phone, consent date) -> (time of the latest answer queried on or before as-of,
    whether it is `no`). A tie at that time: any answer other than `no` wins.

    Fail closed (C07): an answer other than `no` with an unreadable time counts as queried at
    as-of; one with an unreadable consent date, and every number in an unreadable rnd/ line
    (an answer `unreadable` at as-of), is kept under the date None: it counts for every
    consent of the number. A `no` with an unreadable date or time is no answer."""
    latest: dict[tuple[str, date | None], tuple[datetime, bool]] = {}
    # known_by: neither the query nor the consent date it asked about is later than the row's first read.
    rows = [(phone(number), known_day_by(parse_local_date(consent_date), seen), normalize_enum(result) == "no",
             known_by(parse_time(queried_at), seen))
            for number, consent_date, result, queried_at, seen in source_rows(
                con, "rnd", ["phone", "consent_date", "result", "queried_at", FIRST_SEEN])]
    rows += [(e164, None, False, as_of) for e164 in quarantined_phones(con, ("rnd",))]
    for e164, day, is_no, when in rows:
        if when is None and not is_no:
            when = as_of
        if not e164 or (day is None and is_no) or when is None or when > as_of:
            continue
        key = (e164, day)
        current = latest.get(key)
        if current is None or when > current[0]:
            latest[key] = (when, is_no)
        elif when == current[0] and not is_no:
            latest[key] = (when, False)
    return latest


def consent_inputs(con) -> tuple[list[tuple], set[str]]:
    """What both consent readings take: the consents/ rows (raw and ledger) as (phone,
    caller_entity, scope, consented_at, revoked_at, first seen), and the numbers of unreadable
    consents lines, each of which may be a revocation (C07)."""
    return (source_rows(con, "consents", ["phone", "caller_entity", "scope", "consented_at", "revoked_at", FIRST_SEEN]),
            quarantined_phones(con, ("consents",)))


def _revocation_time(given: datetime | None, revoked: datetime | None, as_of: datetime) -> datetime:
    """When a consents row's revocation takes effect: its own time, but not before its consent
    (one dated before still revokes it); its consent's time when its own cannot be read; as-of
    on a row with neither (dbt: the model of consent events)."""
    return max(revoked, given) if revoked and given else (revoked or given or as_of)


def consent_facts(inputs: FactInputs, phone, wrong_numbers, rnd, rows, revoked_unread) -> dict[tuple[str, str], datetime]:
    """(phone, scope) -> query time of the `no` RND answer behind its best valid consent.

    Valid (CONTRACT rule 4 and the spec): names the caller entity (case and spacing aside),
    scope is the scope or `all`, given on or before as-of at a readable time, not revoked on
    or before as-of (a blank `revoked_at` is no revocation, an unreadable one revokes, a
    revocation dated before its consent still revokes), its consent date is not before the
    RND cutoff (R16), the latest RND answer for that date is `no`, no wrong-number
    disposition at or after it, and no unreadable consents line holds the number (C07). Whether the RND answer is fresh enough (R16) depends on the
    list's expiry, so the time is kept and the frame compares it. `rows` and `revoked_unread`
    are `consent_inputs`: an unreadable consents line may be a revocation, so its numbers
    have no valid consent."""
    as_of = inputs.as_of
    entity = normalize_text(inputs.caller_entity)
    best: dict[tuple[str, str], datetime] = {}
    # Every row's revocation, for every consent of its number and scopes: (phone, scope) -> the
    # times in force at as-of. A revocation naming the entity however punctuated, or none, counts;
    # one whose scope is not one of the four covers all; one without a readable time counts
    # from its own consent's time, or, on a row without one, at as-of. A consent's own
    # revocation is among them (at or after its consent), so the check below covers it too.
    revocations: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for number, caller, scope, consented_at, revoked_at, seen in rows:
        if is_blank(revoked_at) or not revocation_applies(caller, inputs.caller_entity):
            continue
        e164 = phone(number)
        given = parse_time(consented_at)
        when = _revocation_time(given, known_by(parse_time(revoked_at), seen), as_of)
        scope = normalize_enum(scope)
        if e164 and when <= as_of:
            for covered in ((scope,) if scope in CONSENT_SCOPES else CONSENT_SCOPES):
                revocations[(e164, covered)].append(when)
    for number, caller, scope, consented_at, revoked_at, seen in rows:
        if _cached_text(caller or "") != entity:
            continue
        scope = normalize_enum(scope)
        if scope not in (*CONSENT_SCOPES, "all"):
            continue
        e164 = phone(number)
        given = parse_time(consented_at)
        if not e164 or e164 in revoked_unread or given is None or given > as_of:
            continue
        consent_day = parse_local_date(consented_at)
        if consent_day < inputs.rnd_cutoff:
            continue
        if any(when is None or when >= given for when in wrong_numbers.get(e164, ())):
            continue
        answer = rnd.get((e164, consent_day))
        undated = rnd.get((e164, None))
        if undated is not None and (answer is None or undated[0] >= answer[0]):
            answer = undated
        if answer is None or not answer[1]:
            continue
        for covered in (CONSENT_SCOPES if scope == "all" else (scope,)):
            key = (e164, covered)
            # A revocation at or after the consent (a tie goes to the revocation) ends it.
            if any(when >= given for when in revocations.get(key, ())):
                continue
            if key not in best or answer[0] > best[key]:
                best[key] = answer[0]
    return best


def revoked_consent_phones(inputs: FactInputs, phone, rows, revoked_unread) -> set[str]:
    """R09: every number whose newest consent event for the caller entity at as-of is a
    revocation: an opt-out is any revocation (compliance.md section 7), on every channel and
    whatever scope it names (FCC 24-24's revoke-all), while no newer consent follows it. A
    consent counts at a readable time on or before as-of, naming the entity (case and spacing
    aside) with one of the four scopes; a revocation names the entity or none, at its time (at
    least its consent's), at its consent's time when unreadable, at as-of on a row without
    either; an unreadable consents line may be a revocation, at as-of (C07). A tie goes to the
    revocation. `rows` and `revoked_unread` are `consent_inputs`. (dbt: the model of opt-outs.)"""
    as_of = inputs.as_of
    entity = normalize_text(inputs.caller_entity)
    newest: dict[str, tuple[datetime, bool]] = {}

    def seen_event(e164, when, is_revocation):
        if e164 and when <= as_of and (e164 not in newest or (when, is_revocation) > newest[e164]):
            newest[e164] = (when, is_revocation)

    for number, caller, scope, consented_at, revoked_at, seen in rows:
        given = parse_time(consented_at)
        if (given is not None and _cached_text(caller or "") == entity
                and normalize_enum(scope) in (*CONSENT_SCOPES, "all")):
            seen_event(phone(number), given, False)
        if not is_blank(revoked_at) and revocation_applies(caller, inputs.caller_entity):
            seen_event(phone(number), _revocation_time(given, known_by(parse_time(revoked_at), seen), as_of), True)
    for e164 in revoked_unread:
        seen_event(e164, as_of, True)
    return {e164 for e164, (_, is_revocation) in newest.items() if is_revocation}


# The parts of the phone facts an incremental run can reuse (expectations/kept_facts.py), with
# the sources each reads. The opt-outs are derived every run: their sources change most. The
# line-type answers and the contact history's events are kept whatever the as-of (normalizing
# them is the cost); what is in force at the as-of is read from them every run.
_LINE_TYPE_PART = ("line_type_answers", ("kept_line_type_answers",))
_CONTACT_EVENTS_PART = ("contact_events", ("kept_contact_events",))
_CONSENTS_PART = ("consents", ("kept_consents", "kept_revoked_consents"))
_HOLDERS_PART = ("holders", ("holders",))
# The do-not-call numbers depend on the as-of's day only: kept for the day's later runs.
_DNC_PART = ("dnc", ("dnc", "dnc_numbers"))


def _source_reads(*tables: str) -> list[tuple[str, str, None]]:
    """What `source_sql` reads for these tables: the raw table and its ledger copy, whole rows."""
    return [(schema, name, WHOLE_ROW) for table in tables
            for schema, name in (("raw", table), ("ledger", LEDGER_NAMES.get(table, table)))]


def _ensure_part(con, part: tuple[str, tuple[str, ...]], reads, settings: dict, build) -> None:
    """Build `part` with `build()` unless it was kept under the same fingerprint."""
    name, tables = part
    con.execute(f"create schema if not exists {FACTS_SCHEMA}")
    key = fingerprint(con, reads, {"part": name, **settings})
    if kept(con, FACTS_SCHEMA, name, key, tables):
        return
    forget(con, FACTS_SCHEMA, name)
    build()
    remember(con, FACTS_SCHEMA, name, key)


def _write_frame(con, table: str, frame: pd.DataFrame) -> None:
    con.register("_gate_frame", frame)
    con.execute(f"create or replace table {table} as select * from _gate_frame")
    con.unregister("_gate_frame")


def _build_consents_part(con, inputs: FactInputs, phone, wrong) -> None:
    rows, revoked_unread = consent_inputs(con)
    consents = consent_facts(inputs, phone, wrong, rnd_answers(con, inputs.as_of, phone), rows, revoked_unread)
    _write_frame(con, f"{FACTS_SCHEMA}.kept_consents", pd.DataFrame({
        "phone_e164": pd.Series([p for p, _ in consents], dtype=object),
        "scope": pd.Series([scope for _, scope in consents], dtype=object),
        "rnd_at": pd.Series([pd.Timestamp(at) for at in consents.values()], dtype="datetime64[us, UTC]")}))
    _write_frame(con, f"{FACTS_SCHEMA}.kept_revoked_consents", pd.DataFrame({
        "phone_e164": pd.Series(sorted(revoked_consent_phones(inputs, phone, rows, revoked_unread)), dtype=object)}))


def _contact_history_facts(con, inputs: FactInputs, phone, cap_days: int) -> None:
    """Temp tables _gate_wrong_numbers and _gate_prerecorded_calls at the as-of, and the kept
    consents (which a wrong number after a consent voids)."""
    events = f"{FACTS_SCHEMA}.kept_contact_events"
    _ensure_part(con, _CONTACT_EVENTS_PART, _source_reads("contact_history"), {},
                 lambda: build_contact_events(con, events, temporary=False))
    contact_tables_at(con, events, inputs, cap_days)
    # The wrong numbers' times come into Python only when the consents are derived again.
    _ensure_part(con, _CONSENTS_PART, [*_source_reads("rnd", "consents", "quarantine"), (FACTS_SCHEMA, "kept_contact_events", WHOLE_ROW)],
                 {"as_of": inputs.as_of.isoformat(), "entity": inputs.caller_entity, "rnd_cutoff": inputs.rnd_cutoff},
                 lambda: _build_consents_part(con, inputs, phone, wrong_number_times(con)))


def build_phone_facts(con, inputs: FactInputs, table: str, cap_days: int = 30) -> None:
    """Table `table`: one row per phone any suppression or consent source names, with its
    facts. The small sources' facts come from Python, the line types and the contact history
    from DuckDB; they are put together in DuckDB. The line types, and the contact history
    with the consents, are reused from an earlier run while their sources are unchanged."""
    phone = _Phones()
    opted = opted_out_phones(con, inputs, phone)
    _ensure_part(con, _LINE_TYPE_PART, _source_reads("line_types", "quarantine"), {},
                 lambda: build_line_type_answers(con, f"{FACTS_SCHEMA}.kept_line_type_answers", temporary=False))
    line_types_at(con, f"{FACTS_SCHEMA}.kept_line_type_answers", inputs.as_of, "_gate_line_types")
    _contact_history_facts(con, inputs, phone, cap_days)
    # R09: a request not to be contacted, taken on a call or a text, is an opt-out; so is a
    # consent revocation that no newer consent follows.
    opted |= {number for (number,) in con.execute("select phone_e164 from _gate_do_not_call").fetchall()}
    opted |= {number for (number,) in con.execute(
        f"select phone_e164 from {FACTS_SCHEMA}.kept_revoked_consents").fetchall()}
    con.register("_gate_opted", pd.DataFrame({"phone_e164": pd.Series(sorted(opted), dtype=object)}))
    scopes = ", ".join(f"max(rnd_at) filter (where scope = '{scope}') as consent_{scope}_rnd_at"
                       for scope in CONSENT_SCOPES)
    scope_columns = ", ".join(f"cast(s.consent_{scope}_rnd_at as timestamptz) as consent_{scope}_rnd_at"
                              for scope in CONSENT_SCOPES)
    con.execute(f"""
        create or replace table {table} as
        with wrong as (select distinct phone_e164 from _gate_wrong_numbers),
        calls as (select * from _gate_prerecorded_calls),
        consents as (select * from {FACTS_SCHEMA}.kept_consents),
        line_facts as (select * from _gate_line_types),
        phones as (
            select phone_e164 from _gate_opted union select phone_e164 from wrong
            union select phone_e164 from calls union select phone_e164 from line_facts
            union select phone_e164 from consents
        ),
        by_scope as (select phone_e164, {scopes} from consents group by phone_e164)
        select cast(p.phone_e164 as varchar) as phone_e164,
               o.phone_e164 is not null as opted_out,
               w.phone_e164 is not null as wrong_number,
               cast(l.line_types as varchar[]) as line_types,
               cast(l.line_checked_at as timestamptz) as line_checked_at,
               cast(coalesce(c.calls, 0) as bigint) as prerecorded_calls,
               {scope_columns}
        from phones p
        left join _gate_opted o on o.phone_e164 = p.phone_e164
        left join wrong w on w.phone_e164 = p.phone_e164
        left join calls c on c.phone_e164 = p.phone_e164
        left join line_facts l on l.phone_e164 = p.phone_e164
        left join by_scope s on s.phone_e164 = p.phone_e164
    """)
    con.unregister("_gate_opted")
    for name in ("_gate_line_types", "_gate_wrong_numbers", "_gate_do_not_call", "_gate_prerecorded_calls"):
        con.execute(f"drop table {name}")


def phone_facts(con, inputs: FactInputs, cap_days: int = 30) -> pd.DataFrame:
    """`build_phone_facts` as a frame, one row per phone in phone order (line types as lists)."""
    build_phone_facts(con, inputs, "_gate_phone_facts", cap_days)
    frame = con.execute("select * from _gate_phone_facts order by phone_e164").df()
    con.execute("drop table _gate_phone_facts")
    frame["line_types"] = pd.Series([list(kinds) if isinstance(kinds, (list, np.ndarray)) else None
                                     for kinds in frame["line_types"]], dtype=object)
    return frame


# --------------------------------------------------------------------------------------
# Per-number record facts from the big voter files, set-based in SQL.


@functools.lru_cache(maxsize=1)
def _digit_translation() -> tuple[str, str]:
    """(from, to) for SQL translate(): every non-ASCII character that NFKC and the Unicode
    decimal digit value turn into one ASCII digit."""
    sources, targets = [], []
    for code in range(0x80, 0x110000):
        char = chr(code)
        if unicodedata.category(char) not in ("Nd", "No"):
            continue
        value = _ascii_digits(unicodedata.normalize("NFKC", char))
        if len(value) == 1 and value in "0123456789":
            sources.append(char)
            targets.append(value)
    return "".join(sources), "".join(targets)


def digits_sql(expression: str) -> str:
    """SQL for the digits of a phone text (Unicode digits read as digits), nothing else."""
    sources, targets = _digit_translation()
    text = f"coalesce({expression}, '')"
    # translate() is slow with a long map: only texts with a non-ASCII character need it.
    mapped = f"(case when strlen({text}) <> length({text}) then translate({text}, '{sources}', '{targets}') else {text} end)"
    return f"regexp_replace({mapped}, '[^0-9]', '', 'g')"


def ten_digits_sql(digits: str) -> str:
    """SQL for the ten-digit national number from a column of digits (see `digits_sql`):
    ten digits as they are, eleven starting with 1 without it, else NULL."""
    return (f"(case when length({digits}) = 10 then {digits} "
            f"when length({digits}) = 11 and starts_with({digits}, '1') then substr({digits}, 2) end)")


US_STATES = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA", "Colorado": "CO",
    "Connecticut": "CT", "Delaware": "DE", "District of Columbia": "DC", "Washington D.C.": "DC", "Florida": "FL",
    "Georgia": "GA", "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL", "Indiana": "IN", "Iowa": "IA",
    "Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA", "Maine": "ME", "Maryland": "MD", "Massachusetts": "MA",
    "Michigan": "MI", "Minnesota": "MN", "Mississippi": "MS", "Missouri": "MO", "Montana": "MT", "Nebraska": "NE",
    "Nevada": "NV", "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM", "New York": "NY",
    "North Carolina": "NC", "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK", "Oregon": "OR",
    "Pennsylvania": "PA", "Rhode Island": "RI", "South Carolina": "SC", "South Dakota": "SD", "Tennessee": "TN",
    "Texas": "TX", "Utah": "UT", "Vermont": "VT", "Virginia": "VA", "Washington": "WA", "West Virginia": "WV",
    "Wisconsin": "WI", "Wyoming": "WY",
}
_STATE_SUFFIX = re.compile(r",\s*([A-Z]{2})$")


@functools.lru_cache(maxsize=1)
def area_code_rows() -> list[tuple[str, list[str], bool]]:
    """(area code, US states phonenumbers' geocoder places it in, toll-free) for 200..999."""
    from phonenumbers.geodata import GEOCODE_DATA

    codes = set(US_STATES.values())
    by_area: dict[str, set[str]] = defaultdict(set)
    for prefix, names in GEOCODE_DATA.items():
        if not prefix.startswith("1") or len(prefix) < 4:
            continue
        name = (names or {}).get("en", "")
        state = US_STATES.get(name)
        if state is None:
            match = _STATE_SUFFIX.search(name)
            state = match.group(1) if match and match.group(1) in codes else None
        if state:
            by_area[prefix[1:4]].add(state)
    toll_free = phonenumbers.PhoneMetadata.metadata_for_region("US").toll_free.national_number_pattern
    return [(f"{npa}", sorted(by_area.get(f"{npa}", ())), bool(re.fullmatch(toll_free, f"{npa}2345678")))
            for npa in range(200, 1000)]


def _zip_state(zip_code) -> str | None:
    digits = re.sub(r"[^0-9]", "", _ascii_digits(unicodedata.normalize("NFKC", str(zip_code or ""))))[:5]
    return _zip_states().get(digits) if len(digits) == 5 else None


@functools.lru_cache(maxsize=1)
def _zip_states() -> dict[str, str]:
    try:
        import zipcodes
    except ImportError:  # residence by volunteer postal code is a bonus, not a rule input
        return {}
    return {entry["zip_code"]: entry["state"] for entry in zipcodes.list_all()}


def build_holders(con) -> None:
    """gate.holders(phone10, exempt, states): per ten-digit number, whether any record holding
    it is confidential or exempt (C01), and the residence states of every holder (R22, R23)."""
    parts = []
    nc = _table_columns(con, "raw", "nc_voters")
    fl = _table_columns(con, "raw", "fl_voters")
    nc_read = {"full_phone_number", "confidential_ind", "state_cd"} <= nc
    fl_read = {"daytime_area_code", "daytime_phone_number", "public_records_exemption"} <= fl
    # The flags' few distinct spellings, each read once by flag_is_set.
    flag_texts = (["select confidential_ind as text from raw.nc_voters"] if nc_read else []) + (
        ["select public_records_exemption as text from raw.fl_voters"] if fl_read else [])
    _text_map(con, " union ".join(flag_texts) or "select null::varchar as text", "_gate_flags",
              lambda text: "set" if flag_is_set(text) else "")
    if nc_read:
        parts.append(
            f"select {ten_digits_sql('d')} as phone10, exempt, state from ("
            f"select {digits_sql('full_phone_number')} as d, "
            "coalesce(flags.value = 'set', false) as exempt, "
            "coalesce(nullif(upper(trim(state_cd)), ''), 'NC') as state from raw.nc_voters "
            "left join _gate_flags as flags on flags.text = nc_voters.confidential_ind)")
    if fl_read:
        state = "residence_state" if "residence_state" in fl else "null"
        phone = digits_sql("coalesce(daytime_area_code, '') || coalesce(daytime_phone_number, '')")
        parts.append(
            f"select {ten_digits_sql('d')} as phone10, exempt, state from (select {phone} as d, "
            "coalesce(flags.value = 'set', false) as exempt, "
            f"coalesce(nullif(upper(trim({state})), ''), 'FL') as state from raw.fl_voters "
            "left join _gate_flags as flags on flags.text = fl_voters.public_records_exemption)")
    donations = _table_columns(con, "raw", "donations")
    if {"donor_phone"} <= donations:
        state = "donor_state" if "donor_state" in donations else "null"
        parts.append(f"select {ten_digits_sql('d')} as phone10, false as exempt, state from ("
                     f"select {digits_sql('donor_phone')} as d, nullif(upper(trim({state})), '') as state from raw.donations)")
    volunteers = pd.DataFrame([
        (e164[2:], False, _zip_state(postal_code))
        for number, postal_code in source_rows(con, "volunteers", ["phone", "postal_code"])
        for e164 in [normalize_phone(number)] if e164
    ], columns=["phone10", "exempt", "state"]).astype({"phone10": object, "exempt": bool, "state": object})
    con.register("_gate_volunteer_holders", volunteers)
    parts.append("select phone10, exempt, state from _gate_volunteer_holders")
    con.execute(
        f"create or replace table {FACTS_SCHEMA}.holders as "
        "select phone10, bool_or(exempt) as exempt, "
        "list_sort(list_distinct(list(state) filter (where state is not null))) as states "
        f"from ({' union all '.join(parts)}) where phone10 is not null group by phone10")
    con.unregister("_gate_volunteer_holders")


def build_dnc(con, as_of_date: date) -> None:
    """gate.dnc(dnc_list, phone10): numbers on a do-not-call list at as-of: the latest full
    snapshot dated on or before as-of, then the change lists dated after it (and on or
    before as-of) in date order, the last change of a number winning; and every number an
    unreadable dnc/ line holds (C07)."""
    columns = _table_columns(con, "raw", "dnc_entries")
    if not {"list", "file_kind", "snapshot_date", "phone", "action"} <= columns:
        con.execute(f"create or replace table {FACTS_SCHEMA}.dnc (dnc_list varchar, phone10 varchar)")
    else:
        _build_read_dnc(con, as_of_date)
    # C07: a number in an unreadable do-not-call line counts as listed (federal covers every rule).
    unread = sorted(e164[2:] for e164 in quarantined_phones(con, ("dnc",)))
    if unread:
        con.executemany(f"insert into {FACTS_SCHEMA}.dnc values ('federal', ?)", [(n,) for n in unread])
    # What a gate joins: each number once, whether the federal list is among its lists.
    con.execute(f"create or replace table {FACTS_SCHEMA}.dnc_numbers as select phone10, "
                f"bool_or(dnc_list = 'federal') as on_federal from {FACTS_SCHEMA}.dnc group by phone10")


def _build_read_dnc(con, as_of_date: date) -> None:
    con.execute(f"""
        create or replace table {FACTS_SCHEMA}.dnc as
        with dnc_read as (
            select case when lower(trim(list)) = 'federal' then 'federal' else upper(trim(list)) end as dnc_list,
                   lower(trim(file_kind)) as kind, try_cast(trim(snapshot_date) as date) as day,
                   {digits_sql('phone')} as d, upper(trim(coalesce(action, 'A'))) as action,
                   coalesce(_file, '') as file, coalesce(_line, 0) as line
            from raw.dnc_entries
        ),
        entries as (select * exclude (d), {ten_digits_sql('d')} as phone10 from dnc_read),
        usable as (select * from entries where day is not null and day <= $as_of_date and phone10 is not null),
        base as (select dnc_list, max(day) as base_day from usable where kind = 'full' group by dnc_list),
        in_full as (
            select distinct u.dnc_list, u.phone10 from usable u join base b on u.dnc_list = b.dnc_list and u.day = b.base_day
            where u.kind = 'full'
        ),
        last_change as (
            select u.dnc_list, u.phone10,
                   max_by(u.action, strftime(u.day, '%Y%m%d') || '|' || u.file || '|' || lpad(cast(u.line as varchar), 12, '0')) as action
            from usable u left join base b on u.dnc_list = b.dnc_list
            where u.kind <> 'full' and (b.base_day is null or u.day > b.base_day)
            group by u.dnc_list, u.phone10
        )
        select coalesce(f.dnc_list, c.dnc_list) as dnc_list, coalesce(f.phone10, c.phone10) as phone10
        from in_full f full join last_change c on f.dnc_list = c.dnc_list and f.phone10 = c.phone10
        where c.action is distinct from 'D'
    """, {"as_of_date": as_of_date})


def newest_federal_snapshot(con, as_of_date: date) -> date | None:
    """Date of the newest federal full snapshot on or before as-of (R20 freshness)."""
    if not {"list", "file_kind", "snapshot_date"} <= _table_columns(con, "raw", "dnc_entries"):
        return None
    return con.execute(
        "select max(try_cast(trim(snapshot_date) as date)) from raw.dnc_entries "
        "where lower(trim(list)) = 'federal' and lower(trim(file_kind)) = 'full' "
        "and try_cast(trim(snapshot_date) as date) <= $d", {"d": as_of_date}).fetchone()[0]


# --------------------------------------------------------------------------------------
# R13: versions already published for lists outside this run.


def pending_versions(published: Path, run_lists: list[str], as_of: datetime) -> list[tuple[str, Path]]:
    """(effective channel, contacts.parquet) of every version of a list not in this run's
    lists.yaml whose as-of is on or before this run's and which is unexpired at it."""
    found = []
    in_run = {name.casefold() for name in run_lists}
    if not published.is_dir():
        return found
    for list_dir in sorted(published.iterdir()):
        if not list_dir.is_dir() or list_dir.name.casefold() in in_run:
            continue
        for version_dir in sorted(list_dir.iterdir()):
            manifest_path, contacts = version_dir / "manifest.json", version_dir / "contacts.parquet"
            if version_dir.name.startswith(".") or not manifest_path.is_file() or not contacts.is_file():
                continue
            try:
                manifest = json.loads(manifest_path.read_text())
                version_as_of = datetime.fromisoformat(manifest["as_of"])
                expires_at = datetime.fromisoformat(manifest["expires_at"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if version_as_of <= as_of < expires_at:
                found.append((manifest.get("effective_channel") or manifest.get("channel") or "", contacts))
    return found


def build_pending(con, published: Path, run_lists: list[str], as_of: datetime) -> None:
    """gate.pending_calls(channel, phone_e164, versions)."""
    con.execute(f"create or replace table {FACTS_SCHEMA}.pending_calls "
                "(channel varchar, phone_e164 varchar, versions bigint)")
    by_channel: dict[str, list[str]] = defaultdict(list)
    for channel, path in pending_versions(published, run_lists, as_of):
        by_channel[channel].append(str(path))
    for channel, paths in by_channel.items():
        with exact_paths(paths) as readable:
            con.execute(
                f"insert into {FACTS_SCHEMA}.pending_calls select $channel, phone_e164, count(distinct filename) "
                "from read_parquet($paths, filename = true) where phone_e164 is not null group by phone_e164",
                {"channel": channel, "paths": readable})


# --------------------------------------------------------------------------------------
# Once per run.


def run_key(run_id: str, inputs: FactInputs, published: Path, run_lists: list[str]) -> str:
    return json.dumps([FACTS_LAYOUT, run_id, inputs.as_of.isoformat(), inputs.caller_entity,
                       json.dumps(inputs.policy, sort_keys=True, default=str), str(published), list(run_lists)])


def ensure_facts(con, inputs: FactInputs, *, run_id: str, published: Path, run_lists: list[str]) -> dict[str, int]:
    """Build the gate.* fact tables unless this run already did; returns their counts."""
    key = run_key(run_id, inputs, published, run_lists)
    con.execute(f"create schema if not exists {FACTS_SCHEMA}")
    con.execute(f"create table if not exists {FACTS_SCHEMA}.built (run_key varchar, counts varchar)")
    row = con.execute(f"select counts from {FACTS_SCHEMA}.built where run_key = ?", [key]).fetchone()
    if row is not None:
        return json.loads(row[0])
    caps = [int((channel.get("cap") or {}).get("days", 0)) for channel in inputs.policy["channels"].values()]
    build_phone_facts(con, inputs, f"{FACTS_SCHEMA}.phone_facts", cap_days=max(caps + [0]))
    areas = pd.DataFrame(area_code_rows(), columns=["npa", "states", "toll_free"])
    con.register("_gate_area_codes", areas)
    con.execute(f"create or replace table {FACTS_SCHEMA}.area_codes as "
                "select npa, cast(states as varchar[]) as states, toll_free from _gate_area_codes")
    con.unregister("_gate_area_codes")
    # The records' columns build_holders reads; the volunteers' whole rows, raw and ledger.
    record_reads = [("raw", "nc_voters", ("full_phone_number", "confidential_ind", "state_cd")),
                    ("raw", "fl_voters", ("daytime_area_code", "daytime_phone_number", "public_records_exemption",
                                          "residence_state")),
                    ("raw", "donations", ("donor_phone", "donor_state"))] + _source_reads("volunteers")
    _ensure_part(con, _HOLDERS_PART, record_reads, {}, lambda: build_holders(con))
    as_of_date = inputs.as_of.date()
    _ensure_part(con, _DNC_PART, [("raw", "dnc_entries", WHOLE_ROW), *_source_reads("quarantine")],
                 {"as_of_date": as_of_date.isoformat()}, lambda: build_dnc(con, as_of_date))
    build_pending(con, published, run_lists, inputs.as_of)
    phones, opted_out, wrong_number, line_typed = con.execute(
        "select count(*), count(*) filter (where opted_out), count(*) filter (where wrong_number), "
        f"count(line_types) from {FACTS_SCHEMA}.phone_facts").fetchone()
    counts = {
        "phones": phones,
        "opted_out": opted_out,
        "wrong_number": wrong_number,
        "line_typed": line_typed,
        "exempt_numbers": con.execute(f"select count(*) from {FACTS_SCHEMA}.holders where exempt").fetchone()[0],
        "dnc_numbers": con.execute(f"select count(distinct phone10) from {FACTS_SCHEMA}.dnc").fetchone()[0],
        "pending_rows": con.execute(f"select count(*) from {FACTS_SCHEMA}.pending_calls").fetchone()[0],
    }
    con.execute(f"delete from {FACTS_SCHEMA}.built")
    con.execute(f"insert into {FACTS_SCHEMA}.built values (?, ?)", [key, json.dumps(counts)])
    return counts


# --------------------------------------------------------------------------------------
# The frame a list's suite runs on.

# The rows a gate checks: the list's own table as the lists asset wrote it (what publishing
# copies), or, without one, the list's rows of main.list_members.
MEMBERS_OF_LIST = "select * from main.list_members where list_name = $list"

GATE_FRAME = f"""
with members as (
    select *, substr(phone_e164, 3) as _phone10 from ({{members}})
),
earlier as (
    select phone_e164, count(distinct list_name) as lists
    from main.list_members where list_contains($earlier_lists::varchar[], list_name) group by phone_e164
),
joined as (
    select m.*,
        coalesce(f.opted_out, false) as is_opted_out,
        coalesce(f.wrong_number, false) as has_wrong_number,
        coalesce(h.exempt, false) as is_exempt_record,
        case when coalesce(a.toll_free, false)
             then list_sort(list_distinct(list_concat(coalesce(f.line_types, []::varchar[]), ['toll_free'])))
             else coalesce(f.line_types, ['wireless']) end as _types,
        f.line_checked_at as gate_line_checked_at,
        coalesce(case $scope when 'prerecorded_voice' then f.consent_prerecorded_voice_rnd_at
                             when 'autodialed_voice' then f.consent_autodialed_voice_rnd_at
                             when 'sms' then f.consent_sms_rnd_at end >= $rnd_fresh_from, false) as has_valid_consent,
        list_sort(list_distinct(list_concat(coalesce(h.states, []::varchar[]), coalesce(a.states, []::varchar[])))) as _states,
        coalesce(f.prerecorded_calls, 0) + coalesce(p.versions, 0) + coalesce(e.lists, 0) as prerecorded_calls_in_window,
        d.phone10 is not null as _on_dnc,
        coalesce(d.on_federal, false) as _on_federal_dnc
    from members m
    left join {FACTS_SCHEMA}.phone_facts f on f.phone_e164 = m.phone_e164
    left join {FACTS_SCHEMA}.holders h on h.phone10 = m._phone10
    left join {FACTS_SCHEMA}.area_codes a on a.npa = substr(m.phone_e164, 3, 3)
    left join {FACTS_SCHEMA}.pending_calls p on p.phone_e164 = m.phone_e164 and p.channel = $channel
    left join earlier e on e.phone_e164 = m.phone_e164
    left join {FACTS_SCHEMA}.dnc_numbers d on d.phone10 = m._phone10
)
select * exclude (_phone10, _types, _states, _on_dnc, _on_federal_dnc),
    array_to_string(_types, ',') as gate_line_types,
    array_to_string(_states, ',') as gate_states,
    (list_has_any(_types, $consent_line_types::varchar[]) or ($toll_free_needs_consent and list_contains(_types, 'toll_free')))
        and not has_valid_consent as lacks_required_consent,
    $has_allowed and not list_has_all($allowed_line_types::varchar[], _types) as has_disallowed_line_type,
    coalesce(gate_line_checked_at >= $line_fresh_from, false) as has_fresh_line_type_check,
    $has_cap and prerecorded_calls_in_window + 1 > $cap_calls and not ($cap_exempt_with_consent and has_valid_consent)
        as over_prerecorded_cap,
    $state_rules and list_has_any(_states, $consent_states::varchar[]) and not has_valid_consent
        as lacks_state_rule_consent,
    $nh_federal_dnc and list_contains(_states, 'NH') and _on_federal_dnc as nh_on_federal_dnc,
    $dnc_scrub and _on_dnc as on_dnc_list
from joined
"""


@dataclass(frozen=True)
class ListContext:
    """What the frame needs to know about one list beyond the facts."""
    name: str
    effective_channel: str
    purpose: str
    live_operator_intro: bool
    earlier_lists: tuple[str, ...]  # earlier lists of this run (lists.yaml order) sharing its capped channel


def frame_parameters(ctx: ListContext, inputs: FactInputs) -> dict:
    policy = inputs.policy
    channel = policy["channels"][ctx.effective_channel]
    expires_at = inputs.as_of + timedelta(hours=int(channel["expires_hours"]))
    cap = channel.get("cap") or {}
    rnd_days = int(policy.get("rnd_max_age_days", DEFAULT_RND_MAX_AGE_DAYS))
    line_days = channel.get("line_type_max_age_days")
    # R22 is lifted by a live operator introduction; R23 is not.
    state_rules = bool(channel.get("state_rules")) and not ctx.live_operator_intro
    return {
        "list": ctx.name,
        "channel": ctx.effective_channel,
        "earlier_lists": list(ctx.earlier_lists) if cap else [],
        "scope": channel.get("consent_scope") or "",
        "rnd_fresh_from": expires_at - timedelta(days=rnd_days),
        "consent_line_types": list(channel.get("consent_required_line_types") or []),
        "toll_free_needs_consent": bool(channel.get("toll_free_needs_consent")) and bool(channel.get("consent_scope")),
        "has_allowed": channel.get("allowed_line_types") is not None,
        "allowed_line_types": list(channel.get("allowed_line_types") or []),
        "line_fresh_from": expires_at - timedelta(days=int(line_days or 0)),
        "has_cap": bool(cap),
        "cap_calls": int(cap.get("calls", 0)),
        "cap_exempt_with_consent": bool(cap.get("exempt_with_consent", True)) and bool(channel.get("consent_scope")),
        "state_rules": state_rules,
        "consent_states": [str(s).upper() for s in policy.get("prerecorded_consent_states") or []],
        "nh_federal_dnc": bool(channel.get("state_rules")) and bool(policy.get("nh_prerecorded_federal_dnc")),
        "dnc_scrub": ctx.purpose in (policy.get("dnc_scrub_purposes") or []),
    }


def gate_frame(con, ctx: ListContext, inputs: FactInputs) -> pd.DataFrame:
    """The list's rows of main.list_members with the gate's facts as columns, as a frame."""
    sql = GATE_FRAME.format(members=MEMBERS_OF_LIST)
    return con.execute(sql, frame_parameters(ctx, inputs)).df()


def gate_frame_select(ctx: ListContext, inputs: FactInputs, members: str) -> tuple[str, dict]:
    """The gate frame over the list's table `members` (an identifier of ours, quoted), as a
    query and its parameters: what the suite's counts run on (`gate.suite_counts`), so a
    million-row list never goes into Python, nor into a table of its own unless it fails."""
    params = {k: v for k, v in frame_parameters(ctx, inputs).items() if k != "list"}
    return GATE_FRAME.format(members=f"select * from {members}"), params


def keep_gate_frame(con, ctx: ListContext, inputs: FactInputs, table: str, members: str) -> None:
    """The rows of the list's table `members` with the gate's facts, kept as `table` (both
    identifiers of ours, quoted): the audit of a failed gate, the rows a person looks into."""
    frame, params = gate_frame_select(ctx, inputs, members)
    con.execute(f"create or replace table {table} as {frame}", params)

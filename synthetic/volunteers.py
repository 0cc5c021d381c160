"""Mobilize attendances as saved API pages: `attendances_001.json`, ... each one response
`{"count", "next", "previous", "data"}` with cursor URLs, the last page's `next` null.

A few thousand records at most, so plain Python builds them.
"""

from __future__ import annotations

import hashlib
import json
import pathlib

import numpy as np

from . import names, phones
from .places import HOME_AREA_CODES
from .population import PLACES, Population
from .randomness import rng_for

VOLUNTEER_SHARE = 0.01
MIN_VOLUNTEERS = 40
VOTER_VOLUNTEERS = 0.85
PAGE_SIZE = 100
ORGANIZATION_ID = 4127
API = f"https://api.mobilize.us/v1/organizations/{ORGANIZATION_ID}/attendances"
EVENT_TYPES = ("CANVASS", "PHONE_BANK", "TEXT_BANK", "MEETING", "COMMUNITY", "VOTER_REG", "TRAINING")
EVENT_TITLES = {
    "CANVASS": "Door knocking for Jane Doe in {city}",
    "PHONE_BANK": "Call voters from home ({city} team)",
    "TEXT_BANK": "Text bank: get out the vote",
    "MEETING": "{city} volunteer meeting",
    "COMMUNITY": "Community cookout in {city}",
    "VOTER_REG": "Voter registration drive, {city}",
    "TRAINING": "New volunteer training",
}
SMS_STATUS = ("OPT_IN", "UNSPECIFIED", "OPT_OUT")
SMS_STATUS_WEIGHTS = (0.5, 0.35, 0.15)
STATUS = ("REGISTERED", "CONFIRMED", "CANCELLED")
STATUS_WEIGHTS = (0.45, 0.35, 0.2)
HOUR = 3600
STRANGER_ZIP = "30307"  # volunteers from outside the voter file came from Atlanta


def _cursor(seed: int, page: int) -> str:
    return hashlib.sha256(f"{seed}:{page}".encode()).hexdigest()[:24]


def _events(rng: np.random.Generator, count: int, as_of: int) -> list[dict]:
    """Events with one to three timeslots in the year around as-of (mostly before it)."""
    events = []
    cities = sorted({city.title() for _, city, _ in PLACES})
    for number in range(count):
        kind = EVENT_TYPES[int(rng.integers(0, len(EVENT_TYPES)))]
        city = cities[int(rng.integers(0, len(cities)))]
        first_start = as_of + int(rng.integers(-330 * 24, 30 * 24)) * HOUR
        timeslots = []
        for slot in range(int(rng.integers(1, 4))):
            start = first_start + slot * 7 * 24 * HOUR
            timeslots.append({"id": 90_000 + number * 3 + slot, "start_date": start, "end_date": start + 3 * HOUR})
        events.append({"id": 50_000 + number, "title": EVENT_TITLES[kind].format(city=city), "event_type": kind,
                       "timeslots": timeslots})
    return events


def _people(pop: Population, count: int, rng: np.random.Generator) -> list[dict]:
    """Volunteers, mostly voters (their name, ZIP and usually their number); the rest strangers."""
    voter = rng.random(count) < VOTER_VOLUNTEERS
    who = rng.integers(0, pop.size, count)
    first = np.where(voter, pop.first_name[who], names.any_first_names(rng, count))
    last = np.where(voter, pop.last_name[who], names.SURNAMES.draw(rng, count))
    own = voter & pop.phone.valid[who]
    number = np.where(own, pop.phone.number[who], phones.random_numbers(rng, count, HOME_AREA_CODES))
    spelled = phones.spell_mixed(number, rng, phones.TYPED).to_pylist()
    emails = names.email_addresses(first, last, rng).to_pylist()
    has_phone = rng.random(count) < 0.9
    sms_status = rng.choice(len(SMS_STATUS), size=count, p=SMS_STATUS_WEIGHTS)
    zip_codes = [PLACES[place][0] for place in pop.place[who]]
    return [
        {
            "id": 700_000 + i * 7,
            "user_id": 3_000_000 + i * 13,
            "given_name": names.FIRST_NAMES.words[first[i]],
            "family_name": names.LAST_NAMES.words[last[i]],
            "email_addresses": [{"primary": True, "address": emails[i]}],
            "phone_numbers": [{"primary": True, "number": spelled[i]}] if has_phone[i] else [],
            "postal_addresses": [{"primary": True, "postal_code": zip_codes[i] if voter[i] else STRANGER_ZIP}],
            "sms_opt_in_status": SMS_STATUS[sms_status[i]],
        }
        for i in range(count)
    ]


def _attendances(people: list[dict], events: list[dict], rng: np.random.Generator, as_of: int) -> list[dict]:
    attendances = []
    for person in people:
        for _ in range(int(rng.geometric(0.55))):
            event = events[int(rng.integers(0, len(events)))]
            slot = event["timeslots"][int(rng.integers(0, len(event["timeslots"])))]
            created = min(slot["start_date"] - int(rng.integers(1, 21 * 24)) * HOUR,
                          as_of - int(rng.integers(1, 72)) * HOUR)
            status = STATUS[int(rng.choice(3, p=STATUS_WEIGHTS))]
            past = slot["end_date"] < as_of
            if not past or rng.random() < 0.1:
                attended = None  # not recorded yet
            else:
                attended = status != "CANCELLED" and bool(rng.random() < 0.75)
            # Past attendances were last touched when check-in was recorded after the event.
            touched = slot["end_date"] if past else created
            modified = max(created, min(as_of - 60, touched + int(rng.integers(0, 48)) * HOUR))
            attendances.append({
                "id": None,  # numbered once sorted, as the API's cursor order
                "created_date": created,
                "modified_date": modified,
                "person": person,
                "event": {"id": event["id"], "title": event["title"], "event_type": event["event_type"]},
                "timeslot": slot,
                "status": status,
                "attended": attended,
            })
    attendances.sort(key=lambda a: (a["created_date"], a["person"]["id"]))
    for number, attendance in enumerate(attendances):
        attendance["id"] = 1_200_000 + number
    return attendances


def write_volunteers(folder: pathlib.Path, pop: Population, as_of_seconds: int, seed: int) -> int:
    rng = rng_for(seed, "volunteers")
    count = max(MIN_VOLUNTEERS, round(pop.size * VOLUNTEER_SHARE))
    events = _events(rng, max(10, count // 25), as_of_seconds)
    records = _attendances(_people(pop, count, rng), events, rng, as_of_seconds)
    folder.mkdir(parents=True, exist_ok=True)
    pages = [records[start : start + PAGE_SIZE] for start in range(0, len(records), PAGE_SIZE)]
    width = max(3, len(str(len(pages))))

    def url(page_number: int) -> str | None:
        if not 1 <= page_number <= len(pages):
            return None
        return f"{API}?cursor={_cursor(seed, page_number)}&per_page={PAGE_SIZE}"

    for page_number, page in enumerate(pages, start=1):
        body = {
            "count": len(records),
            "next": url(page_number + 1),
            "previous": url(page_number - 1),
            "data": page,
        }
        path = folder / f"attendances_{page_number:0{width}d}.json"
        path.write_text(json.dumps(body, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(records)

"""The synthetic people: one set of numpy arrays every source file is drawn from.

Voters 0..nc_count-1 live in North Carolina, the rest in Florida. Households are runs of
consecutive voters sharing county, address and (mostly) last name.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import names, phones
from .places import ALL_COUNTIES, FL_COUNTIES, HOME_AREA_CODES, NC_COUNTIES, NC_OLD_LAYOUT_COUNTY, County
from .randomness import rng_for, scrambled_ids, weighted_choice
from .timefmt import YEAR_DAYS

NC_SHARE = 0.65
HOUSEHOLD_SIZE_WEIGHTS = (0.55, 0.28, 0.11, 0.05, 0.01)  # 1..5 voters
SHARED_LAST_NAME = 0.75
HAS_PHONE = {"NC": 0.65, "FL": 0.55}
CONFIDENTIAL = 0.005  # NC confidential_ind = Y, FL public-records exemption = Y
FEMALE, MALE, UNKNOWN_SEX = 0, 1, 2

# (status_cd, voter_status_desc, reason_cd, voter_status_reason_desc, weight)
NC_STATUSES = (
    ("A", "ACTIVE", "AV", "VERIFIED", 76.0),
    ("A", "ACTIVE", "AN", "UNVERIFIED NEW", 2.0),
    ("I", "INACTIVE", "IN", "CONFIRMATION NOT RETURNED", 9.0),
    ("I", "INACTIVE", "IU", "CONFIRMATION RETURNED UNDELIVERABLE", 4.0),
    ("R", "REMOVED", "RL", "MOVED FROM COUNTY", 2.0),
    ("R", "REMOVED", "RD", "DECEASED", 1.5),
    ("R", "REMOVED", "R2", "REMOVED AFTER 2 FED GENERAL ELECTIONS IN INACTIVE STATUS", 1.5),
    ("R", "REMOVED", "RS", "MOVED FROM STATE", 0.7),
    ("R", "REMOVED", "RF", "FELONY CONVICTION", 0.3),
    ("D", "DENIED", "DN", "NOT VERIFIED", 1.0),
    ("D", "DENIED", "DU", "VERIFICATION RETURNED UNDELIVERABLE", 0.5),
    ("S", "TEMPORARY", "SM", "MILITARY", 1.0),
    ("S", "TEMPORARY", "SO", "OVERSEAS CITIZEN", 0.5),
)
FL_STATUSES = (("ACT", 87.0), ("INA", 12.0), ("PRE", 1.0))
FL_INACTIVE, FL_PREREGISTERED = 1, 2
NCID_MIN_DIGITS = 6
NC_PARTIES = (("DEM", "DEMOCRATIC", 33.0), ("REP", "REPUBLICAN", 30.0), ("UNA", "UNAFFILIATED", 36.0),
              ("LIB", "LIBERTARIAN", 0.8), ("GRE", "GREEN", 0.2))
FL_PARTIES = (("DEM", 34.0), ("REP", 38.0), ("NPA", 25.0), ("LPF", 0.6), ("IND", 1.6), ("GRE", 0.1),
              ("CPF", 0.1), ("ECO", 0.1))
NC_RACES = (("W", 60.0), ("B", 21.0), ("U", 8.0), ("O", 4.0), ("A", 3.0), ("M", 2.2), ("I", 0.8))
NC_HISPANIC_RACES = (("W", 40.0), ("O", 30.0), ("U", 20.0), ("M", 10.0))
FL_RACES = (("5", 60.0), ("3", 15.0), ("2", 2.5), ("6", 3.0), ("7", 1.5), ("9", 6.0), ("1", 0.4))
FL_HISPANIC_RACE = "4"


@dataclass
class Population:
    size: int
    nc_count: int
    county: np.ndarray  # int16 index into ALL_COUNTIES
    place: np.ndarray  # int16 index into PLACES (ZIP and city)
    sex: np.ndarray  # int8 FEMALE / MALE / UNKNOWN_SEX
    hispanic: np.ndarray  # bool
    first_name: np.ndarray  # int32 index into names.FIRST_NAMES.words
    middle_name: np.ndarray  # int32 index into names.FIRST_NAMES.words, -1 for none
    last_name: np.ndarray  # int32 index into names.LAST_NAMES.words
    suffix: np.ndarray  # int8 index into names.NAME_SUFFIXES
    birth_day: np.ndarray  # int32 day number
    registration_day: np.ndarray  # int32 day number
    status: np.ndarray  # int8 index into NC_STATUSES or FL_STATUSES, by state
    party: np.ndarray  # int8 index into NC_PARTIES or FL_PARTIES
    race: np.ndarray  # int8: NC_RACES / NC_HISPANIC_RACES offset by len(NC_RACES); FL_RACES, -1 Hispanic
    precinct: np.ndarray  # int16 precinct number within the county
    house_number: np.ndarray  # int32
    street: np.ndarray  # int16 index into names.STREET_NAMES
    street_type: np.ndarray  # int8
    street_direction: np.ndarray  # int8
    unit: np.ndarray  # int16, 0 for none
    phone: phones.VoterPhones
    confidential: np.ndarray  # bool
    turnout: np.ndarray  # float32 propensity to vote
    state_id: np.ndarray  # int64: NC ncid digits / FL voter id
    registration_number: np.ndarray  # int64: NC voter_reg_num

    @property
    def is_nc(self) -> np.ndarray:
        return np.arange(self.size) < self.nc_count

    @property
    def ncid_digits(self) -> int:
        return max(NCID_MIN_DIGITS, len(str(self.nc_count)))

    def in_county(self, county_index: int) -> np.ndarray:
        return np.flatnonzero(self.county == county_index)


PLACES = [(zip_code, city, index) for index, c in enumerate(ALL_COUNTIES) for zip_code, city in c.places]
PLACE_OFFSETS = np.cumsum([0] + [len(c.places) for c in ALL_COUNTIES])


def sample_voter_numbers(pop: Population, rng: np.random.Generator, size: int, unknown_share: float) -> np.ndarray:
    """Valid numbers of random voters, with a share of numbers that belong to nobody."""
    owners = np.flatnonzero(pop.phone.valid)
    numbers = pop.phone.number[owners[rng.integers(0, len(owners), size)]]
    unknown = rng.random(size) < unknown_share
    numbers[unknown] = phones.random_numbers(rng, int(unknown.sum()), HOME_AREA_CODES)
    return numbers


def birth_years(birth_days: np.ndarray) -> np.ndarray:
    return birth_days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def precinct_count(county: County) -> int:
    return max(4, int(county.weight * 700))


def _households(rng: np.random.Generator, size: int, counties: tuple[County, ...], first_index: int):
    """Household head index and county index (into ALL_COUNTIES) for `size` voters."""
    sizes = weighted_choice(rng, HOUSEHOLD_SIZE_WEIGHTS, size) + 1
    count = int(np.searchsorted(np.cumsum(sizes), size)) + 1
    sizes = sizes[:count]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    household = np.repeat(np.arange(count), sizes)[:size]
    head_of = starts[household] + first_index
    county_of_household = weighted_choice(rng, [c.weight for c in counties], count)
    local_index = np.array([ALL_COUNTIES.index(c) for c in counties])
    county = local_index[county_of_household][household]
    return head_of.astype(np.int64), county.astype(np.int16), household


def build_population(voters: int, seed: int, as_of_day: int) -> Population:
    rng = rng_for(seed, "population")
    nc_count = round(voters * NC_SHARE)
    fl_count = voters - nc_count
    nc_head, nc_county, nc_household = _households(rng, nc_count, NC_COUNTIES, 0)
    fl_head, fl_county, _ = _households(rng, fl_count, FL_COUNTIES, nc_count)
    # Even a tiny inbox gets its old-layout county file: the first household lives there.
    old_layout = ALL_COUNTIES.index(next(c for c in NC_COUNTIES if c.code == NC_OLD_LAYOUT_COUNTY))
    nc_county[nc_household == 0] = old_layout
    head_of = np.concatenate([nc_head, fl_head])
    county = np.concatenate([nc_county, fl_county])
    is_nc = np.arange(voters) < nc_count

    def per_household(values: np.ndarray) -> np.ndarray:
        """Copy each head's value to the rest of the household."""
        return values[head_of]

    hispanic_share = np.array([c.hispanic_share for c in ALL_COUNTIES])[county]
    hispanic = per_household(rng.random(voters) < hispanic_share)

    place_in_county = (rng.random(voters) * np.diff(PLACE_OFFSETS)[county]).astype(np.int64)
    place = per_household((PLACE_OFFSETS[county] + place_in_county).astype(np.int16))
    precincts = np.array([precinct_count(c) for c in ALL_COUNTIES])[county]
    precinct = per_household((rng.random(voters) * precincts).astype(np.int16))
    house_number = per_household(np.exp(rng.uniform(np.log(100), np.log(9999), voters)).astype(np.int32))
    street = per_household(rng.integers(0, len(names.STREET_NAMES), voters).astype(np.int16))
    street_type = per_household(weighted_choice(rng, names.STREET_TYPE_WEIGHTS, voters).astype(np.int8))
    street_direction = per_household(weighted_choice(rng, names.STREET_DIRECTION_WEIGHTS, voters).astype(np.int8))
    unit = per_household(np.where(rng.random(voters) < 0.12, rng.integers(1, 400, voters), 0).astype(np.int16))

    sex = weighted_choice(rng, (53, 45, 2), voters).astype(np.int8)
    first_name = np.empty(voters, dtype=np.int32)
    middle_name = np.empty(voters, dtype=np.int32)
    hispanic_first = hispanic & (rng.random(voters) < 0.7)
    groups = {
        (FEMALE, False): names.FEMALE_FIRST, (MALE, False): names.MALE_FIRST,
        (FEMALE, True): names.HISPANIC_FEMALE_FIRST, (MALE, True): names.HISPANIC_MALE_FIRST,
    }
    female_like = np.where(sex == UNKNOWN_SEX, rng.random(voters) < 0.5, sex == FEMALE)
    for (group_sex, group_hispanic), group in groups.items():
        members = np.flatnonzero((female_like == (group_sex == FEMALE)) & (hispanic_first == group_hispanic))
        first_name[members] = group.draw(rng, len(members))
        middle_name[members] = group.draw(rng, len(members))
    middle_name[rng.random(voters) < 0.25] = -1

    own_last_name = np.where(
        hispanic, names.HISPANIC_SURNAMES.draw(rng, voters), names.SURNAMES.draw(rng, voters)
    )
    last_name = np.where(rng.random(voters) < SHARED_LAST_NAME, own_last_name[head_of], own_last_name)
    suffix = weighted_choice(rng, names.NAME_SUFFIX_WEIGHTS, voters).astype(np.int8)

    age_years = 18 + 77 * rng.beta(1.5, 2.0, voters)
    fl_status = weighted_choice(rng, [w for _, w in FL_STATUSES], voters)
    preregistered = ~is_nc & (fl_status == FL_PREREGISTERED)
    age_years[preregistered] = rng.uniform(16, 18, preregistered.sum())
    birth_day = (as_of_day - age_years * YEAR_DAYS).astype(np.int32)
    eligible_from = birth_day + (np.where(preregistered, 16, 18) * YEAR_DAYS).astype(np.int32)
    registration_day = (eligible_from + (as_of_day - 1 - eligible_from) * rng.beta(1.3, 1.3, voters)).astype(np.int32)

    nc_status = weighted_choice(rng, [s[-1] for s in NC_STATUSES], voters)
    status = np.where(is_nc, nc_status, fl_status).astype(np.int8)
    party = np.where(
        is_nc,
        weighted_choice(rng, [p[-1] for p in NC_PARTIES], voters),
        weighted_choice(rng, [p[-1] for p in FL_PARTIES], voters),
    ).astype(np.int8)
    nc_race = np.where(
        hispanic & (rng.random(voters) < 0.8),
        len(NC_RACES) + weighted_choice(rng, [r[-1] for r in NC_HISPANIC_RACES], voters),
        weighted_choice(rng, [r[-1] for r in NC_RACES], voters),
    )
    fl_race = np.where(
        hispanic & (rng.random(voters) < 0.85), -1, weighted_choice(rng, [r[-1] for r in FL_RACES], voters)
    )
    race = np.where(is_nc, nc_race, fl_race).astype(np.int8)

    # Skewed high with the election multipliers for about ten history rows per voter.
    # Inactive and removed registrations vote little; denied ones never.
    turnout = rng.beta(3.2, 1.0, voters).astype(np.float32)
    nc_status_cd = np.array([s[0] for s in NC_STATUSES])[nc_status]
    turnout[is_nc & np.isin(nc_status_cd, ["I", "R"])] *= 0.5
    turnout[is_nc & (nc_status_cd == "D")] = 0
    turnout[~is_nc & (fl_status == FL_INACTIVE)] *= 0.5

    has_phone_rate = np.where(is_nc, HAS_PHONE["NC"], HAS_PHONE["FL"])
    voter_phones = phones.voter_phones(
        rng_for(seed, "phones"), [c.area_codes for c in ALL_COUNTIES], county, has_phone_rate, head_of
    )

    id_rng = rng_for(seed, "identifiers")
    state_id = np.concatenate([
        scrambled_ids(nc_count, 10 ** max(NCID_MIN_DIGITS, len(str(nc_count))), id_rng),
        100_000_000 + scrambled_ids(fl_count, 10**8, id_rng),  # FL voter ids have nine digits
    ])
    registration_number = scrambled_ids(voters, 10**9, id_rng)

    return Population(
        size=voters, nc_count=nc_count, county=county, place=place, sex=sex,
        hispanic=hispanic, first_name=first_name, middle_name=middle_name, last_name=last_name.astype(np.int32),
        suffix=suffix, birth_day=birth_day, registration_day=registration_day, status=status, party=party,
        race=race, precinct=precinct, house_number=house_number, street=street, street_type=street_type,
        street_direction=street_direction, unit=unit, phone=voter_phones,
        confidential=rng.random(voters) < CONFIDENTIAL, turnout=turnout, state_id=state_id,
        registration_number=registration_number,
    )

"""Vote history: NC `ncvhis<county_id>.txt` (tab, header, 15 columns) and FL
`<CTY>_H_<YYYYMMDD>.txt` (tab, no header, 5 columns).

Who voted in which election is drawn as a voters x elections matrix per county; np.nonzero
then yields the rows already ordered by voter and election. Long history lines are built from
pre-joined per-voter and per-election segments, so each row costs a few takes and one join.
"""

from __future__ import annotations

import datetime as dt
import pathlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from assets.ingest.layouts import NC_VOTE_HISTORY_COLUMNS

from .elections import Election
from .nc_voters import ncids, precinct_columns
from .places import ALL_COUNTIES, FL_NON_VOTER_REPORTING_COUNTY
from .population import NC_PARTIES, Population
from .randomness import rng_for, weighted_choice
from .textio import (
    LineFile, damage_lines, join_fields, malformed_positions, numbers, pick, positions_within, strings,
)
from .timefmt import YEAR_DAYS, day_number

# NC relabelled its voting methods; recent elections use the new names, and the switch left
# some voters with one row under each label for the same election.
NC_METHODS_OLD = ("IN-PERSON", "ABSENTEE ONESTOP", "ABSENTEE BY MAIL", "CURBSIDE", "ABSENTEE CURBSIDE",
                  "PROVISIONAL", "TRANSFER")
NC_METHODS_NEW = ("ELECTION DAY IN-PERSON", "EARLY VOTING IN-PERSON", "ABSENTEE BY MAIL", "CURBSIDE",
                  "ABSENTEE CURBSIDE", "PROVISIONAL", "TRANSFER")
IN_PERSON = (0, 1)  # election day and early voting: the labels that changed
GENERAL_METHOD_WEIGHTS = (45, 42, 9, 1, 1, 1.5, 0.5)
OTHER_METHOD_WEIGHTS = (62, 30, 5, 1, 0.5, 1, 0.5)
RELABELLED_YEARS_BEFORE_AS_OF = 4
RELABEL_DUPLICATE_SHARE = 0.02  # of in-person rows
# Indices in NC_PARTIES: unaffiliated voters pick a Democratic or Republican primary ballot.
DEMOCRATIC, REPUBLICAN, UNAFFILIATED = 0, 1, 2
# Rows built at once: bounds memory for the largest counties.
CHUNK_ROWS = 500_000

# FL history codes: A mail, E early, Y at the polls, B mail ballot not counted,
# P provisional not counted, N did not vote (only some counties report it).
FL_CODES = ("A", "E", "Y", "B", "P", "N")
FL_CODE_WEIGHTS = (30, 33, 35.5, 0.9, 0.6)
FL_DID_NOT_VOTE = 5


@dataclass
class CountyVotes:
    """Rows of one county file: positions into `voters`, the election and a method/code."""

    county_index: int
    voters: np.ndarray
    voter_row: np.ndarray
    election: np.ndarray
    method: np.ndarray


def _votes(pop: Population, voters: np.ndarray, elections: list[Election], rng: np.random.Generator):
    """(voted, eligible) boolean matrices, voters x elections."""
    days = np.array([day_number(e.day) for e in elections])
    adult_on = pop.birth_day[voters] + int(18 * YEAR_DAYS)
    eligible = (pop.registration_day[voters][:, None] <= days) & (adult_on[:, None] <= days)
    chance = pop.turnout[voters][:, None] * np.array([e.turnout for e in elections], dtype=np.float32)
    voted = eligible & (rng.random((len(voters), len(elections)), dtype=np.float32) < chance)
    return voted, eligible


def _nc_methods(elections: list[Election], election: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """More early voting in general elections than in primaries and municipal ones."""
    general = np.array([e.nc_desc == "GENERAL" for e in elections])[election]
    return np.where(
        general,
        weighted_choice(rng, GENERAL_METHOD_WEIGHTS, len(election)),
        weighted_choice(rng, OTHER_METHOD_WEIGHTS, len(election)),
    )


def _plan(pop: Population, state: str, elections: list[Election], rng: np.random.Generator) -> list[CountyVotes]:
    plans = []
    for county_index, county in enumerate(ALL_COUNTIES):
        if county.state != state:
            continue
        voters = pop.in_county(county_index)
        voted, eligible = _votes(pop, voters, elections, rng)
        reports_non_voters = county.code == FL_NON_VOTER_REPORTING_COUNTY
        voter_row, election = np.nonzero(eligible if reports_non_voters else voted)
        if state == "FL":
            method = weighted_choice(rng, FL_CODE_WEIGHTS, len(voter_row))
        else:
            method = _nc_methods(elections, election, rng)
        if reports_non_voters:
            method[~voted[voter_row, election]] = FL_DID_NOT_VOTE
        plans.append(CountyVotes(county_index, voters, voter_row, election, method.astype(np.int8)))
    return plans


def _with_relabel_duplicates(plan: CountyVotes, relabelled: np.ndarray, rng: np.random.Generator):
    """Repeat some in-person rows; the repeat carries the other era's label."""
    in_person = np.isin(plan.method, IN_PERSON)
    repeat = in_person & (rng.random(len(plan.method)) < RELABEL_DUPLICATE_SHARE)
    order = np.repeat(np.arange(len(plan.method)), 1 + repeat)
    second = np.zeros(len(order), dtype=bool)
    second[1:] = order[1:] == order[:-1]
    new_era = relabelled[plan.election[order]] ^ second
    label = np.where(new_era, len(NC_METHODS_OLD), 0) + plan.method[order]
    return order, label


def write_nc_history(
    folder: pathlib.Path, pop: Population, elections: list[Election], as_of: dt.date, seed: int
) -> tuple[int, int]:
    """One ncvhis<county_id>.txt per NC county; returns (rows, malformed lines)."""
    rng = rng_for(seed, "nc_history")
    nc_elections = [e for e in elections if e.nc_desc]
    plans = _plan(pop, "NC", nc_elections, rng)
    relabelled = np.array([e.day.year > as_of.year - RELABELLED_YEARS_BEFORE_AS_OF for e in nc_elections])
    expanded = [_with_relabel_duplicates(plan, relabelled, rng) for plan in plans]
    damaged = malformed_positions(rng, sum(len(order) for order, _ in expanded))

    election_segment = strings(f"{e.day:%m/%d/%Y}\t{e.day:%m/%d/%Y} {e.nc_desc}" for e in nc_elections)
    labels = NC_METHODS_OLD + NC_METHODS_NEW
    method_segment = strings(f"{label}\t{code}\t{desc}" for label in labels for code, desc, _ in NC_PARTIES)
    primary = np.array(["PRIMARY" in e.nc_desc for e in nc_elections])

    rows = 0
    for plan, (order, label) in zip(plans, expanded):
        if len(order) == 0:
            continue
        county = ALL_COUNTIES[plan.county_index]
        voters = plan.voters
        precincts = precinct_columns(pop, voters)
        head = join_fields([
            pa.repeat(county.code, len(voters)), pa.repeat(county.name, len(voters)),
            numbers(pop.registration_number[voters], 12),
        ], "\t")
        tail = join_fields([
            precincts["precinct_abbrv"], precincts["precinct_desc"], ncids(pop, voters),
            pa.repeat(county.code, len(voters)), pa.repeat(county.name, len(voters)),
            precincts["vtd_abbrv"], precincts["vtd_desc"],
        ], "\t")
        voter_row = plan.voter_row[order]
        election = plan.election[order]
        party = pop.party[voters][voter_row].astype(np.int64)
        # One draw per original row, so a relabel duplicate keeps its party ballot.
        ballot = np.where(rng.random(len(plan.method)) < 0.55, DEMOCRATIC, REPUBLICAN)[order]
        party = np.where(primary[election] & (party == UNAFFILIATED), ballot, party)
        method = label * len(NC_PARTIES) + party
        with LineFile(folder / f"ncvhis{county.code}.txt", "\t".join(NC_VOTE_HISTORY_COLUMNS)) as out:
            for start in range(0, len(order), CHUNK_ROWS):
                chunk = slice(start, start + CHUNK_ROWS)
                take_voter = pa.array(voter_row[chunk])
                lines = join_fields([
                    head.take(take_voter), election_segment.take(pa.array(election[chunk])),
                    method_segment.take(pa.array(method[chunk])), tail.take(take_voter),
                ], "\t")
                out.write(damage_lines(lines, positions_within(damaged, rows + start, len(lines)), rng))
        rows += len(order)
    return rows, len(damaged)


def write_fl_history(
    folder: pathlib.Path, pop: Population, elections: list[Election], extract_day: dt.date, seed: int
) -> tuple[int, int]:
    """One <CTY>_H_<YYYYMMDD>.txt per FL county; returns (rows, malformed lines)."""
    rng = rng_for(seed, "fl_history")
    fl_elections = [e for e in elections if e.fl_type]
    plans = _plan(pop, "FL", fl_elections, rng)
    damaged = malformed_positions(rng, sum(len(plan.voter_row) for plan in plans))
    election_segment = strings(f"{e.day:%m/%d/%Y}\t{e.fl_type}" for e in fl_elections)

    rows = 0
    for plan in plans:
        if len(plan.voter_row) == 0:
            continue
        county = ALL_COUNTIES[plan.county_index]
        voter = join_fields([pa.repeat(county.code, len(plan.voters)), numbers(pop.state_id[plan.voters])], "\t")
        lines = join_fields([
            voter.take(pa.array(plan.voter_row)), election_segment.take(pa.array(plan.election)),
            pick(FL_CODES, plan.method),
        ], "\t")
        count = len(plan.voter_row)
        local = positions_within(damaged, rows, count)
        with LineFile(folder / f"{county.code}_H_{extract_day:%Y%m%d}.txt") as out:
            out.write(damage_lines(lines, local, rng))
        rows += count
    return rows, len(damaged)

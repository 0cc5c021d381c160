"""`outreach generate`: a synthetic inbox in the real source formats (CONTRACT section 2).

Every source is drawn from one synthetic population, so opt-outs, consents, DNC entries and
survey ids mostly point at generated voters. Output is byte-identical for the same
(voters, seed, as_of).
"""

from __future__ import annotations

import datetime
import pathlib
from collections.abc import Callable
from zoneinfo import ZoneInfo

from .consent_sources import write_consents, write_line_types, write_rnd
from .dnc import write_dnc
from .donations import write_donations
from .elections import elections_before
from .fl_voters import write_fl_voters
from .heartbeat import Heartbeat
from .history import write_fl_history, write_nc_history
from .nc_voters import write_nc_voters
from .population import build_population
from .randomness import rng_for
from .suppression_sources import write_contact_history, write_inbound_sms, write_opt_outs
from .surveys import write_surveys
from .timefmt import EASTERN, day_number
from .volunteers import write_volunteers

MIN_VOTERS = 100
# Lists what a previous run wrote, so a re-run may replace a synthetic inbox but never
# touches a directory holding anything else.
MANIFEST = ".synthetic-inbox"

__all__ = ["generate_inbox"]


def generate_inbox(
    out: pathlib.Path,
    voters: int,
    seed: int,
    as_of: datetime.datetime,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write a synthetic inbox under `out` in the real formats; return row counts per folder.

    Keys are the inbox folders (`voters`, `vote_history`, `donations`, `volunteers` (attendances),
    `dnc` (lines of every list), `opt_outs`, `inbound_sms`, `consents`, `line_types`, `rnd`,
    `contact_history`, `surveys`) plus `files` (files written) and `malformed_lines` (tab-file
    lines given a wrong field count on purpose). Raises FileExistsError when `out` holds
    anything but a previous synthetic inbox.
    """
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    if voters < MIN_VOTERS:
        raise ValueError(f"voters must be at least {MIN_VOTERS}")
    report = progress or (lambda message: None)
    out = pathlib.Path(out)
    _clear_previous_inbox(out)

    # Long steps at ten million voters: a line every few seconds says what is being written.
    with Heartbeat(out, report) as beat:
        as_of_seconds = int(as_of.timestamp())
        as_of_date = as_of.astimezone(ZoneInfo(EASTERN)).date()
        as_of_day = day_number(as_of_date)
        population = build_population(voters, seed, as_of_day)
        report(f"population: {voters:,} voters drawn")
        beat.step = "voters"
        # The Florida disk is cut a few days before as-of; its files carry that date.
        fl_extract = as_of_date - datetime.timedelta(days=int(rng_for(seed, "fl_extract").integers(3, 13)))
        elections = elections_before(as_of_date)

        counts: dict[str, int] = {}

        def done(folder: str, rows: int, what: str = "rows") -> None:
            counts[folder] = rows
            report(f"{folder}: {rows:,} {what} written")
            beat.step = f"the folders after {folder}"

        nc_rows, nc_malformed = write_nc_voters(out / "voters", population, as_of_date.year, seed)
        fl_rows, fl_malformed = write_fl_voters(out / "voters", population, fl_extract, seed)
        done("voters", nc_rows + fl_rows)
        nc_history, nc_history_malformed = write_nc_history(out / "vote_history", population, elections, as_of_date, seed)
        fl_history, fl_history_malformed = write_fl_history(out / "vote_history", population, elections, fl_extract, seed)
        done("vote_history", nc_history + fl_history)
        malformed = nc_malformed + fl_malformed + nc_history_malformed + fl_history_malformed
        done("donations", write_donations(out / "donations", population, as_of_seconds, seed))
        done("volunteers", write_volunteers(out / "volunteers", population, as_of_seconds, seed), "attendances")
        done("dnc", write_dnc(out / "dnc", population, as_of_day, seed), "lines")
        done("opt_outs", write_opt_outs(out / "opt_outs", population, as_of_seconds, seed))
        done("inbound_sms", write_inbound_sms(out / "inbound_sms", population, as_of_seconds, seed))
        rows, consents = write_consents(out / "consents", population, as_of_seconds, seed)
        done("consents", rows)
        done("rnd", write_rnd(out / "rnd", consents, as_of_seconds, seed))
        done("line_types", write_line_types(out / "line_types", population, as_of_seconds, seed))
        done("contact_history", write_contact_history(out / "contact_history", population, consents, as_of_seconds, seed))
        done("surveys", write_surveys(out / "surveys", population, as_of_seconds, seed))

    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != MANIFEST)
    (out / MANIFEST).write_text("".join(f"{name}\n" for name in written), encoding="utf-8")
    counts["files"] = len(written)
    counts["malformed_lines"] = malformed
    report(f"inbox: {len(written)} files, {malformed} deliberately malformed lines")
    return counts


def _clear_previous_inbox(out: pathlib.Path) -> None:
    if not out.exists() or not any(out.iterdir()):
        return
    manifest = out / MANIFEST
    if not manifest.is_file():
        raise FileExistsError(f"{out} is not empty and was not written by `outreach generate`")
    for name in manifest.read_text(encoding="utf-8").splitlines():
        (out / name).unlink(missing_ok=True)
    manifest.unlink()
    for folder in sorted((p for p in out.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    if any(out.iterdir()):
        raise FileExistsError(f"{out} holds files a previous `outreach generate` did not write")

"""Export profiles: a published list in the import format of the tool that will dial or text it.

Pure functions over pyarrow tables, no Dagster and no per-row Python, so the publish step and
the API server render the same bytes from a version's `profile_source.parquet`. Each profile
carries only the fields its tool needs (data minimization): never an address, a ZIP only
where the tool sets quiet hours from it. docs/export_profiles.md explains every column."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

# contacts.csv and contacts.parquet carry exactly these, in this order (CONTRACT section 7).
CONTACT_COLUMNS = [
    "contact_id", "phone_e164", "first_name", "last_name", "state", "timezone",
    "window_start_local", "window_end_local", "segment", "score",
]
# profile_source.parquet: every field any profile reads, so a profile can be rendered later
# (by the API) without the warehouse.
SOURCE_COLUMNS = [
    "contact_id", "phone_e164", "first_name", "last_name", "state", "zip5", "voter_id", "timezone",
    "window_start_local", "window_end_local", "segment", "score",
]
# Not text, or a phone kept as the dialer needs it; every other cell is formula-neutralized.
UNNEUTRALIZED_SOURCE_COLUMNS = ("phone_e164", "score")
SMS_CHANNELS = ("p2p_sms", "automated_sms")

# A spreadsheet runs a cell starting with one of these as a formula (CONTRACT section 7).
_FORMULA_START = r"^[=+\-@\t\r]"


@dataclass(frozen=True)
class Column:
    header: str                 # the name the tool's importer looks for
    source: str                 # the profile_source column it comes from
    transform: str = "copy"     # copy | title | national_phone
    fill: str | None = None     # written where the source is null or empty


@dataclass(frozen=True)
class Profile:
    name: str
    tool: str
    columns: tuple[Column, ...]
    max_rows: int | None = None                 # rows per file; None: one file
    channels: tuple[str, ...] | None = None     # effective channels it may carry; None: any
    required_sources: tuple[str, ...] = ()      # rows lacking one of these are left out

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]


def _copy(*names: str) -> tuple[Column, ...]:
    return tuple(Column(name, name) for name in names)


# The window the list was decided with (policy window, state overrides, unknown-zone
# fallback) is often narrower than a tool's own quiet hours, so the texting and calling
# profiles carry it as plain custom fields for whoever schedules the campaign.
_WINDOW = _copy("timezone", "window_start_local", "window_end_local")

PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile("outreach", "any dialer reading contacts.csv", _copy(*CONTACT_COLUMNS)),
        # Spoke src/lib/parse_csv.js: firstName, lastName and cell are required, zip and
        # external_id optional, every other header becomes a custom field. Without
        # PHONE_NUMBER_COUNTRY a cell must carry its country code, hence E.164. Spoke sets
        # each contact's texting hours from the ZIP (no ZIP: 12pm-9pm Eastern), so it is carried.
        Profile(
            "spoke", "Spoke contact CSV upload",
            (Column("firstName", "first_name", "title"), Column("lastName", "last_name", "title"),
             Column("cell", "phone_e164"), Column("zip", "zip5"), Column("external_id", "contact_id"), *_WINDOW),
            channels=SMS_CHANNELS,
        ),
        # ThruText group upload: first name, last name and phone number are required and a row
        # missing one is not uploaded, so empty names get its documented placeholder; the
        # wizard's country step makes a 10-digit number unambiguous. 50,000 rows per group.
        # ThruText's hours follow the campaign's zone, not the contact's, so no ZIP.
        Profile(
            "thrutext", "ThruText group CSV upload",
            (Column("first name", "first_name", "title", fill="Friend"),
             Column("last name", "last_name", "title", fill="Unknown"),
             Column("phone", "phone_e164", "national_phone"), *_WINDOW),
            max_rows=50_000, channels=SMS_CHANNELS,
        ),
        # CallHub phonebook import: the phone number (with country code, as its API takes it)
        # first, then names; extra columns map to custom fields or are skipped.
        Profile(
            "callhub", "CallHub phonebook CSV import",
            (Column("phone number", "phone_e164"), Column("first name", "first_name"),
             Column("last name", "last_name"), *_WINDOW),
        ),
        # VAN bulk upload matches people by an id. We hold no VANID, so the state voter-file id
        # (NC ncid, Florida voter id) goes in, with the state whose VAN it belongs to; a row
        # without one (a donor or volunteer who matched no voter) cannot be applied and is left out.
        Profile(
            "van_bulk", "VAN / VoteBuilder bulk upload (phones)",
            (Column("State File ID", "voter_id"), Column("State", "state"),
             Column("Phone Number", "phone_e164", "national_phone")),
            required_sources=("voter_id",),
        ),
    )
}
PROFILE_NAMES: tuple[str, ...] = tuple(PROFILES)


def profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown export profile '{name}' (expected one of {', '.join(PROFILE_NAMES)})") from None


def profile_columns(name: str) -> list[str]:
    """The header of the profile's files, in order."""
    return profile(name).headers


def profile_max_rows(name: str) -> int | None:
    """Rows per file for the profile; None: one file whatever the size."""
    return profile(name).max_rows


def profile_allows_channel(name: str, effective_channel: str) -> bool:
    """False when the profile's tool would send on a channel the list was not decided for
    (a texting tool fed a call list would text landlines and numbers without SMS clearance)."""
    channels = profile(name).channels
    return channels is None or effective_channel in channels


def neutralize(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Prefix `'` to text a spreadsheet would run as a formula. Idempotent: a neutralized
    cell starts with `'`."""
    text = pc.cast(values, pa.string())
    return pc.if_else(pc.match_substring_regex(text, _FORMULA_START), pc.binary_join_element_wise("'", text, ""), text)


def _title(values):
    """Title case for names typed all upper or all lower ('LORI', "o'brien"); a name already
    in mixed case (McDonald, DeShawn) is kept as written."""
    one_case = pc.or_(pc.equal(values, pc.utf8_upper(values)), pc.equal(values, pc.utf8_lower(values)))
    return pc.if_else(one_case, pc.utf8_title(values), values)


def _national(values):
    return pc.if_else(pc.starts_with(values, "+1"), pc.utf8_slice_codeunits(values, 2), values)


def render_profile(source: pa.Table, name: str) -> pa.Table:
    """The rows of `source` (profile_source columns; extra columns ignored) in profile `name`'s
    columns and spellings, in source order."""
    spec = profile(name)
    needed = {column.source for column in spec.columns} | set(spec.required_sources)
    missing = sorted(needed - set(source.column_names))
    if missing:
        raise ValueError(f"profile '{name}' needs source column(s) {', '.join(missing)}")
    for required in spec.required_sources:
        present = pc.and_(pc.is_valid(source[required]), pc.not_equal(pc.cast(source[required], pa.string()), ""))
        source = source.filter(pc.fill_null(present, False))
    arrays = []
    for column in spec.columns:
        values = source[column.source]
        if column.source not in UNNEUTRALIZED_SOURCE_COLUMNS:
            values = neutralize(values)
        if column.transform == "title":
            values = _title(values)
        elif column.transform == "national_phone":
            values = _national(pc.cast(values, pa.string()))
        if column.fill is not None:
            empty = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(values), ""), True)
            values = pc.if_else(empty, pa.scalar(column.fill, pa.string()), values)
        arrays.append(values)
    return pa.Table.from_arrays(arrays, names=spec.headers)


def _file_entry(path: Path, rows: int) -> dict:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"name": path.name, "rows": rows, "sha256": digest.hexdigest(), "bytes": path.stat().st_size}


def part_names(name: str, rows: int, limit: int | None) -> list[str]:
    if limit is None or rows <= limit:
        return [f"{name}.csv"]
    return [f"{name}.part-{index + 1:03d}.csv" for index in range(-(-rows // limit))]


def write_profile_parts(table: pa.Table, name: str, folder: Path, max_rows: int | None = None) -> list[dict]:
    """Write a rendered table as `<name>.csv`, or as `<name>.part-001.csv`... of at most the
    profile's row limit (or `max_rows`) each; returns [{name, rows, sha256, bytes}] in order.
    A table with no rows still gets one file holding the header."""
    limit = profile(name).max_rows if max_rows is None else max_rows
    if limit is not None and limit < 1:
        raise ValueError(f"max_rows must be at least 1, not {limit}")
    folder = Path(folder)
    parts = []
    for index, file_name in enumerate(part_names(name, table.num_rows, limit)):
        chunk = table if limit is None else table.slice(index * limit, limit)
        path = folder / file_name
        pacsv.write_csv(chunk, path)
        parts.append(_file_entry(path, chunk.num_rows))
    return parts


def export_profile(source: pa.Table, name: str, folder: Path, max_rows: int | None = None) -> dict:
    """Render and write one profile: the manifest's `exports` entry {columns, parts}."""
    rendered = render_profile(source, name)
    return {"columns": rendered.column_names, "parts": write_profile_parts(rendered, name, folder, max_rows)}

"""Export profiles: published lists in the formats of the tools that dial and text them."""

from .profiles import (
    CONTACT_COLUMNS,
    PROFILE_NAMES,
    PROFILES,
    SOURCE_COLUMNS,
    export_profile,
    profile_allows_channel,
    profile_max_rows,
    profile_columns,
    render_profile,
    write_profile_parts,
)

__all__ = [
    "CONTACT_COLUMNS", "PROFILES", "PROFILE_NAMES", "SOURCE_COLUMNS", "export_profile", "profile_max_rows",
    "profile_allows_channel", "profile_columns", "render_profile", "write_profile_parts",
]

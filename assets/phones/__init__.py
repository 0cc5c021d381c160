"""Phone reference data for SQL: `metadata_compiler` turns phonenumbers' metadata into exact
validity classes, `reference_tables` writes them (and area codes, ZIP codes) as `ref.*`,
`asset` is the Dagster asset. Importing the package does not import Dagster."""

from .metadata_compiler import (
    DigitDiagrams,
    MetadataAssumptionError,
    UniformBlock,
    check_parsing_assumptions,
    classify_ten_digit_numbers,
    nanp_regions,
)
from .reference_tables import (
    REFERENCE_TABLES,
    build_reference_tables,
    cache_key,
    clean_time_zone,
    state_from_description,
)

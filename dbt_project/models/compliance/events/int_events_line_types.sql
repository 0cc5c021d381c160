-- Line-type look-ups from line_types/ whose time can be read. One whose time cannot be read is
-- in int_events_line_types_undated: apart, so that this table, millions of rows, does not read
-- the as-of and a run at a new as-of leaves it as it is.
select
    line_types.phone_e164,
    line_types.checked_at as event_at,
    'line_type_check' as event_type,
    line_types.line_type as detail,
    cast(null as string) as caller_entity,
    cast(null as date) as consent_date,
    line_types.source_file,
    line_types.source_line
from {{ ref('stg_line_types') }} as line_types
where line_types.phone_e164 is not null and line_types.checked_at is not null

-- Line-type look-ups from line_types/ whose time cannot be read. Fail closed: such an answer
-- may be the newest, and what it says cannot be placed in time, so it is the answer `unknown`
-- at as-of. A few rows, rebuilt at every as-of (int_events_line_types holds the rest).
select
    line_types.phone_e164,
    run.as_of as event_at,
    'line_type_check' as event_type,
    'unknown' as detail,
    cast(null as string) as caller_entity,
    cast(null as date) as consent_date,
    line_types.source_file,
    line_types.source_line
from {{ ref('stg_line_types') }} as line_types
cross join {{ ref('int_run') }} as run
where line_types.phone_e164 is not null and line_types.checked_at is null

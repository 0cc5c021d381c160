-- Line-type look-ups from line_types/ whose time cannot be read. Fail closed: such an answer
-- may be the newest, and what it says cannot be placed in time, so it is the answer `unknown`
-- at as-of. A few rows, rebuilt at every as-of from int_line_types_undated (int_events_line_types
-- holds the rest).
select
    undated.phone_e164,
    run.as_of as event_at,
    'line_type_check' as event_type,
    'unknown' as detail,
    cast(null as string) as caller_entity,
    cast(null as date) as consent_date,
    undated.source_file,
    undated.source_line
from {{ ref('int_line_types_undated') }} as undated
cross join {{ ref('int_run') }} as run

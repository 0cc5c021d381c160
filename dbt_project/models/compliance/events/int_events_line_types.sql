-- Line-type look-ups from line_types/. Fail closed: an answer whose time cannot be read may be
-- the newest, and what it says cannot be placed in time, so it is the answer `unknown` at as-of.
select
    line_types.phone_e164,
    coalesce(line_types.checked_at, run.as_of) as event_at,
    'line_type_check' as event_type,
    case when line_types.checked_at is null then 'unknown' else line_types.line_type end as detail,
    cast(null as string) as caller_entity,
    cast(null as date) as consent_date,
    line_types.source_file,
    line_types.source_line
from {{ ref('stg_line_types') }} as line_types
cross join {{ ref('int_run') }} as run
where line_types.phone_e164 is not null

-- The line-type look-ups from line_types/ whose time cannot be read: the one scan of every
-- answer that finds them, without the as-of, so a run at a new as-of reuses it and
-- int_events_line_types_undated dates only these few rows at the as-of.
select line_types.phone_e164, line_types.source_file, line_types.source_line
from {{ ref('stg_line_types') }} as line_types
where line_types.phone_e164 is not null and line_types.checked_at is null

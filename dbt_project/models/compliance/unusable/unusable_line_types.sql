select 'line_types' as source, source_file, source_line,
    case when phone_e164 is null then 'phone is not a valid NANP number'
         when checked_at is null then 'checked_at is not a readable time, or is later than the line was first read (counts as unknown)'
         else 'line_type is not a known value (counts as unknown)' end as reason
from {{ ref('stg_line_types') }}
where phone_e164 is null or checked_at is null or not is_known_line_type

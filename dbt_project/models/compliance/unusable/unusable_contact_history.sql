select 'contact_history' as source, source_file, source_line,
    case when phone_e164 is null then 'phone is not a valid NANP number' else 'attempted_at is not a readable time, or is later than the line was first read' end as reason
from {{ ref('stg_contact_history') }}
where phone_e164 is null or attempted_at is null

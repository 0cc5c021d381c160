select 'rnd' as source, source_file, source_line,
    case when phone_e164 is null then 'phone is not a valid NANP number'
         when queried_at is null or consent_date is null then 'consent_date or queried_at is not readable, or is later than the line was first read'
         else 'result is not yes, no or no_data' end as reason
from {{ ref('stg_rnd') }}
where phone_e164 is null or queried_at is null or consent_date is null
   or result is null or result not in ('yes', 'no', 'no_data')

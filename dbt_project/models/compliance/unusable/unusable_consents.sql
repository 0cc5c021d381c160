select 'consents' as source, source_file, source_line,
    case when phone_e164 is null then 'phone is not a valid NANP number'
         when consented_at is null then 'consented_at is not a readable time'
         else 'scope is not prerecorded_voice, autodialed_voice, sms or all' end as reason
from {{ ref('stg_consents') }}
where phone_e164 is null or consented_at is null
   or scope is null or scope not in ('prerecorded_voice', 'autodialed_voice', 'sms', 'all')

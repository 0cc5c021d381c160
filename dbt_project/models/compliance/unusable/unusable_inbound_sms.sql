select 'inbound_sms' as source, source_file, source_line, 'phone is not a valid NANP number' as reason
from {{ ref('stg_inbound_sms') }}
where phone_e164 is null

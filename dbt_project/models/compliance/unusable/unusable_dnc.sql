select 'dnc' as source, source_file, source_line, 'phone is not a valid NANP number' as reason
from {{ ref('stg_dnc_entries') }}
where phone_e164 is null

select 'opt_outs' as source, source_file, source_line, 'phone is not a valid NANP number' as reason
from {{ ref('stg_opt_outs') }}
where phone_e164 is null

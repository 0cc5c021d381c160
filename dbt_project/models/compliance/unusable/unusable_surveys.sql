select 'surveys' as source, source_file, source_line, 'neither ncid nor a valid phone identifies the person' as reason
from {{ ref('stg_surveys') }}
where voter_key is null and phone_e164 is null

-- Reassigned Numbers Database answers from rnd/, for the consent date they were asked about.
select phone_e164, queried_at as event_at, 'rnd_answer' as event_type, result as detail,
    cast(null as string) as caller_entity, consent_date, source_file, source_line
from {{ ref('stg_rnd') }}
where phone_e164 is not null

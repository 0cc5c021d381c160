-- Fail closed (C07): an unreadable line is read at as-of, later than anything it could undo.
-- One of consents/ may be a revocation: it revokes every consent of its numbers. One of
-- line_types/ may be a newer answer: `unknown` (counted as wireless). One of rnd/ may be a
-- newer answer (`yes`: reassigned) for any consent date: `unreadable`, with no consent date,
-- which int_consent_checks applies to every consent of the number.
select
    quarantined.phone_e164,
    run.as_of as event_at,
    case quarantined.source
        when 'consents' then 'consent_revoked'
        when 'line_types' then 'line_type_check'
        else 'rnd_answer'
    end as event_type,
    case quarantined.source
        when 'consents' then 'all'
        when 'line_types' then 'unknown'
        else 'unreadable'
    end as detail,
    case when quarantined.source = 'consents' then run.caller_entity end as caller_entity,
    cast(null as date) as consent_date,
    quarantined.source_file,
    quarantined.source_line
from {{ ref('int_quarantined_numbers') }} as quarantined
cross join {{ ref('int_run') }} as run
where quarantined.source in ('consents', 'line_types', 'rnd')

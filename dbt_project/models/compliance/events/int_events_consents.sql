-- Consents and their revocations from consents/.
with consents as (
    select * from {{ ref('stg_consents') }} where phone_e164 is not null
),

consent_given as (
    select phone_e164, consented_at as event_at, 'consent_given' as event_type, scope as detail,
        caller_entity, consented_at::date as consent_date, source_file, source_line
    from consents
),

consent_revoked as (
    -- A revocation revokes its own consent even when dated before it; one that is written but
    -- unreadable takes effect with the consent itself (ties go to the revocation), and one on a
    -- row of its own with no readable time has none: int_consent_checks puts it at as-of. A
    -- revocation whose scope is not one of the four (blank, `SMS/Voice`, `text messages`)
    -- revokes every scope: until the person says which, it covers all (FCC 24-24).
    select phone_e164,
        case when revoked_at is not null and consented_at is not null then greatest(revoked_at, consented_at)
             else coalesce(revoked_at, consented_at) end as event_at,
        'consent_revoked' as event_type,
        case when scope in ('prerecorded_voice', 'autodialed_voice', 'sms', 'all') then scope else 'all' end as detail,
        caller_entity, consented_at::date as consent_date, source_file, source_line
    from consents
    where revoked_at is not null or has_unreadable_revocation
)

select * from consent_given
union all select * from consent_revoked

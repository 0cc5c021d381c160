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
    -- unreadable takes effect with the consent itself. (Ties go to the revocation.)
    select phone_e164, greatest(coalesce(revoked_at, consented_at), consented_at) as event_at,
        'consent_revoked' as event_type, scope as detail,
        caller_entity, consented_at::date as consent_date, source_file, source_line
    from consents
    where revoked_at is not null or has_unreadable_revocation
)

select * from consent_given
union all select * from consent_revoked

-- Consents in force at as-of for the configured caller entity (CONTRACT rule 4): the valid
-- ones of int_consent_checks (latest consent or revocation event per number and scope, cleared
-- by a usable RND answer `no` for its date (R15, R16), no wrong number after it (R28)).
with checks as (
    select * from {{ ref('int_consent_checks') }}
),

final as (
    select phone_e164, scope, consented_at, source_file, source_line
    from checks
    where is_valid
)

select * from final

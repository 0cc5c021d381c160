-- Consents valid at as-of for the configured caller entity (CONTRACT rule 4, R15 to R17, R28).
with consents as (
    select * from {{ ref('stg_consents') }}
),

run as (
    select * from {{ ref('int_run') }}
),

latest_rnd as (
    select rnd.phone_e164, rnd.consent_date, arg_max(rnd.result, rnd.queried_at) as result
    from {{ ref('stg_rnd') }} as rnd
    cross join run
    where rnd.queried_at <= run.as_of
    group by rnd.phone_e164, rnd.consent_date
),

wrong_numbers as (
    select phone_e164, attempted_at
    from {{ ref('stg_contact_history') }}
    where disposition = 'wrong_number'
),

final as (
    select
        consents.phone_e164,
        consents.scope,
        consents.consented_at,
        consents.source_file,
        consents.source_line
    from consents
    cross join run
    left join latest_rnd
        on latest_rnd.phone_e164 = consents.phone_e164
        and latest_rnd.consent_date = consents.consented_at::date
    where consents.phone_e164 is not null
      and lower(trim(consents.caller_entity)) = lower(trim(run.caller_entity))
      and consents.scope in ('prerecorded_voice', 'autodialed_voice', 'sms', 'all')
      and consents.consented_at <= run.as_of
      and not consents.has_unreadable_revocation
      and (consents.revoked_at is null or consents.revoked_at > run.as_of)
      and latest_rnd.result = 'no'
      and not exists (
          select 1 from wrong_numbers
          where wrong_numbers.phone_e164 = consents.phone_e164
            and (wrong_numbers.attempted_at is null or wrong_numbers.attempted_at >= consents.consented_at)
      )
)

select * from final

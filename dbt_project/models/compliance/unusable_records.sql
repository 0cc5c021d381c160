-- Records that were read but cannot be used, with the reason: nothing is dropped silently.
-- (Lines that could not be read at all are in raw.quarantine.)
with opt_outs as (
    select 'opt_outs' as source, source_file, source_line, 'phone is not a valid NANP number' as reason
    from {{ ref('stg_opt_outs') }} where phone_e164 is null
),

inbound_sms as (
    select 'inbound_sms', source_file, source_line, 'phone is not a valid NANP number'
    from {{ ref('stg_inbound_sms') }} where phone_e164 is null
),

consents as (
    select 'consents', source_file, source_line,
        case when phone_e164 is null then 'phone is not a valid NANP number'
             when consented_at is null then 'consented_at is not a readable time'
             else 'scope is not prerecorded_voice, autodialed_voice, sms or all' end
    from {{ ref('stg_consents') }}
    where phone_e164 is null or consented_at is null
       or scope is null or scope not in ('prerecorded_voice', 'autodialed_voice', 'sms', 'all')
),

line_types as (
    select 'line_types', source_file, source_line,
        case when phone_e164 is null then 'phone is not a valid NANP number'
             when checked_at is null then 'checked_at is not a readable time'
             else 'line_type is not a known value (counts as unknown)' end
    from {{ ref('stg_line_types') }}
    where phone_e164 is null or checked_at is null or not is_known_line_type
),

rnd as (
    select 'rnd', source_file, source_line,
        case when phone_e164 is null then 'phone is not a valid NANP number'
             when queried_at is null or consent_date is null then 'consent_date or queried_at is not readable'
             else 'result is not yes, no or no_data' end
    from {{ ref('stg_rnd') }}
    where phone_e164 is null or queried_at is null or consent_date is null
       or result is null or result not in ('yes', 'no', 'no_data')
),

contact_history as (
    select 'contact_history', source_file, source_line,
        case when phone_e164 is null then 'phone is not a valid NANP number' else 'attempted_at is not a readable time' end
    from {{ ref('stg_contact_history') }}
    where phone_e164 is null or attempted_at is null
),

dnc as (
    select 'dnc', source_file, source_line, 'phone is not a valid NANP number'
    from {{ ref('stg_dnc_entries') }} where phone_e164 is null
),

surveys as (
    select 'surveys', source_file, source_line, 'neither ncid nor a valid phone identifies the person'
    from {{ ref('stg_surveys') }} where voter_key is null and phone_e164 is null
),

final as (
    select * from opt_outs
    union all select * from inbound_sms
    union all select * from consents
    union all select * from line_types
    union all select * from rnd
    union all select * from contact_history
    union all select * from dnc
    union all select * from surveys
)

select * from final

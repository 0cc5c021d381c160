-- Every opt-out in force at as-of, whatever its channel (R09), from files, classified
-- inbound SMS (R11), Mobilize people who opted out of texts, and quarantined suppression
-- lines and Mobilize records that hold a valid number (C07).
with run as (
    select * from {{ ref('int_run') }}
),

file_opt_outs as (
    select phone_e164, received_at, 'R09' as rule_id, source_file, source_line
    from {{ ref('stg_opt_outs') }}
),

sms_opt_outs as (
    select phone_e164, received_at, 'R11' as rule_id, source_file, source_line
    from {{ ref('int_sms_classified') }}
    -- Replies that only look close are suppressed too until a person has read them (R11).
    where classification in ('opt_out', 'review')
),

mobilize_opt_outs as (
    -- Every OPT_OUT status the ledger ever read, not only an attendance's latest version.
    select phone_e164, modified_at as received_at, 'R09' as rule_id, source_file, source_line
    from {{ ref('stg_volunteer_sms') }}
    where sms_opt_in_status = 'OPT_OUT'
),

quarantine_opt_outs as (
    -- C07: an unreadable line of a suppression source (a Mobilize record carries the person's
    -- SMS status; a survey answer's phone field when the answer asks not to be contacted or
    -- names a wrong number) suppresses every valid number it holds, whatever its date.
    select
        phone_e164,
        -- In force from the moment the line was read, whatever date it holds.
        null::{{ type_instant() }} as received_at,
        'C07' as rule_id,
        source_file,
        source_line
    from {{ ref('int_quarantined_numbers') }}
    where source in ('opt_outs', 'inbound_sms', 'contact_history', 'volunteers', 'surveys')
),

unioned as (
    select * from file_opt_outs
    union all
    select * from sms_opt_outs
    union all
    select * from mobilize_opt_outs
    union all
    select * from quarantine_opt_outs
),

final as (
    select unioned.*
    from unioned
    cross join run
    -- An opt-out whose time cannot be read counts: when in doubt, do not contact.
    where unioned.phone_e164 is not null
      and (unioned.received_at is null or unioned.received_at <= run.as_of)
)

select * from final

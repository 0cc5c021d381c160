-- Segment volunteer_prospects: people who signed up for or attended events, and donors
-- who never volunteered.
--   score = var volunteer_base_score
--         + var volunteer_attended_points x min(shifts attended, 4)
--         + var volunteer_upcoming_points x min(upcoming sign-ups, 2)
--         - var volunteer_no_show_penalty x no-shows
--         + var volunteer_donor_bonus when the person gave (and never volunteered: the
--           donor who never volunteered scores above a cold sign-up)
--   clamped to [0, 1].
with contacts as (
    select * from {{ ref('int_contacts') }}
),

volunteers as (
    select * from {{ ref('int_volunteer_history') }}
),

donors as (
    select contact_id, gifts from {{ ref('int_donor_history') }} where gifts > 0
),

people as (
    select contact_id from volunteers
    union
    select contact_id from donors
),

scored as (
    select
        people.contact_id,
        contacts.phone_e164,
        coalesce(volunteers.signups, 0) as signups,
        coalesce(volunteers.shifts_attended, 0) as shifts_attended,
        coalesce(volunteers.no_shows, 0) as no_shows,
        coalesce(volunteers.upcoming_signups, 0) as upcoming_signups,
        volunteers.last_attended_at,
        donors.contact_id is not null as is_donor,
        volunteers.contact_id is null as never_volunteered,
        contacts.person_kind
    from people
    inner join contacts using (contact_id)
    left join volunteers using (contact_id)
    left join donors using (contact_id)
    where {{ list_size('contacts.voter_rule_ids') }} = 0
      -- Contacts with a number. One the phone rules have not evaluated is excluded from
      -- every list by C06 (list_decisions); not read from int_phone_facts here, so an
      -- opt-out or a do-not-call change does not rebuild the segment.
      and contacts.phone_e164 is not null
),

final as (
    select
        contact_id,
        phone_e164,
        {{ unit_score(
            var('volunteer_base_score') ~ " + " ~ var('volunteer_attended_points') ~ " * least(shifts_attended, 4)"
            ~ " + " ~ var('volunteer_upcoming_points') ~ " * least(upcoming_signups, 2)"
            ~ " - " ~ var('volunteer_no_show_penalty') ~ " * no_shows"
            ~ " + case when is_donor then " ~ var('volunteer_donor_bonus') ~ " else 0 end") }} as score,
        case
            when never_volunteered then 'donor_never_volunteered'
            when no_shows > shifts_attended then 'mostly_no_shows'
            when shifts_attended > 0 then 'attended'
            else 'signed_up'
        end as reason,
        signups,
        shifts_attended,
        no_shows,
        upcoming_signups,
        last_attended_at,
        is_donor,
        never_volunteered,
        person_kind
    from scored
)

select * from final

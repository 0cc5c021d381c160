-- Segment lapsed_donors: people who gave before (refunds excluded) but not in the last
-- var lapsed_donor_window_days, with room under the per-election limit.
--   monetary  = min(1, ln(1 + total given) / ln(1 + limit))
--   frequency = min(1, gifts / var donor_frequency_cap)
--   freshness = max(0, 1 - days since last gift / (3 x window)): recently lapsed first
--   score     = 0.5 monetary + 0.3 frequency + 0.2 freshness
-- suggested_ask: their last gift, capped at the room under the limit.
with contacts as (
    select * from {{ ref('int_contacts') }}
),

donors as (
    select * from {{ ref('int_donor_history') }}
),

run as (
    select * from {{ ref('int_run') }}
),

scored as (
    select
        contacts.contact_id,
        contacts.phone_e164,
        {{ star_except('donors', ['contact_id']) }},
        {{ days_between('donors.last_gift_at', 'run.as_of') }} as days_since_last_gift,
        least(1.0, ln(1 + donors.total_given) / ln(1 + {{ var('contribution_limit_per_election') }})) as monetary_score,
        least(1.0, donors.gifts / {{ var('donor_frequency_cap') }}) as frequency_score,
        greatest(0.0, 1 - {{ days_between('donors.last_gift_at', 'run.as_of') }} / (3 * {{ var('lapsed_donor_window_days') }}))
            as freshness_score,
        contacts.person_kind
    from donors
    inner join contacts using (contact_id)
    cross join run
    where donors.gifts > 0
      and {{ list_size('contacts.voter_rule_ids') }} = 0
      -- Contacts with a number. One the phone rules have not evaluated is excluded from
      -- every list by C06 (list_decisions); not read from int_phone_facts here, so an
      -- opt-out or a do-not-call change does not rebuild the segment.
      and contacts.phone_e164 is not null
),

final as (
    select
        contact_id,
        phone_e164,
        {{ unit_score('0.5 * monetary_score + 0.3 * frequency_score + 0.2 * freshness_score') }} as score,
        round(monetary_score, 4) as monetary_score,
        round(frequency_score, 4) as frequency_score,
        round(freshness_score, 4) as freshness_score,
        gifts,
        total_given,
        last_gift_amount,
        last_gift_at,
        days_since_last_gift,
        is_recurring,
        room_under_limit,
        least(room_under_limit, last_gift_amount)::decimal(12, 2) as suggested_ask,
        person_kind
    from scored
    where days_since_last_gift > {{ var('lapsed_donor_window_days') }}
      and room_under_limit > 0
)

select * from final

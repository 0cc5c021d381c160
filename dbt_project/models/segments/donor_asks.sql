-- Segment donor_asks: people who gave (refunds excluded) within the last
-- var lapsed_donor_window_days, with room under the per-election limit
-- (var contribution_limit_per_election, primary and general separate): donors at the
-- limit for the election an ask now would count toward are left out.
--   recency   = max(0, 1 - days since last gift / var donor_recency_days)
--   frequency = min(1, gifts / var donor_frequency_cap)
--   monetary  = min(1, ln(1 + total given) / ln(1 + limit))
--   score     = 0.4 recency + 0.3 frequency + 0.3 monetary
-- suggested_ask: the first step of var donor_ask_ladder at or above 1.25 x the average
-- gift (recurring donors: above their largest gift), capped at the room under the limit.
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
        greatest(0.0, 1 - {{ days_between('donors.last_gift_at', 'run.as_of') }} / {{ var('donor_recency_days') }}) as recency_score,
        least(1.0, donors.gifts / {{ var('donor_frequency_cap') }}) as frequency_score,
        least(1.0, ln(1 + donors.total_given) / ln(1 + {{ var('contribution_limit_per_election') }})) as monetary_score,
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
        {{ unit_score('0.4 * recency_score + 0.3 * frequency_score + 0.3 * monetary_score') }} as score,
        round(recency_score, 4) as recency_score,
        round(frequency_score, 4) as frequency_score,
        round(monetary_score, 4) as monetary_score,
        gifts,
        total_given,
        largest_gift,
        average_gift,
        last_gift_at,
        days_since_last_gift,
        is_recurring,
        primary_total,
        general_total,
        ask_election,
        ask_election_total,
        room_under_limit,
        least(
            room_under_limit,
            coalesce(
                {{ list_at(list_keep(list_literal(var('donor_ask_ladder')),
                    'step', 'step >= case when is_recurring then largest_gift else average_gift * 1.25 end'), 1) }},
                {{ list_max_of(list_literal(var('donor_ask_ladder'))) }})
        )::decimal(12, 2) as suggested_ask,
        person_kind
    from scored
    where days_since_last_gift <= {{ var('lapsed_donor_window_days') }}
      and room_under_limit > 0
)

select * from final

-- The rows each list publishes: one per phone, with the called party's zone and the local
-- calling window (R21): the policy's window, narrowed where a state override applies to the
-- channel; the unknown-zone window when the zone is unknown.
with decisions as (
    select * from {{ ref('list_decisions') }} where included
),

run as (
    select * from {{ ref('int_run') }}
),

overrides as (
    select state, channel, max(window_start) as window_start, min(window_end) as window_end
    from {{ source('config', 'window_overrides') }}
    group by state, channel
),

windowed as (
    select
        decisions.*,
        case when decisions.time_zone is null then run.unknown_zone_window_start
             else greatest(run.window_start, coalesce(overrides.window_start, run.window_start)) end as window_start,
        case when decisions.time_zone is null then run.unknown_zone_window_end
             else least(run.window_end, coalesce(overrides.window_end, run.window_end)) end as window_end,
        coalesce(decisions.time_zone, run.unknown_zone_time_zone) as timezone
    from decisions
    cross join run
    left join overrides on overrides.state = decisions.state and overrides.channel = decisions.channel
),

final as (
    select
        list_name,
        contact_id,
        phone_e164,
        first_name,
        last_name,
        state,
        timezone,
        left(cast(window_start as varchar), 5) as window_start_local,
        left(cast(window_end as varchar), 5) as window_end_local,
        segment,
        score,
        effective_line_type as line_type
    from windowed
)

select * from final

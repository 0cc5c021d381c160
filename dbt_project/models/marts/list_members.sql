-- The rows each list publishes: one per phone, with the called party's zone and the local
-- calling window (R21).
with decisions as (
    select * from {{ ref('list_decisions') }} where included
),

run as (
    select * from {{ ref('int_run') }}
),

final as (
    select
        decisions.list_name,
        decisions.contact_id,
        decisions.phone_e164,
        decisions.first_name,
        decisions.last_name,
        decisions.state,
        coalesce(decisions.time_zone, run.unknown_zone_time_zone) as timezone,
        left(cast(case when decisions.time_zone is null then run.unknown_zone_window_start else run.window_start end as varchar), 5)
            as window_start_local,
        left(cast(case when decisions.time_zone is null then run.unknown_zone_window_end else run.window_end end as varchar), 5)
            as window_end_local,
        decisions.segment,
        decisions.score,
        decisions.effective_line_type as line_type
    from decisions
    cross join run
)

select * from final

-- Every built-in segment's members in one shape, for the lists to draw from.
select 'everyone' as segment, contact_id, score from {{ ref('everyone') }}

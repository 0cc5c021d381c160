-- The county of each voter record (staging keeps no county; segments and the analyst guide need it).
with nc as (
    select * from {{ source('raw', 'nc_voters') }}
),

fl as (
    select * from {{ source('raw', 'fl_voters') }}
),

unioned as (
    select 'NC-' || trim(ncid) as voter_key, upper({{ clean_text('county_desc') }}) as county from nc
    union all
    select 'FL-' || trim(voter_id) as voter_key, upper({{ clean_text('county_code') }}) as county from fl
)

select voter_key, any_value(county) as county
from unioned
group by voter_key

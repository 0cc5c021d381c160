with nc as (
    select * from {{ source('raw', 'nc_vote_history') }}
),

fl as (
    select * from {{ source('raw', 'fl_vote_history') }}
),

nc_renamed as (
    select
        'NC-' || trim(ncid) as voter_key,
        {{ parse_date('election_lbl') }} as election_date,
        case
            when upper(election_desc) like '%GENERAL%' then 'general'
            when upper(election_desc) like '%PRIMARY%' then 'primary'
            else 'other'
        end as election_kind,
        upper(trim(voting_method)) as voting_method,
        true as voted,
        _file as source_file,
        _line as source_line
    from nc
),

fl_renamed as (
    select
        'FL-' || trim(voter_id) as voter_key,
        {{ parse_date('election_date') }} as election_date,
        case upper(trim(election_type)) when 'GEN' then 'general' when 'PRI' then 'primary' when 'PPP' then 'primary' else 'other' end
            as election_kind,
        upper(trim(history_code)) as voting_method,
        -- N: did not vote; B and P: ballots that were not counted.
        upper(trim(history_code)) in ('A', 'E', 'Y') as voted,
        _file as source_file,
        _line as source_line
    from fl
)

select * from nc_renamed
union all
select * from fl_renamed

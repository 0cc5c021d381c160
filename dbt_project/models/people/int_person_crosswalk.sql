-- Crosswalk: every source record (voter record, ActBlue donor, Mobilize person) to one
-- person id, with how and how surely it was joined.
--   voter_record  1.00  the voter record itself: person id = the voter's contact_id
--   phone_name    0.95  same phone and same first and last name as exactly one voter
--   phone         0.90  same phone as a voter, and no other voter record holds that phone
--   name_zip      0.80  same first name, last name and ZIP as exactly one voter
--   email         0.85  no direct match, but shares an email with records that matched one voter
--   new_person    1.00  matched no voter: a person of its own (grouped with records sharing its email)
-- A phone held by several voters (a household landline) never links on its own.
with records as (
    select * from {{ ref('int_identity_records') }}
),

voters as (
    select * from records where source = 'voter_file'
),

others as (
    select * from records where source <> 'voter_file'
),

phone_holders as (
    select phone_e164, count(*) as holders
    from voters
    where phone_e164 is not null
    group by phone_e164
),

name_zip_holders as (
    select first_name_key, last_name_key, zip5, count(*) as holders
    from voters
    where first_name_key is not null and last_name_key is not null and zip5 is not null
    group by all
),

phone_name_matches as (
    select others.source_id, voters.voter_key, 'phone_name' as match_method, 0.95 as match_confidence
    from others
    inner join voters
        on voters.phone_e164 = others.phone_e164
       and voters.first_name_key = others.first_name_key
       and voters.last_name_key = others.last_name_key
    qualify count(*) over (partition by others.source_id) = 1
),

phone_matches as (
    select others.source_id, voters.voter_key, 'phone' as match_method, 0.90 as match_confidence
    from others
    inner join phone_holders on phone_holders.phone_e164 = others.phone_e164 and phone_holders.holders = 1
    inner join voters on voters.phone_e164 = others.phone_e164
),

name_zip_matches as (
    select others.source_id, voters.voter_key, 'name_zip' as match_method, 0.80 as match_confidence
    from others
    inner join name_zip_holders
        on name_zip_holders.first_name_key = others.first_name_key
       and name_zip_holders.last_name_key = others.last_name_key
       and name_zip_holders.zip5 = others.zip5
       and name_zip_holders.holders = 1
    inner join voters
        on voters.first_name_key = others.first_name_key
       and voters.last_name_key = others.last_name_key
       and voters.zip5 = others.zip5
),

direct_matches as (
    select *
    from (
        select * from phone_name_matches
        union all
        select * from phone_matches
        union all
        select * from name_zip_matches
    )
    qualify row_number() over (partition by source_id order by match_confidence desc, voter_key) = 1
),

-- Records sharing an email are one person; the group takes a voter only when its direct
-- matches agree on exactly one.
email_groups as (
    select
        others.email_key,
        count(distinct direct_matches.voter_key) as matched_voters,
        min(direct_matches.voter_key) as voter_key,
        min(others.source_id) as first_source_id
    from others
    left join direct_matches using (source_id)
    where others.email_key is not null
    group by others.email_key
),

linked as (
    select
        others.source,
        others.source_id,
        coalesce(direct_matches.voter_key, case when email_groups.matched_voters = 1 then email_groups.voter_key end)
            as matched_voter_key,
        case
            when direct_matches.voter_key is not null then direct_matches.match_method
            when email_groups.matched_voters = 1 then 'email'
            else 'new_person'
        end as match_method,
        case
            when direct_matches.voter_key is not null then direct_matches.match_confidence
            when email_groups.matched_voters = 1 then 0.85
            else 1.00
        end as match_confidence,
        -- A person of their own is anchored on their email group, else on the record.
        case when others.email_key is not null then 'email:' || others.email_key else others.source_id end as anchor
    from others
    left join direct_matches using (source_id)
    left join email_groups using (email_key)
),

final as (
    select
        'voter_file' as source,
        voters.source_id,
        left(md5('outreach-voter:' || voters.voter_key), 16) as person_id,
        voters.voter_key as matched_voter_key,
        'voter_record' as match_method,
        1.00 as match_confidence
    from voters

    union all

    select
        source,
        source_id,
        case
            when matched_voter_key is not null then left(md5('outreach-voter:' || matched_voter_key), 16)
            else left(md5('outreach-person:' || anchor), 16)
        end as person_id,
        matched_voter_key,
        match_method,
        match_confidence
    from linked
)

select
    source,
    source_id,
    person_id,
    matched_voter_key,
    match_method,
    match_confidence::decimal(3, 2) as match_confidence,
    case match_method
        when 'voter_record' then 'the voter-file record itself'
        when 'phone_name' then 'phone and full name equal one voter record'
        when 'phone' then 'phone equals the only voter record holding it'
        when 'name_zip' then 'first name, last name and ZIP equal exactly one voter record'
        when 'email' then 'shares an email with records matched to this voter'
        else 'no voter record matched; grouped with records sharing its email'
    end as match_reason
from final

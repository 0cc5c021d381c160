-- Every built-in segment's members in one shape, for the lists to draw from.
select 'everyone' as segment, contact_id, score from {{ ref('everyone') }}
union all
select 'gotv' as segment, contact_id, score from {{ ref('gotv') }}
union all
select 'persuasion' as segment, contact_id, score from {{ ref('persuasion') }}
union all
select 'donor_asks' as segment, contact_id, score from {{ ref('donor_asks') }}
union all
select 'lapsed_donors' as segment, contact_id, score from {{ ref('lapsed_donors') }}
union all
select 'volunteer_prospects' as segment, contact_id, score from {{ ref('volunteer_prospects') }}
union all
select 'issue_climate' as segment, contact_id, score from {{ ref('issue_climate') }}
union all
select 'issue_healthcare' as segment, contact_id, score from {{ ref('issue_healthcare') }}
union all
select 'issue_education' as segment, contact_id, score from {{ ref('issue_education') }}
union all
select 'issue_housing' as segment, contact_id, score from {{ ref('issue_housing') }}
union all
select 'survey_sample' as segment, contact_id, score from {{ ref('survey_sample') }}

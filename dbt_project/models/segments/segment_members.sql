-- Every built-in segment's members in one shape, for the lists to draw from. A new segment
-- model joins the lists by adding its name here.
{% set segments = [
    'everyone', 'gotv', 'persuasion', 'donor_asks', 'lapsed_donors', 'volunteer_prospects',
    'issue_climate', 'issue_healthcare', 'issue_education', 'issue_housing', 'survey_sample',
] %}

{% for segment in segments %}
select '{{ segment }}' as segment, contact_id, score from {{ ref(segment) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}

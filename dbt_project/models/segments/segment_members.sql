-- Every built-in segment's members in one shape, for the lists to draw from. A new segment
-- model joins the lists by adding its name here. A run passes `segments` (the ones its
-- lists.yaml uses, assets/dbt_selection.py) so only those are built and read.
{% set built_in = [
    'everyone', 'gotv', 'persuasion', 'donor_asks', 'lapsed_donors', 'volunteer_prospects',
    'issue_climate', 'issue_healthcare', 'issue_education', 'issue_housing', 'survey_sample',
] %}
{% set segments = built_in if var('segments', none) is none else var('segments') %}
{% for segment in segments %}
{% if segment not in built_in %}
{{ exceptions.raise_compiler_error('segments var names an unknown segment') }}
{% endif %}
{% endfor %}

{% for segment in segments %}
select '{{ segment }}' as segment, contact_id, score from {{ ref(segment) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}

-- Segment issue_housing: see macro issue_segment (macros/segments.sql).
{{ issue_segment('housing') }}

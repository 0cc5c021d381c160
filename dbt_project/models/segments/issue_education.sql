-- Segment issue_education: see macro issue_segment (macros/segments.sql).
{{ issue_segment('education') }}

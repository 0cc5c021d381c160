-- Segment issue_climate: see macro issue_segment (macros/segments.sql).
{{ issue_segment('climate') }}

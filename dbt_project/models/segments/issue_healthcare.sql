-- Segment issue_healthcare: see macro issue_segment (macros/segments.sql).
{{ issue_segment('healthcare') }}

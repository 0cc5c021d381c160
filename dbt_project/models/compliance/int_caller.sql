-- The caller entity of the run (one row) from config.caller: what reads it but not the as-of
-- (the SMS opt-ins it receives) is then not rebuilt by a run at a new as-of.
select * from {{ source('config', 'caller') }}

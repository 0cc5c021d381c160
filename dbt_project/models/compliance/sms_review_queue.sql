-- Inbound replies that look close to an opt-out (e.g. "unsub") for a person to read. The
-- number is suppressed meanwhile (R11), as an opt-out is.
select phone_e164, received_at, body, source_file, source_line
from {{ ref('int_sms_classified') }}
where classification = 'review'

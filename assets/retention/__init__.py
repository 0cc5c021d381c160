"""Retention and erasure: `outreach forget` (a person's data out, the number's suppression
kept, C08), `outreach prune` (published versions past the policy's retention), and the
`erasure_sweep` asset that keeps forgotten people out of the warehouse on every run."""

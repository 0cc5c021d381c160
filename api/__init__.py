"""The dialer API (`outreach serve`, CONTRACT section 8): pull lists, push opt-outs back.

On top of the layers with orchestration/: it reads what the pipeline publishes
(HOME/published) and writes only HOME/api (consumers, audit) and the push-back journal
(HOME/ledger/journal, through assets/journal)."""

"""Publisher: forwards resolved cases to LAPOR! exactly once (ledger in Mongo, retries, breaker)."""

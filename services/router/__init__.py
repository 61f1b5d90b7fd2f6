"""Router: assigns each received complaint to the competent OPD (or triage) by declarative rules."""

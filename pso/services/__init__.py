"""Use cases: each function takes the session and the acting user, checks the rules, writes."""

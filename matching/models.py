# The matching app stores its results in the registry's models (MatchCandidate,
# Alert, Person); it has no tables of its own yet.

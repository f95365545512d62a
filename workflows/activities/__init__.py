"""Activities: thin, idempotent, one side effect each, keyed so a retry changes nothing."""

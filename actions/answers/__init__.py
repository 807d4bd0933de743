"""Reply composition: turns catalogue entries and retrieved passages into learner-facing answers."""

"""The knowledge engine: topic documents -> parsed knowledge -> catalogue and hybrid index."""

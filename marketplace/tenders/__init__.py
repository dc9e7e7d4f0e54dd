"""Tenders: the procurement process from planning to published call (and later award)."""

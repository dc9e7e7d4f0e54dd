"""Analytics of the published data: per-process facts kept next to the records."""

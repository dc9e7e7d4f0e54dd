"""ICT business cases: cases, evaluator, decisions, benefits. No Flask in this package."""

"""Contracts: signing, amendments, milestones, payments, completion or termination."""

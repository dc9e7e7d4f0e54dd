"""Evaluation, award, standstill and complaints: from opened bids to awarded suppliers."""

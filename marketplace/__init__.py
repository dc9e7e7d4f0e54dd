"""Procurement domain: models and services. No Flask in this package."""

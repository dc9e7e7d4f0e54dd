"""The OCDS library: schema, release building, validation, records, packages.

Works on plain dicts; imports neither Flask nor our models.
"""

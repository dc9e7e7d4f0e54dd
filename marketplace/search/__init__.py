"""The search index of the public explorer: whoosh, derived from the compiled records.

Losing it loses nothing (DESIGN.md §1): ``sync`` drains the search outbox, ``reindex``
rebuilds from records alone. Imports no Flask; the app and the CLI call in here.
"""

"""Facet counts of every process, kept up to date in ``search_state`` (PostgreSQL backend).

Counting facets over every document reads the whole table (seconds at a million
processes), yet it is what ``/search`` with no words and ``/red-flags`` show. So the
counts of the whole collection are stored: computed by ``reindex``, and adjusted by
``sync`` from each batch's documents as they were before and after it (under a row
lock on the counts, so two workers never adjust from the same starting point). They
also tell which filter values exist, without a query.
"""

# ruff: noqa: S608 (SQL text from our own column names; every visitor value is bound)

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.search.pg_models import SearchState
from marketplace.search.request import FACETS, MULTI_VALUED

FACETS_STATE = "facets"
#: The total's key in the stored counts (no facet is named so).
TOTAL = ""


def count_sql(
    where: str,
    extra_columns: str = "",
    extra_parts: tuple[str, ...] = (),
    source: str = "search_document d",
) -> str:
    """One pass over the documents of ``source`` matching ``where`` (kept as ``m``):
    (facet, value, count) rows, ('', NULL, total), and the rows of ``extra_parts``."""
    # The total and every one-valued facet from one scan (a grouping set each).
    single = [facet for facet in FACETS if facet not in MULTI_VALUED]
    which = " ".join(f"WHEN GROUPING(m.{f}) = 0 THEN '{f}'" for f in single)
    sets = ", ".join(f"(m.{f})" for f in single)
    parts = [
        f"SELECT g.facet, g.value, g.n FROM (SELECT CASE {which} ELSE '' END AS facet, "
        f"COALESCE({', '.join(f'm.{f}' for f in single)}) AS value, count(*) AS n "
        f"FROM m GROUP BY GROUPING SETS ({sets}, ())) g "
        "WHERE g.facet = '' OR g.value IS NOT NULL"
    ]
    for facet in FACETS:
        if facet in MULTI_VALUED:
            parts.append(f"SELECT '{facet}', v, count(*) FROM m, unnest(m.{facet}) v GROUP BY v")
    parts.extend(extra_parts)
    columns = ", ".join(f"d.{f}" for f in FACETS) + extra_columns
    return (
        f"WITH m AS MATERIALIZED (SELECT {columns} FROM {source} WHERE {where}) "
        + " UNION ALL ".join(f"({part})" for part in parts)
    )


def count(
    session: Session, where: str, params: dict[str, Any]
) -> tuple[int, dict[str, Counter[str]]]:
    total = 0
    counts: dict[str, Counter[str]] = {facet: Counter() for facet in FACETS}
    for facet, value, number in session.execute(text(count_sql(where)), params):
        if facet:
            counts[facet][value] = number
        else:
            total = number
    return total, counts


def _encode(total: int, counts: dict[str, Counter[str]]) -> dict[str, Any]:
    return {TOTAL: total, **{facet: dict(values) for facet, values in counts.items()}}


def stored(session: Session) -> tuple[int, dict[str, Counter[str]]] | None:
    """The counts of every document, as the last sync left them (None: never built)."""
    value = session.scalar(select(SearchState.value).where(SearchState.name == FACETS_STATE))
    if value is None:
        return None
    return int(value.get(TOTAL, 0)), {f: Counter(value.get(f) or {}) for f in FACETS}


def save(session: Session, total: int, counts: dict[str, Counter[str]]) -> None:
    state = session.get(SearchState, FACETS_STATE)
    if state is None:
        session.add(
            SearchState(name=FACETS_STATE, value=_encode(total, counts), updated_at=utcnow())
        )
    else:
        state.value = _encode(total, counts)
        state.updated_at = utcnow()
    session.flush()


def recount(session: Session) -> None:
    """Count every document again (after a rebuild)."""
    save(session, *count(session, "TRUE", {}))


def lock(session: Session) -> tuple[int, dict[str, Counter[str]]] | None:
    """The stored counts, locked until the caller's transaction ends."""
    value = session.scalar(
        select(SearchState.value).where(SearchState.name == FACETS_STATE).with_for_update()
    )
    if value is None:
        return None
    return int(value.get(TOTAL, 0)), {f: Counter(value.get(f) or {}) for f in FACETS}


def values_of(session: Session, ocids: Iterable[str]) -> dict[str, dict[str, list[str]]]:
    """The facet values of these documents now (ocid -> facet -> values)."""
    columns = ", ".join(f"d.{f}" for f in FACETS)
    rows = session.execute(
        text(f"SELECT d.ocid, {columns} FROM search_document d WHERE d.ocid = ANY(:ocids)"),
        {"ocids": list(ocids)},
    )
    found: dict[str, dict[str, list[str]]] = {}
    for row in rows:
        values: dict[str, list[str]] = {}
        for facet, value in zip(FACETS, row[1:], strict=True):
            if facet in MULTI_VALUED:
                values[facet] = list(value or [])
            else:
                values[facet] = [value] if value else []
        found[row[0]] = values
    return found


def adjust(
    total: int,
    counts: dict[str, Counter[str]],
    before: dict[str, dict[str, list[str]]],
    after: dict[str, dict[str, list[str]]],
) -> int:
    """Move ``counts`` (in place) from the documents ``before`` to ``after``; the new total."""
    for values in before.values():
        for facet, names in values.items():
            counts[facet].subtract(names)
    for values in after.values():
        for facet, names in values.items():
            counts[facet].update(names)
    for facet in FACETS:
        counts[facet] = +counts[facet]  # drop values no document has any more
    return total - len(before) + len(after)

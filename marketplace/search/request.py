"""A search as the explorer asks for it: parsed from query-string values, never failing.

Bad input does not raise: each problem is reported (a code and its parameters, which
the pages translate) and the search goes on without the offending part.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

#: Facet fields, in the order the explorer lists them.
FACETS: tuple[str, ...] = (
    "buyer",
    "supplier",
    "status",
    "method",
    "category",
    "year",
    "amount_band",
    "flag",
    "publisher",
)
#: Facets whose documents can hold several values.
MULTI_VALUED = frozenset({"supplier", "flag"})
SORTS: tuple[str, ...] = ("relevance", "date", "date_asc", "amount", "amount_asc")
MAX_QUERY_CHARS = 500
MAX_QUERY_WORDS = 40
MAX_FACET_VALUE = 300
PER_PAGE = 20
MAX_PER_PAGE = 50  # 50 results with highlights stay under the 60 KB page budget
MAX_PAGE = 500

_WORD = re.compile(r"\w", re.UNICODE)
_OPERATORS = re.compile(r"\b(AND|OR|NOT|ANDNOT|ANDMAYBE)\b")


@dataclass(frozen=True)
class Problem:
    """Something wrong with the request; ``code`` is stable, ``params`` fill the message."""

    code: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class SearchRequest:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    amount_min: float | None = None
    amount_max: float | None = None
    sort: str = ""
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def effective_sort(self) -> str:
        """Relevance needs words; without them the newest processes come first."""
        if self.sort and (self.sort != "relevance" or self.q):
            return self.sort
        return "relevance" if self.q else "date"

    def args(self, **changes: object) -> dict[str, object]:
        """Query-string arguments that repeat this search (with ``changes``), for links."""
        data: dict[str, object] = {
            "q": self.q,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "amount_min": _number(self.amount_min),
            "amount_max": _number(self.amount_max),
            "sort": self.sort,
            "page": self.page if self.page != 1 else "",
        }
        for facet, values in self.filters.items():
            data[facet] = list(values)
        data.update(changes)
        return {k: v for k, v in data.items() if v not in ("", None, [])}


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else str(value)


def _first(args: Mapping[str, Sequence[str]], name: str) -> str:
    values = args.get(name) or []
    return values[0].strip() if values else ""


def has_words(query: str) -> bool:
    """Whether a query has something to look for besides operators and wildcards."""
    return bool(_WORD.search(_OPERATORS.sub(" ", query).replace("_", " ")))


def parse_request(args: Mapping[str, Sequence[str]]) -> tuple[SearchRequest, list[Problem]]:
    """``args`` maps each query-string name to its values (``MultiDict.to_dict(flat=False)``)."""
    problems: list[Problem] = []
    request = SearchRequest()

    query = " ".join(_first(args, "q").split())
    if len(query) > MAX_QUERY_CHARS:
        problems.append(Problem("query_too_long", {"max": str(MAX_QUERY_CHARS)}))
        query = query[:MAX_QUERY_CHARS].rsplit(" ", 1)[0]
    words = query.split(" ")
    if len(words) > MAX_QUERY_WORDS:
        problems.append(Problem("too_many_words", {"max": str(MAX_QUERY_WORDS)}))
        query = " ".join(words[:MAX_QUERY_WORDS])
    if query and not has_words(query):
        problems.append(Problem("no_words", {"query": query}))
        query = ""
    request.q = query

    for facet in FACETS:
        values = []
        for value in args.get(facet) or []:
            value = value.strip()[:MAX_FACET_VALUE]
            if value and value not in values:
                values.append(value)
        if values:
            request.filters[facet] = values

    request.date_from = _date(args, "date_from", problems)
    request.date_to = _date(args, "date_to", problems)
    if request.date_from and request.date_to and request.date_from > request.date_to:
        problems.append(Problem("swapped_dates"))
        request.date_from, request.date_to = request.date_to, request.date_from

    request.amount_min = _amount(args, "amount_min", problems)
    request.amount_max = _amount(args, "amount_max", problems)
    low, high = request.amount_min, request.amount_max
    if low is not None and high is not None and low > high:
        problems.append(Problem("swapped_amounts"))
        request.amount_min, request.amount_max = high, low

    sort = _first(args, "sort")
    if sort and sort not in SORTS:
        problems.append(Problem("unknown_sort", {"sort": sort[:40]}))
        sort = ""
    request.sort = sort

    request.page = _int(args, "page", 1, problems, "bad_page")
    if request.page > MAX_PAGE:
        problems.append(Problem("page_too_deep", {"max": str(MAX_PAGE)}))
        request.page = MAX_PAGE
    request.per_page = min(_int(args, "per_page", PER_PAGE, problems, "bad_per_page"), MAX_PER_PAGE)
    return request, problems


def _int(
    args: Mapping[str, Sequence[str]], name: str, default: int, problems: list[Problem], code: str
) -> int:
    raw = _first(args, name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        problems.append(Problem(code, {"value": raw[:40]}))
        return default
    return value


#: Earlier dates are typing mistakes (and some have no timestamp to compare with).
MIN_YEAR = 1900


def _date(args: Mapping[str, Sequence[str]], name: str, problems: list[Problem]) -> dt.date | None:
    raw = _first(args, name)
    if not raw:
        return None
    try:
        date = dt.date.fromisoformat(raw)
    except ValueError:
        date = None
    if date is None or date.year < MIN_YEAR:  # year 1 has no timestamp in every zone
        problems.append(Problem("bad_date", {"field": name, "value": raw[:40]}))
        return None
    return date


def _amount(args: Mapping[str, Sequence[str]], name: str, problems: list[Problem]) -> float | None:
    raw = _first(args, name).replace(",", "").replace("$", "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        problems.append(Problem("bad_amount", {"field": name, "value": raw[:40]}))
        return None
    if not math.isfinite(value):
        problems.append(Problem("bad_amount", {"field": name, "value": raw[:40]}))
        return None
    if value < 0:
        problems.append(Problem("negative_amount", {"field": name}))
        return None
    return value

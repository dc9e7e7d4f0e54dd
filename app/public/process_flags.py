"""Red flags of one process, worded for the visitor: the reason with this process's
figures and the threshold that was crossed, from each flag's evidence (the indicators'
own sentences are English only; they are the fallback)."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import format_datetime, format_decimal
from flask_babel import gettext as _

from app.public.process_data import (
    METHOD_WORDS,
    amount_text,
    as_dict,
    as_list,
    parse_date,
    text,
    words,
)
from app.public.redflags import INDICATORS
from marketplace.search.backend import SearchBackend, WhooshBackend
from marketplace.search.index import current_dir, load_context
from ocds.redflags import Context, Flag, evaluate


@dataclass(frozen=True)
class FlagView:
    code: str
    title: str
    meaning: str
    reason: str
    threshold: str


_context_lock = threading.Lock()
_context_cache: dict[str, tuple[float, Context]] = {}


def flag_context(backend: SearchBackend) -> Context:
    """The cross-process context saved with the live search index generation (cached
    until the generation changes; the PostgreSQL backend reads its one row); an empty
    one when there is no index yet."""
    if not isinstance(backend, WhooshBackend):
        return backend.flag_context() or Context()
    path = current_dir(backend.index_dir)
    if path is None:
        return Context()
    key = str(path)
    try:
        stamp = os.stat(Path(path)).st_mtime
    except OSError:
        return Context()
    with _context_lock:
        cached = _context_cache.get(key)
        if cached and cached[0] == stamp:
            return cached[1]
    context = load_context(path) or Context()
    with _context_lock:
        _context_cache.clear()
        _context_cache[key] = (stamp, context)
    return context


def _pct(value: Any) -> str:
    return (
        f"{format_decimal(float(value) * 100, '#,##0.#')} %"
        if isinstance(value, int | float)
        else "?"
    )


def _num(value: Any) -> str:
    return format_decimal(value, "#,##0.##") if isinstance(value, int | float) else str(value)


def _fence(evidence: dict[str, Any], percent: bool, low: bool) -> str:
    show = _pct if percent else _num
    if "threshold" in evidence:
        return _("Fixed threshold: %(value)s.", value=show(evidence["threshold"]))
    fence = as_dict(evidence.get("fence"))
    if fence:
        limit = fence.get("lower" if low else "upper")
        if low:
            return _(
                "Flagged at or below %(limit)s, the lower outlier fence of all processes "
                "(Q1 %(q1)s, Q3 %(q3)s).",
                limit=show(limit), q1=show(fence.get("q1")), q3=show(fence.get("q3")),
            )  # fmt: skip
        return _(
            "Flagged at or above %(limit)s, the upper outlier fence of all processes "
            "(Q1 %(q1)s, Q3 %(q3)s).",
            limit=show(limit), q1=show(fence.get("q1")), q3=show(fence.get("q3")),
        )  # fmt: skip
    return ""


def _flag_words(flag: Flag, names_by_id: dict[str, str]) -> tuple[str, str]:
    """(reason, threshold) of a raised flag in the visitor's language, from its evidence."""
    e = flag.evidence
    name = names_by_id.get

    if flag.code == "R003":
        return (
            _("Bidders had %(days)s days to submit.", days=_num(e.get("days"))),
            _("Flagged below %(n)s days in an open procedure.", n=_num(e.get("threshold_days"))),
        )
    if flag.code == "R018":
        return (
            _("Only one company bid in this %(method)s procedure.",
              method=words(METHOD_WORDS, e.get("procurement_method")).lower()),
            _("Flagged when exactly one tenderer bids in an open or selective procedure."),
        )  # fmt: skip
    if flag.code in ("R024", "R058"):
        low = flag.code == "R024"
        return (
            _(
                "The second-lowest bid (%(runner)s) was %(diff)s above the winning bid "
                "(%(winner)s).",
                runner=amount_text(e.get("runner_up_amount"), e.get("currency")),
                diff=_pct(e.get("difference")),
                winner=amount_text(e.get("winning_amount"), e.get("currency")),
            ),
            _fence(e, percent=True, low=low),
        )
    if flag.code == "R025":
        return (
            _(
                "A unit price of %(price)s is %(ratio)s times the median of %(median)s paid "
                "for the same classification (%(code)s).",
                price=amount_text(e.get("unit_price"), e.get("currency")),
                ratio=_num(
                    (e["unit_price"] / e["median"])
                    if isinstance(e.get("unit_price"), int | float)
                    and isinstance(e.get("median"), int | float)
                    and e["median"]
                    else "?"
                ),
                median=amount_text(e.get("median"), e.get("currency")),
                code=e.get("classification", ""),
            ),
            _fence(e, percent=False, low=False),
        )
    if flag.code == "R028":
        tenderers = e.get("tenderers") if isinstance(e.get("tenderers"), list) else []
        return (
            _(
                "%(names)s bid exactly the same price: %(amount)s.",
                names=", ".join(name(t, t) for t in tenderers),
                amount=amount_text(e.get("amount"), e.get("currency")),
            ),
            _("Flagged when two different tenderers bid the same amount."),
        )
    if flag.code == "R030":
        return (
            _("The winning bid was received on %(received)s; the deadline was %(deadline)s.",
              received=_when(e.get("received")), deadline=_when(e.get("deadline"))),
            _("Flagged when a winning bid arrived after the submission deadline."),
        )  # fmt: skip
    if flag.code == "R035":
        out = (
            e.get("disqualified_tenderers")
            if isinstance(e.get("disqualified_tenderers"), list)
            else []
        )
        return (
            _(
                "Every other tenderer (%(count)s) was disqualified, leaving %(winner)s as the "
                "only valid bidder and the winner.",
                count=len(out),
                winner=name(str(e.get("winner")), str(e.get("winner"))),
            ),  # fmt: skip
            _(
                "Flagged when at least one other tenderer was disqualified and only the "
                "winner remained."
            ),
        )
    if flag.code == "R036":
        return (
            _("The lowest bid (%(amount)s) was disqualified and a more expensive one won.",
              amount=amount_text(e.get("amount"), e.get("currency"))),
            _("Flagged when the cheapest bid was disqualified in a process with an award."),
        )  # fmt: skip
    if flag.code == "R038":
        if "buyer" in e:
            reason = _(
                "The buyer disqualifies %(share)s of the bids it receives (over %(n)s processes).",
                share=_pct(e.get("share")), n=_num(e.get("processes")),
            )  # fmt: skip
        else:
            who = str(e.get("tenderer"))
            reason = _(
                "%(name)s has %(share)s of its %(n)s bids disqualified.",
                name=name(who, who), share=_pct(e.get("share")), n=_num(e.get("bids")),
            )  # fmt: skip
        return reason, _fence(e, percent=True, low=False)
    if flag.code == "R048":
        who = str(e.get("supplier"))
        return (
            _("%(name)s has been awarded items in %(n)s unrelated product categories.",
              name=name(who, who), n=_num(e.get("variety"))),
            _fence(e, percent=False, low=False),
        )  # fmt: skip
    return flag.reason, ""


def _when(value: Any) -> str:
    parsed = parse_date(value)
    return format_datetime(parsed, "medium") if parsed else str(value or "?")


def flags(compiled: dict[str, Any], context: Context) -> list[FlagView]:
    """Each red flag raised for this process, with its reason and threshold in plain words."""
    try:
        raised = evaluate(compiled, context)
    except (TypeError, ValueError, KeyError, AttributeError, ZeroDivisionError):
        # The indicators read any OCDS; a foreign record shaped beyond their guards
        # shows no flags rather than no page.
        return []
    known: dict[str, str] = {}
    for bid in as_list(as_dict(compiled.get("bids")).get("details")):
        for org in as_list(bid.get("tenderers")):
            known[str(org.get("id"))] = text(org.get("name")) or str(org.get("id"))
    for award in as_list(compiled.get("awards")):
        for org in as_list(award.get("suppliers")):
            known[str(org.get("id"))] = text(org.get("name")) or str(org.get("id"))
    result = []
    for flag in raised:
        title, meaning, _why = INDICATORS.get(flag.code, (flag.title, "", ""))
        try:
            reason, threshold = _flag_words(flag, known)
        except (TypeError, ValueError, KeyError):
            reason, threshold = flag.reason, ""
        result.append(FlagView(flag.code, str(title), str(meaning), reason, threshold))
    return result

"""Procurement analytics over published compiled releases: no Flask, no database.

Two steps. ``process_facts`` reads one compiled release into a small flat
``ProcessFacts`` (who bought, what, from whom, for how much, how many bid, how fast);
the aggregations then stream over facts: ``overview`` for the whole market,
``buyer_summary`` and ``supplier_summary`` for one party. Facts are JSON-friendly
(``to_dict``/``from_dict``) so a caller can keep them instead of re-reading records.

Definitions (the public pages say them in words too):

- year: of the tender's start (``tenderPeriod.startDate``, else ``datePublished``),
  else of the release date;
- awarded: the value of active awards (status ``active`` or unset) in ``CURRENCY``; an
  award to several suppliers is shared equally among them;
- bidders: distinct tenderers of bids disclosed after opening and not withdrawn; when no
  bid is disclosed, ``tender.numberOfTenderers`` if published;
- single-bid: a competitive process (open or selective) with exactly one bidder, among
  competitive processes whose number of bidders is known;
- discount: ``(estimate - awarded) / estimate`` of a process with both;
- HHI: sum of squared supplier shares (in percent) of the awarded value of a category,
  0 (many small suppliers) to 10,000 (one supplier);
- SME share: value awarded to suppliers whose party ``details.scale`` is micro or sme,
  over value awarded to suppliers whose scale is published;
- days to award: from the tender's start to the earliest active award date.
"""

from ocds.analytics.facts import CURRENCY, ProcessFacts, Win, process_facts
from ocds.analytics.market import (
    OTHER,
    Overview,
    SpendRow,
    Totals,
    accumulate,
    buyer_list,
    finish,
    hhi,
    median,
    merge,
    overview,
    spend_by_buyer,
)
from ocds.analytics.parties import PartySummary, buyer_summary, supplier_summary

__all__ = [
    "CURRENCY",
    "OTHER",
    "Overview",
    "PartySummary",
    "ProcessFacts",
    "SpendRow",
    "Totals",
    "accumulate",
    "buyer_list",
    "finish",
    "merge",
    "Win",
    "buyer_summary",
    "hhi",
    "median",
    "overview",
    "process_facts",
    "spend_by_buyer",
    "supplier_summary",
]

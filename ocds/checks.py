"""The checks OCP's Data Review Tool adds on top of the JSON schema.

Each function takes one release (a dict already known to be an object) and returns
findings with paths relative to the release. Severity follows what a publisher must fix
(error) versus what a reader should look at (warning): see README, "OCDS library".
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ocds.findings import Finding, join_path
from ocds.schema import OcdsSchema

OCID_PATTERN = re.compile(r"^ocds-[a-z0-9]{6}-")
DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|z|[+-]\d{2}:\d{2})$"
)
_MAX_SCHEMA_DEPTH = 16

# A node of the annotation tree: {"p": {key: node}, "i": node, "c": (codelist, open), "f": 1}
Node = dict[str, Any]


def annotation_tree(schema: OcdsSchema) -> Node:
    """Where the release schema names a codelist or a date-time format, as a tree.

    Built once per schema so that each release is walked only along annotated paths.
    """
    cached = schema.cache.get("annotation_tree")
    if cached is None:
        release = schema.release_schema
        cached = _build(release, release.get("definitions", {}), 0) or {}
        schema.cache["annotation_tree"] = cached
    return cached


def _build(sub: dict[str, Any], definitions: dict[str, Any], depth: int) -> Node | None:
    if depth > _MAX_SCHEMA_DEPTH or not isinstance(sub, dict):
        return None
    ref = sub.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/definitions/"):
        extra = {k: v for k, v in sub.items() if k != "$ref"}
        sub = {**definitions.get(ref.rsplit("/", 1)[1], {}), **extra}
    node: Node = {}
    codelist = sub.get("codelist")
    if isinstance(codelist, str):
        raw_items = sub.get("items")
        items: dict[str, Any] = raw_items if isinstance(raw_items, dict) else {}
        has_enum = "enum" in sub or "enum" in items
        is_open = bool(sub.get("openCodelist", False))
        # Closed codelists that the schema already enforces with an enum are left to it.
        if is_open or not has_enum:
            node["c"] = (codelist, is_open)
    if sub.get("format") == "date-time":
        node["f"] = 1
    children = {}
    for key, prop in (sub.get("properties") or {}).items():
        child = _build(prop, definitions, depth + 1)
        if child:
            children[key] = child
    if children:
        node["p"] = children
    item_schema = sub.get("items")
    if isinstance(item_schema, dict) and "c" not in node:
        child = _build(item_schema, definitions, depth + 1)
        if child:
            node["i"] = child
    return node or None


def check_annotations(release: dict[str, Any], schema: OcdsSchema) -> list[Finding]:
    """Codelist values (closed: error, open: warning) and RFC 3339 date-times."""
    findings: list[Finding] = []
    _walk_annotated(release, annotation_tree(schema), [], schema.codelists, findings)
    return findings


def _walk_annotated(
    value: Any, node: Node, parts: list[str | int], codelists: dict[str, set[str]],
    out: list[Finding],
) -> None:
    if "c" in node:
        name, is_open = node["c"]
        codes = codelists.get(name)
        if codes is not None:
            if type(value) is str:
                if value not in codes:
                    _code_finding(value, name, is_open, join_path(*parts), out)
            elif type(value) is list:
                for index, code in enumerate(value):
                    if type(code) is str and code not in codes:
                        _code_finding(code, name, is_open, join_path(*parts, index), out)
    if "f" in node and type(value) is str and parse_datetime(value) is None:
        out.append(
            Finding(join_path(*parts), f"{value!r} is not a date-time (RFC 3339, like "
                    "2024-05-01T10:00:00Z)", "format")
        )
    if type(value) is dict:
        children = node.get("p")
        if children:
            for key, child in children.items():
                if key in value:
                    parts.append(key)
                    _walk_annotated(value[key], child, parts, codelists, out)
                    parts.pop()
    elif type(value) is list:
        child = node.get("i")
        if child:
            for index, item in enumerate(value):
                parts.append(index)
                _walk_annotated(item, child, parts, codelists, out)
                parts.pop()


def _code_finding(code: str, name: str, is_open: bool, path: str, out: list[Finding]) -> None:
    if is_open:
        out.append(Finding(path, f"{code!r} is not in the open codelist {name}", "codelist",
                           "warning"))
    else:
        out.append(Finding(path, f"{code!r} is not in the closed codelist {name}", "codelist"))


def parse_datetime(value: str) -> datetime | None:
    """An aware datetime for an RFC 3339 date-time, else None."""
    if not DATE_TIME.match(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return None


def check_ocid(release: dict[str, Any], expected_prefix: str | None) -> list[Finding]:
    ocid = release.get("ocid")
    if not isinstance(ocid, str) or not ocid:
        return []  # the schema reports a missing or mistyped ocid
    if expected_prefix and not ocid.startswith(expected_prefix + "-"):
        return [Finding("ocid", f"{ocid!r} does not start with the expected prefix "
                                f"{expected_prefix + '-'!r}", "ocid-prefix")]
    if not OCID_PATTERN.match(ocid):
        return [Finding("ocid", f"{ocid!r} does not start with a registered ocid prefix "
                                "(ocds- and 6 characters)", "ocid-prefix", "warning")]
    return []


def _get(obj: Any, *keys: str | int) -> Any:
    for key in keys:
        if isinstance(obj, dict) and isinstance(key, str):
            obj = obj.get(key)
        elif isinstance(obj, list) and isinstance(key, int) and 0 <= key < len(obj):
            obj = obj[key]
        else:
            return None
    return obj


def _date(obj: Any, *keys: str | int) -> datetime | None:
    value = _get(obj, *keys)
    return parse_datetime(value) if isinstance(value, str) else None


def _dicts(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


def _period(period: Any, path: str, out: list[Finding]) -> None:
    start, end = _date(period, "startDate"), _date(period, "endDate")
    if start and end and start > end:
        out.append(Finding(join_path(path, "endDate"), "the period ends before it starts "
                           f"({period['startDate']} > {period['endDate']})", "dates-order"))


def check_dates(release: dict[str, Any]) -> list[Finding]:
    """Periods start before they end (error); stages follow each other (warning)."""
    out: list[Finding] = []
    tender = release.get("tender")
    for name in ("tenderPeriod", "enquiryPeriod", "awardPeriod", "contractPeriod"):
        _period(_get(tender, name), f"tender/{name}", out)
    tender_start = _date(tender, "tenderPeriod", "startDate")
    award_dates: dict[str, datetime] = {}
    for index, award in _dicts(release.get("awards")):
        _period(award.get("contractPeriod"), f"awards/{index}/contractPeriod", out)
        award_date = _date(award, "date")
        if award_date is None:
            continue
        if "id" in award:
            award_dates[str(award["id"])] = award_date
        if tender_start and award_date < tender_start:
            out.append(Finding(f"awards/{index}/date", f"the award date {award['date']} is "
                               "before the tender period starts", "dates-order", "warning"))
    for index, contract in _dicts(release.get("contracts")):
        _period(contract.get("period"), f"contracts/{index}/period", out)
        signed = _date(contract, "dateSigned")
        awarded = award_dates.get(str(contract.get("awardID")))
        if signed and awarded and signed < awarded:
            out.append(Finding(f"contracts/{index}/dateSigned", f"the contract is signed "
                               f"({contract['dateSigned']}) before its award date", "dates-order",
                               "warning"))
    return out


_ROLES = {"buyer": "buyer", "procuringEntity": "procuringEntity", "suppliers": "supplier",
          "tenderers": "tenderer", "payer": "payer", "payee": "payee"}


def _org_refs(release: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(path, expected role, reference) for each organization reference we resolve."""
    yield "buyer", "buyer", release.get("buyer")
    tender = release.get("tender")
    yield "tender/procuringEntity", "procuringEntity", _get(tender, "procuringEntity")
    for index, ref in _dicts(_get(tender, "tenderers")):
        yield f"tender/tenderers/{index}", "tenderer", ref
    for a, award in _dicts(release.get("awards")):
        for index, ref in _dicts(award.get("suppliers")):
            yield f"awards/{a}/suppliers/{index}", "supplier", ref
    for b, bid in _dicts(_get(release, "bids", "details")):
        for index, ref in _dicts(bid.get("tenderers")):
            yield f"bids/details/{b}/tenderers/{index}", "tenderer", ref
    for c, contract in _dicts(release.get("contracts")):
        for t, transaction in _dicts(_get(contract, "implementation", "transactions")):
            for role in ("payer", "payee"):
                yield f"contracts/{c}/implementation/transactions/{t}/{role}", role, \
                    transaction.get(role)


def check_references(release: dict[str, Any]) -> list[Finding]:
    """Organization references resolve to parties (with the matching role); awardIDs to awards."""
    out: list[Finding] = []
    parties = {str(p["id"]): p for _, p in _dicts(release.get("parties")) if "id" in p}
    for path, role, ref in _org_refs(release):
        if not isinstance(ref, dict):
            continue
        if ref.get("id") is None:
            out.append(Finding(path, "organization reference has no id, so it matches no party",
                               "party-reference", "warning"))
            continue
        party = parties.get(str(ref["id"]))
        if party is None:
            out.append(Finding(join_path(path, "id"), f"{ref['id']!r} is not the id of any "
                               "party in this release's parties", "party-reference"))
        elif isinstance(party.get("roles"), list) and role not in party["roles"]:
            out.append(Finding(join_path(path, "id"), f"party {ref['id']!r} does not have the "
                               f"role {role!r}", "party-role", "warning"))
    out.extend(_lot_references(release))
    awards = release.get("awards")
    award_ids = {str(a["id"]) for _, a in _dicts(awards) if "id" in a}
    for index, contract in _dicts(release.get("contracts")):
        award_id = contract.get("awardID")
        if award_id is None or str(award_id) in award_ids:
            continue
        if awards:
            out.append(Finding(f"contracts/{index}/awardID", f"{award_id!r} is not the id of "
                               "any award in this release", "award-reference"))
        else:
            out.append(Finding(f"contracts/{index}/awardID", f"award {award_id!r} is not in "
                               "this release (it has no awards)", "award-reference", "warning"))
    return out


def _lot_references(release: dict[str, Any]) -> Iterator[Finding]:
    """relatedLot(s) name lots of this release's tender (when the release has lots: an award
    release often refers to lots published with the tender)."""
    lots = _get(release, "tender", "lots")
    if not isinstance(lots, list) or not lots:
        return
    lot_ids = {str(lot["id"]) for _, lot in _dicts(lots) if "id" in lot}
    refs: list[tuple[str, Any]] = []
    for index, item in _dicts(_get(release, "tender", "items")):
        refs.append((f"tender/items/{index}/relatedLot", item.get("relatedLot")))
    for name, objects in (("awards", release.get("awards")),
                          ("bids/details", _get(release, "bids", "details"))):
        for index, obj in _dicts(objects):
            related = obj.get("relatedLots")
            if isinstance(related, list):
                refs.extend((f"{name}/{index}/relatedLots/{n}", lot)
                            for n, lot in enumerate(related))
    for path, lot in refs:
        if lot is not None and str(lot) not in lot_ids:
            yield Finding(path, f"{lot!r} is not the id of any lot in tender/lots",
                          "lot-reference")


#: The closed partyScale codelist of OCP's partyScale extension, which we declare (see
#: ocds.schema.DECLARED_EXTENSIONS) but do not patch in: core OCDS leaves
#: ``Organization.details`` open, so the codes are checked here.
PARTY_SCALE_CODES = ("micro", "sme", "large")


def check_party_scale(release: dict[str, Any]) -> list[Finding]:
    """``parties[].details.scale`` is one of micro, sme or large (or null)."""
    out: list[Finding] = []
    for index, party in _dicts(release.get("parties")):
        details = party.get("details")
        if not isinstance(details, dict) or details.get("scale") is None:
            continue
        scale = details["scale"]
        if scale not in PARTY_SCALE_CODES:
            out.append(Finding(f"parties/{index}/details/scale", f"{scale!r} is not in the "
                               "closed codelist partyScale.csv (micro, sme, large)", "codelist"))
    return out


#: Flags of OCP's techniques extension (declared in ocds.schema.DECLARED_EXTENSIONS, not
#: patched in: core OCDS lets Tender and Lot carry ``techniques``), checked here.
TECHNIQUE_FLAGS = ("hasFrameworkAgreement", "hasDynamicPurchasingSystem", "hasElectronicAuction")


def check_techniques(release: dict[str, Any]) -> list[Finding]:
    """``tender.techniques`` and ``tender.lots[].techniques`` are objects whose
    ``has…`` flags (``hasFrameworkAgreement`` and the others) are booleans (or null)."""
    tender = release.get("tender")
    if not isinstance(tender, dict):
        return []
    places = [("tender/techniques", tender.get("techniques"))]
    places += [(f"tender/lots/{i}/techniques", lot.get("techniques"))
               for i, lot in _dicts(tender.get("lots"))]  # fmt: skip
    out: list[Finding] = []
    for path, techniques in places:
        if techniques is None:
            continue
        if not isinstance(techniques, dict):
            out.append(Finding(path, f"{techniques!r} is not an object", "type"))
            continue
        for flag in TECHNIQUE_FLAGS:
            value = techniques.get(flag)
            if value is not None and not isinstance(value, bool):
                out.append(Finding(f"{path}/{flag}", f"{value!r} is not a boolean (true or false)",
                                   "type"))  # fmt: skip
    return out


def check_amounts_and_ids(release: dict[str, Any]) -> list[Finding]:
    """Amounts are non-negative with a currency; objects in one array have distinct ids."""
    out: list[Finding] = []
    _walk_values(release, [], out)
    return out


def _walk_values(value: Any, parts: list[str | int], out: list[Finding]) -> None:
    # Visits every object of every release: the path is a shared stack, joined into a
    # string only for a finding, and types are tested with `type() is` for speed.
    if type(value) is dict:
        amount = value.get("amount")
        if amount is not None and (type(amount) is int or type(amount) is float):
            if amount < 0:
                out.append(Finding(join_path(*parts, "amount"), f"negative amount {amount}",
                                   "amount"))
            if not value.get("currency"):
                out.append(Finding(join_path(*parts, "currency"), f"amount {amount} has no "
                                   "currency", "amount"))
        for key, child in value.items():
            kind = type(child)
            if kind is dict or kind is list:
                parts.append(key)
                _walk_values(child, parts, out)
                parts.pop()
        return
    seen: dict[str, int] | None = None
    for index, item in enumerate(value):
        kind = type(item)
        if kind is dict:
            ident = item.get("id")
            if ident is not None:
                key = ident if type(ident) is str else str(ident)
                if seen is None:
                    seen = {key: index}
                elif key in seen:
                    out.append(Finding(join_path(*parts, index, "id"), f"id {ident!r} is also "
                                       f"used by {join_path(*parts, seen[key])}",
                                       "duplicate-id"))
                else:
                    seen[key] = index
        elif kind is not list:
            continue
        parts.append(index)
        _walk_values(item, parts, out)
        parts.pop()


def fingerprint(release: Any) -> str:
    text = json.dumps(release, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class DuplicateTracker:
    """Release ids seen so far in a file or package (per ocid, as OCDS scopes them)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], tuple[str, str]] = {}

    def check(self, release: dict[str, Any], where: str) -> Finding | None:
        ocid, rid = release.get("ocid"), release.get("id")
        if not isinstance(rid, str | int) or not isinstance(ocid, str):
            return None
        key = (ocid, str(rid))
        digest = fingerprint(release)
        previous = self._seen.get(key)
        if previous is None:
            self._seen[key] = (digest, where)
            return None
        if previous[0] == digest:
            return Finding("id", f"release {rid!r} repeats {previous[1]} (same content)",
                           "duplicate-id", "warning")
        return Finding("id", f"release {rid!r} is also {previous[1]}, with different content",
                       "duplicate-id")


__all__ = [
    "DuplicateTracker",
    "annotation_tree",
    "check_amounts_and_ids",
    "check_annotations",
    "check_dates",
    "check_ocid",
    "check_party_scale",
    "check_references",
    "check_techniques",
    "parse_datetime",
]

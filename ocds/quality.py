"""Data review of a publication, like OCP's tools: validation findings grouped by type, and
field coverage per stage (how many processes fill tender.value, award suppliers' ids...).

`QualityReport` accumulates one release or compiled release at a time (memory holds the
counts and a few examples, never the data) and turns into a plain JSON-able dict.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ocds.findings import Finding
from ocds.schema import OcdsSchema
from ocds.validate import validate_release

STAGES = ("planning", "tender", "award", "contract", "implementation")
EXAMPLES = 3
MAX_GROUPS = 200
_INDEX = re.compile(r"/\d+(?=/|$)")


def _get(obj: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _objects(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _filled(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, dict | list):
        return bool(value)
    return value is not None


def _money(value: Any) -> bool:
    amount = _get(value, "amount")
    return (
        isinstance(amount, int | float)
        and not isinstance(amount, bool)
        and _filled(_get(value, "currency"))
    )


def _period(value: Any) -> bool:
    return _filled(_get(value, "startDate")) and _filled(_get(value, "endDate"))


def _every(objects: list[dict[str, Any]], test: Callable[[dict[str, Any]], bool]) -> bool:
    return bool(objects) and all(test(obj) for obj in objects)


def _items(compiled: dict[str, Any]) -> list[dict[str, Any]]:
    return _objects(_get(compiled, "tender", "items"))


def _awards(compiled: dict[str, Any]) -> list[dict[str, Any]]:
    return _objects(compiled.get("awards"))


def _contracts(compiled: dict[str, Any]) -> list[dict[str, Any]]:
    return _objects(compiled.get("contracts"))


def _supplier_ids(award: dict[str, Any]) -> bool:
    return _every(_objects(award.get("suppliers")), lambda s: _filled(s.get("id")))


def _classified(item: dict[str, Any]) -> bool:
    return _filled(_get(item, "classification", "scheme")) and _filled(
        _get(item, "classification", "id")
    )


def _implementations(compiled: dict[str, Any]) -> list[dict[str, Any]]:
    return [c["implementation"] for c in _contracts(compiled) if _filled(c.get("implementation"))]


@dataclass(frozen=True)
class CoverageField:
    """One field whose coverage is counted; over arrays, *every* object must fill it."""

    key: str
    stage: str
    test: Callable[[dict[str, Any]], bool]


FIELDS: tuple[CoverageField, ...] = (
    CoverageField("planning/budget/amount", "planning",
                  lambda c: _money(_get(c, "planning", "budget", "amount"))),
    CoverageField("planning/rationale", "planning",
                  lambda c: _filled(_get(c, "planning", "rationale"))),
    CoverageField("planning/documents", "planning",
                  lambda c: _filled(_get(c, "planning", "documents"))),
    CoverageField("buyer/id", "tender", lambda c: _filled(_get(c, "buyer", "id"))),
    CoverageField("tender/title", "tender", lambda c: _filled(_get(c, "tender", "title"))),
    CoverageField("tender/description", "tender",
                  lambda c: _filled(_get(c, "tender", "description"))),
    CoverageField("tender/value", "tender", lambda c: _money(_get(c, "tender", "value"))),
    CoverageField("tender/procurementMethod", "tender",
                  lambda c: _filled(_get(c, "tender", "procurementMethod"))),
    CoverageField("tender/tenderPeriod", "tender",
                  lambda c: _period(_get(c, "tender", "tenderPeriod"))),
    CoverageField("tender/numberOfTenderers", "tender",
                  lambda c: isinstance(_get(c, "tender", "numberOfTenderers"), int)),
    CoverageField("tender/items/classification", "tender",
                  lambda c: _every(_items(c), _classified)),
    CoverageField("tender/items/quantity", "tender",
                  lambda c: _every(_items(c), lambda i: _filled(i.get("quantity")))),
    CoverageField("tender/items/unit/value", "tender",
                  lambda c: _every(_items(c), lambda i: _money(_get(i, "unit", "value")))),
    CoverageField("tender/documents", "tender",
                  lambda c: _filled(_get(c, "tender", "documents"))),
    CoverageField("awards/value", "award",
                  lambda c: _every(_awards(c), lambda a: _money(a.get("value")))),
    CoverageField("awards/date", "award",
                  lambda c: _every(_awards(c), lambda a: _filled(a.get("date")))),
    CoverageField("awards/suppliers/id", "award", lambda c: _every(_awards(c), _supplier_ids)),
    CoverageField("awards/items", "award",
                  lambda c: _every(_awards(c), lambda a: _filled(a.get("items")))),
    CoverageField("contracts/awardID", "contract",
                  lambda c: _every(_contracts(c), lambda k: _filled(k.get("awardID")))),
    CoverageField("contracts/value", "contract",
                  lambda c: _every(_contracts(c), lambda k: _money(k.get("value")))),
    CoverageField("contracts/period", "contract",
                  lambda c: _every(_contracts(c), lambda k: _period(k.get("period")))),
    CoverageField("contracts/dateSigned", "contract",
                  lambda c: _every(_contracts(c), lambda k: _filled(k.get("dateSigned")))),
    CoverageField("contracts/documents", "contract",
                  lambda c: _every(_contracts(c), lambda k: _filled(k.get("documents")))),
    CoverageField("contracts/implementation/transactions", "implementation",
                  lambda c: _every(_implementations(c), lambda i: _filled(i.get("transactions")))),
    CoverageField("contracts/implementation/milestones", "implementation",
                  lambda c: _every(_implementations(c), lambda i: _filled(i.get("milestones")))),
)  # fmt: skip


def at_stage(compiled: dict[str, Any], stage: str) -> bool:
    """Whether the process has reached ``stage`` (the denominator of its fields' coverage)."""
    if stage == "planning":
        return _filled(compiled.get("planning"))
    if stage == "tender":
        return _filled(compiled.get("tender"))
    if stage == "award":
        return bool(_awards(compiled))
    if stage == "contract":
        return bool(_contracts(compiled))
    return bool(_implementations(compiled))


def generic_path(path: str) -> str:
    """``tender/items/3/quantity`` -> ``tender/items/*/quantity``: one group per field."""
    return _INDEX.sub("/*", path)


@dataclass
class _Group:
    severity: str
    check: str
    path: str
    count: int = 0
    items: int = 0
    examples: list[dict[str, str]] = field(default_factory=list)


@dataclass
class QualityReport:
    """Counts over the releases and compiled releases fed to it."""

    schema: OcdsSchema
    releases: int = 0
    releases_with_errors: int = 0
    records: int = 0
    records_with_errors: int = 0
    groups: dict[tuple[str, str, str], _Group] = field(default_factory=dict)
    processes_at: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    filled: dict[str, int] = field(default_factory=lambda: {f.key: 0 for f in FIELDS})

    def add_release(self, release: Any) -> None:
        self.releases += 1
        if self._findings(release, "release", _ident(release, "id")):
            self.releases_with_errors += 1

    def add_compiled(self, compiled: Any) -> None:
        """A record's compiled release: validated, and counted for coverage."""
        self.records += 1
        if self._findings(compiled, "record", _ident(compiled, "ocid")):
            self.records_with_errors += 1
        if not isinstance(compiled, dict):
            return
        reached = {stage for stage in STAGES if at_stage(compiled, stage)}
        for stage in reached:
            self.processes_at[stage] += 1
        for coverage in FIELDS:
            if coverage.stage in reached and coverage.test(compiled):
                self.filled[coverage.key] += 1

    def _findings(self, data: Any, kind: str, ident: str) -> bool:
        findings: list[Finding] = validate_release(data, self.schema).findings
        seen: set[tuple[str, str, str]] = set()
        for finding in findings:
            key = (finding.severity, finding.check, generic_path(finding.path))
            group = self.groups.get(key)
            if group is None:
                if len(self.groups) >= MAX_GROUPS:
                    continue
                group = self.groups[key] = _Group(*key)
            group.count += 1
            if key not in seen:
                group.items += 1
                seen.add(key)
                if len(group.examples) < EXAMPLES:
                    group.examples.append({"kind": kind, "id": ident, "path": finding.path,
                                           "message": finding.message[:300]})  # fmt: skip
        return any(f.severity == "error" for f in findings)

    def as_dict(self) -> dict[str, Any]:
        groups = sorted(
            self.groups.values(), key=lambda g: (g.severity != "error", -g.count, g.check, g.path)
        )
        return {
            "releases": self.releases,
            "releases_with_errors": self.releases_with_errors,
            "records": self.records,
            "records_with_errors": self.records_with_errors,
            "findings": [
                {
                    "severity": g.severity,
                    "check": g.check,
                    "path": g.path,
                    "count": g.count,
                    "items": g.items,
                    "examples": g.examples,
                }
                for g in groups
            ],  # fmt: skip
            "stages": [
                {
                    "stage": stage,
                    "processes": self.processes_at[stage],
                    "fields": [
                        {"key": f.key, "filled": self.filled[f.key]}
                        for f in FIELDS
                        if f.stage == stage
                    ],
                }
                for stage in STAGES
            ],
        }


def _ident(data: Any, key: str) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, str) else ""

"""Machine-readable validation results: findings with JSON paths."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


def join_path(*parts: object) -> str:
    """`("tender", "items", 0)` -> `"tender/items/0"` (the JSON Pointer without its leading /)."""
    return "/".join(str(part) for part in parts if part != "")


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    message: str
    check: str
    severity: Severity = "error"

    def prefixed(self, prefix: str) -> Finding:
        if not prefix:
            return self
        return Finding(join_path(prefix, self.path), self.message, self.check, self.severity)

    def as_dict(self) -> dict[str, str]:
        return {
            "path": self.path,
            "message": self.message,
            "check": self.check,
            "severity": self.severity,
        }


@dataclass
class ValidationResult:
    """All findings about one release, package or record; `valid` means no error."""

    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def valid(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def extend(self, findings: Iterable[Finding], prefix: str = "") -> None:
        self.findings.extend(f.prefixed(prefix) for f in findings)

    def add(self, path: str, message: str, check: str, severity: Severity = "error") -> None:
        self.findings.append(Finding(path, message, check, severity))


@dataclass
class ItemResult:
    """The result for one item of a file: a release, a record, or the file itself.

    `item` locates it in the file ("releases/3", "line 12", "file"); finding paths are
    relative to the item; `ident` is the release id or ocid when there is one.
    """

    file: str
    item: str
    ident: str | None
    result: ValidationResult

    @property
    def valid(self) -> bool:
        return self.result.valid

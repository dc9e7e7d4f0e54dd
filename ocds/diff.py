"""What changed between consecutive releases of one contracting process, in readable lines.

A release may carry a full snapshot (ours do) or only the sections that changed (other
publishers' often do, and an award release may hold just ``awards``). So each release is
compared with the state of the process *before* it: the merge of every earlier release
(:func:`merge`, OCDS's merge rules without the schema: objects merge field by field,
arrays of objects with ``id`` merge by id, other arrays are replaced, ``null`` deletes).
Only the top-level sections the release carries are compared; the rest cannot have
changed.

Changes are data (:class:`Change`); views word them. Arrays of objects keyed by ``id``
give one line per added or removed entry (with a :class:`Summary`: name, parties,
amount) and field-level lines for entries present on both sides. Pure functions on plain
dicts: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

#: Release metadata: differs in every release and says nothing about the process.
METADATA = frozenset({"id", "date", "tag", "ocid", "initiationType"})

Op = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class Summary:
    """What identifies an entry of an array keyed by id, for a one-line mention."""

    id: str
    label: str = ""
    #: Names of the organisations it is about (award suppliers, bid tenderers).
    parties: tuple[str, ...] = ()
    amount: float | int | None = None
    currency: str = ""
    status: str = ""


@dataclass(frozen=True)
class Change:
    """One readable change. ``path`` is dotted, entries of keyed arrays as ``name[id]``.

    ``entry`` is set when a whole entry of a keyed array was added or removed (``path``
    is then the array's path); ``before``/``after`` hold scalar values or, for a value
    that is not a scalar, a short description (see :func:`brief`).
    """

    op: Op
    path: str
    before: Any = None
    after: Any = None
    entry: Summary | None = None


@dataclass(frozen=True)
class ReleaseDiff:
    """The changes one release made to the state before it (empty for the first)."""

    release_id: str
    first: bool
    changes: list[Change] = field(default_factory=list)


def _keyed(value: Any) -> bool:
    """An array whose entries are all objects with an ``id`` (merged by id in OCDS)."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and "id" in v for v in value)
    )


def merge(state: dict[str, Any], release: dict[str, Any]) -> dict[str, Any]:
    """``state`` with ``release`` merged onto it; neither argument is modified.

    Unchanged branches are shared with ``state``, not copied: treat results as read-only.
    """
    result = dict(state)
    for key, value in release.items():
        if value is None:
            result.pop(key, None)
        elif key in result:
            # Full-snapshot releases repeat most sections unchanged: equality is checked
            # in C, far cheaper than merging field by field.
            if result[key] != value:
                result[key] = _merge_value(result[key], value)
        else:
            result[key] = _strip_nulls(value)
    return result


def _merge_value(old: Any, new: Any) -> Any:
    if isinstance(old, dict) and isinstance(new, dict):
        return merge(old, new)
    if _keyed(new) and (_keyed(old) or old == []):
        merged: dict[str, Any] = {str(v["id"]): v for v in old}
        for entry in new:
            key = str(entry["id"])
            if key not in merged:
                merged[key] = _strip_nulls(entry)
            elif merged[key] != entry:
                merged[key] = merge(merged[key], entry)
        return list(merged.values())
    return _strip_nulls(new)


def _strip_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_nulls(v) for v in value]
    return value


def diff(before: Any, after: Any, path: str = "") -> list[Change]:
    """Every change from ``before`` to ``after`` (two states, or two values at ``path``)."""
    return list(_diff(before, after, path))


_MISSING = object()


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _diff(before: Any, after: Any, path: str) -> Iterator[Change]:
    if before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in [*after, *(k for k in before if k not in after)]:
            old, new = before.get(key, _MISSING), after.get(key, _MISSING)
            yield from _diff(old, new, _join(path, key))
        return
    if before is _MISSING:
        yield from _appeared(after, path)
        return
    if after is _MISSING:
        yield from _disappeared(before, path)
        return
    if _keyed(before) and _keyed(after):
        yield from _diff_keyed(before, after, path)
        return
    if isinstance(after, list) and not after and _keyed(before):
        yield from _disappeared(before, path)
        return
    if isinstance(before, list) and not before and _keyed(after):
        yield from _appeared(after, path)
        return
    yield Change("changed", path, before=brief(before), after=brief(after))


def _scalar_list(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(v, dict | list) for v in value)


def _appeared(value: Any, path: str) -> Iterator[Change]:
    if _keyed(value):
        for entry in value:
            yield Change("added", path, entry=summarise(entry))
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _appeared(inner, _join(path, key))
    else:
        yield Change("added", path, after=brief(value))


def _disappeared(value: Any, path: str) -> Iterator[Change]:
    if _keyed(value):
        for entry in value:
            yield Change("removed", path, entry=summarise(entry))
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _disappeared(inner, _join(path, key))
    else:
        yield Change("removed", path, before=brief(value))


def _diff_keyed(before: list[Any], after: list[Any], path: str) -> Iterator[Change]:
    old = {str(v["id"]): v for v in before}
    new = {str(v["id"]): v for v in after}
    for key, entry in new.items():
        if key not in old:
            yield Change("added", path, entry=summarise(entry))
        else:
            yield from _diff(old[key], entry, f"{path}[{key}]")
    for key, entry in old.items():
        if key not in new:
            yield Change("removed", path, entry=summarise(entry))


def brief(value: Any) -> Any:
    """A scalar as is; a list of scalars as a list; anything else as a short description."""
    if isinstance(value, dict):
        return f"{{{', '.join(list(value)[:4])}{', …' if len(value) > 4 else ''}}}"
    if isinstance(value, list):
        if _scalar_list(value):
            return list(value)
        return f"[{len(value)}]"
    return value


def _names(orgs: Any) -> tuple[str, ...]:
    if not isinstance(orgs, list):
        return ()
    return tuple(
        str(o.get("name") or o.get("id")) for o in orgs if isinstance(o, dict) and o.get("id")
    )


def summarise(entry: dict[str, Any]) -> Summary:
    """The id, a label, the organisations and the amount of an entry (award, bid, item…)."""
    label = ""
    for key in ("title", "name", "description", "measure", "rationale"):
        text = entry.get(key)
        if isinstance(text, str) and text.strip():
            label = text.strip()
            break
    parties = _names(entry.get("suppliers")) or _names(entry.get("tenderers"))
    if not parties and isinstance(entry.get("payee"), dict):
        parties = _names([entry["payee"]])
    amount: float | int | None = None
    currency = ""
    value = entry.get("value")
    if not isinstance(value, dict):
        value = entry.get("amount")  # transactions (OCDS 1.1 uses value; older used amount)
    if isinstance(value, dict):
        raw = value.get("amount")
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            amount = raw
            currency = str(value.get("currency") or "")
    status = entry.get("status")
    return Summary(
        id=str(entry.get("id")),
        label=label,
        parties=parties,
        amount=amount,
        currency=currency,
        status=status if isinstance(status, str) else "",
    )


def release_diffs(releases: Sequence[dict[str, Any]]) -> list[ReleaseDiff]:
    """The changes of each release (in the order given, which should be sequence order)
    relative to the merge of all the releases before it."""
    result: list[ReleaseDiff] = []
    state: dict[str, Any] = {}
    for n, release in enumerate(releases):
        if not isinstance(release, dict):
            result.append(ReleaseDiff("", first=n == 0))
            continue
        release_id = str(release.get("id") or "")
        after = merge(state, release)
        if n == 0:
            result.append(ReleaseDiff(release_id, first=True))
        else:
            changes: list[Change] = []
            for key in _sections(release):
                changes.extend(_diff(state.get(key, _MISSING), after.get(key, _MISSING), key))
            result.append(ReleaseDiff(release_id, first=False, changes=changes))
        state = after
    return result


def _sections(release: dict[str, Any]) -> Iterable[str]:
    # The process first; who the parties are is context, listed last.
    keys = [key for key in release if key not in METADATA]
    return sorted(keys, key=lambda key: key == "parties")

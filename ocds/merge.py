"""Compile records from releases: ocdsmerge on the local patched schema, and a fast path.

`compile_record` gives exactly `ocdsmerge.Merger(schema).create_compiled_release(...)`.
ocdsmerge flattens every release into a dict of path tuples and rebuilds the tree; the
fast path merges the nested dicts directly with the same rules (omitWhenMerged,
wholeListMerge, identifier merge of arrays of objects). Where ocdsmerge's flattening
has behaviour that is hard to mirror (a null over an object, a type that changes between
releases, objects without `id` or with non-string ids, duplicate ids in one array,
releases without a string `date`), the fast path gives up and ocdsmerge decides.
"""

from __future__ import annotations

import gc
from operator import itemgetter
from typing import Any

import ocdsmerge

from ocds.schema import OcdsSchema

# Compiled merge rules: per key, (rule, child rules); rule is "omit", "whole" or None.
Rules = dict[str, tuple[str | None, "Rules"]]
_OMIT = "omit"
_WHOLE = "whole"


class _Fallback(Exception):
    """The releases have a shape where only ocdsmerge defines the answer."""


def merger(schema: OcdsSchema) -> ocdsmerge.Merger:
    cached = schema.cache.get("merger")
    if cached is None:
        cached = ocdsmerge.Merger(schema=local_refs_schema(schema))
        schema.cache["merger"] = cached
    assert isinstance(cached, ocdsmerge.Merger)
    return cached


def local_refs_schema(schema: OcdsSchema) -> dict[str, Any]:
    """The patched release schema without its `id`, for ocdsmerge and ocdskit.

    jsonref resolves "#/definitions/..." against the schema's `id`, the official URL, and
    so would download the unpatched schema; without `id` the references stay local.
    """
    return {key: value for key, value in schema.release_schema.items() if key != "id"}


def _rules(schema: OcdsSchema) -> Rules:
    cached = schema.cache.get("merge_tree")
    if cached is None:
        flat = merger(schema).merge_rules
        tree: Rules = {}
        for path, rule in sorted(flat.items(), key=lambda kv: len(kv[0])):
            node = tree
            for part in path[:-1]:
                node = node.setdefault(part, (None, {}))[1]
            value = _OMIT if rule == "omitWhenMerged" else _WHOLE
            node[path[-1]] = (value, node.get(path[-1], (None, {}))[1])
        # ocdsmerge drops `tag` from each release whatever the schema says.
        tree["tag"] = (_OMIT, {})
        cached = tree
        schema.cache["merge_tree"] = cached
    return cached  # type: ignore[no-any-return]


def compile_record(releases: list[dict[str, Any]], schema: OcdsSchema) -> dict[str, Any]:
    """The compiled release of one contracting process (same result as ocdsmerge)."""
    # Merging allocates many small dicts and no reference cycles: pausing the cyclic
    # garbage collector stops it from re-scanning every live object (all the releases
    # of a bulk export) over and over, which otherwise takes half the time.
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return fast_compile(releases, schema)
    except _Fallback:
        return merger(schema).create_compiled_release(list(releases))
    finally:
        if paused:
            gc.enable()


def versioned_release(releases: list[dict[str, Any]], schema: OcdsSchema) -> dict[str, Any]:
    """The versioned release (the history of each field), by ocdsmerge."""
    return merger(schema).create_versioned_release(list(releases))


def reference_compile(releases: list[dict[str, Any]], schema: OcdsSchema) -> dict[str, Any]:
    """ocdsmerge alone, for comparisons."""
    return merger(schema).create_compiled_release(list(releases))


def fast_compile(releases: list[dict[str, Any]], schema: OcdsSchema) -> dict[str, Any]:
    """Merge nested dicts directly; raises _Fallback where ocdsmerge's quirks matter."""
    if not releases:
        raise _Fallback
    for release in releases:
        if type(release) is not dict or type(release.get("date")) is not str:
            raise _Fallback
    ordered = releases if len(releases) == 1 else sorted(releases, key=itemgetter("date"))
    rules = _rules(schema)
    compiled: dict[str, Any] = {"tag": ["compiled"]}
    containers: set[int] = set()
    indexes: dict[int, dict[str, dict[str, Any]]] = {}
    for release in ordered:
        ocid = release.get("ocid")
        if ocid is None:
            raise _Fallback
        date = release["date"]
        compiled["id"] = f"{ocid}-{date}"
        compiled["date"] = date
        compiled["ocid"] = ocid
        _merge_object(compiled, release, rules, containers, indexes)
    return compiled


_NO_RULES: Rules = {}


def _merge_object(
    target: dict[str, Any],
    source: dict[str, Any],
    rules: Rules,
    containers: set[int],
    indexes: dict[int, dict[str, dict[str, Any]]],
) -> None:
    # One function with inline type tests: this loop is the whole cost of compiling.
    for key, value in source.items():
        entry = rules.get(key)
        if entry is None:
            rule, child_rules = None, _NO_RULES
        else:
            rule, child_rules = entry
            if rule is _OMIT:
                continue
        kind = type(value)
        leaf = rule is _WHOLE or (kind is not dict and kind is not list)
        if not leaf and kind is list:
            for item in value:
                if type(item) is not dict:
                    leaf = True  # ocdsmerge keeps arrays with any non-object whole
                    break
        current = target.get(key)
        if leaf:
            if current is not None and id(current) in containers:
                raise _Fallback  # a value over an object or an array of objects
            if value is None:
                target.pop(key, None)
            else:
                target[key] = value
            continue
        if not value:
            continue  # ocdsmerge ignores empty objects and arrays
        if current is None:
            current = {} if kind is dict else []
            containers.add(id(current))
            if kind is list:
                indexes[id(current)] = {}
            target[key] = current
        elif id(current) not in containers or type(current) is not kind:
            raise _Fallback  # an object over a value, or an array over an object
        if kind is dict:
            _merge_object(current, value, child_rules, containers, indexes)  # type: ignore[arg-type]
        else:
            _merge_array(current, value, child_rules, containers, indexes)  # type: ignore[arg-type]


def _merge_array(
    target: list[dict[str, Any]],
    source: list[dict[str, Any]],
    rules: Rules,
    containers: set[int],
    indexes: dict[int, dict[str, dict[str, Any]]],
) -> None:
    index = indexes[id(target)]
    seen: set[str] = set()
    for item in source:
        identifier = item.get("id")
        if type(identifier) is not str or identifier in seen:
            raise _Fallback  # no id, a non-string id, or a duplicate id in one array
        seen.add(identifier)
        node = index.get(identifier)
        if node is None:
            node = {"id": identifier}
            containers.add(id(node))
            index[identifier] = node
            target.append(node)
        _merge_object(node, item, rules, containers, indexes)


def merge_onto_compiled(
    compiled: dict[str, Any], release: dict[str, Any], schema: OcdsSchema
) -> dict[str, Any]:
    """``compile_record([compiled, release])``, in time that grows with ``release``
    rather than with ``compiled``.

    ``compiled`` is not changed: only the objects and arrays that ``release`` reaches
    are copied (shallowly) and merged into, the rest is shared. An array of objects
    is indexed by id only when the release reaches it. Where the fast path would give
    up, and when ``release`` does not sort last, the whole merge decides.
    """
    date = release.get("date") if type(release) is dict else None
    ocid = release.get("ocid") if type(release) is dict else None
    last = compiled.get("date")
    if type(date) is not str or ocid is None or type(last) is not str or date < last:
        return compile_record([compiled, release], schema)
    rules = _rules(schema)
    containers: set[int] = set()
    indexes: dict[int, dict[str, dict[str, Any]]] = {}
    result = dict(compiled)
    try:
        _adopt(result, release, rules, containers, indexes)
        result["id"] = f"{ocid}-{date}"
        result["date"] = date
        result["ocid"] = ocid
        _merge_object(result, release, rules, containers, indexes)
    except _Fallback:
        return compile_record([compiled, release], schema)
    return result


def _adopt(
    target: dict[str, Any],
    source: dict[str, Any],
    rules: Rules,
    containers: set[int],
    indexes: dict[int, dict[str, dict[str, Any]]],
) -> None:
    """Copy the objects and arrays of ``target`` that merging ``source`` reaches, and
    register them as ``fast_compile`` registers what it builds (``target`` is a compiled
    release: its objects, and its arrays of objects outside wholeListMerge, are
    containers)."""
    for key, value in source.items():
        entry = rules.get(key)
        rule, child_rules = (None, _NO_RULES) if entry is None else entry
        if rule is _OMIT or rule is _WHOLE:
            continue
        current = target.get(key)
        if type(current) is dict:
            node = dict(current)
            target[key] = node
            containers.add(id(node))
            if type(value) is dict:
                _adopt(node, value, child_rules, containers, indexes)
        elif type(current) is list and current and all(type(i) is dict for i in current):
            array = list(current)
            target[key] = array
            containers.add(id(array))
            positions: dict[str, int] = {}
            for position, item in enumerate(array):
                identifier = item.get("id")
                if type(identifier) is not str or identifier in positions:
                    raise _Fallback
                positions[identifier] = position
            index = {identifier: array[position] for identifier, position in positions.items()}
            indexes[id(array)] = index
            if type(value) is not list:
                continue
            for item in value:
                identifier = item.get("id") if type(item) is dict else None
                if type(identifier) is not str or identifier not in positions:
                    continue
                reached = positions[identifier]
                node = dict(array[reached])
                array[reached] = node
                containers.add(id(node))
                index[identifier] = node
                _adopt(node, item, child_rules, containers, indexes)

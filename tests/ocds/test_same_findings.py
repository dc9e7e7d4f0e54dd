"""Our schema findings are jsonschema's Draft4Validator findings, also on broken releases.

The fast yes/no validator must never accept what jsonschema rejects: this mutates
generated releases (wrong types, nulls, missing fields, unknown and language keys) and
compares.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from typing import Any

from jsonschema import Draft4Validator

from ocds.synthetic import generate_releases
from ocds.validate import release_schema_findings

VALUES: list[Any] = [None, 1, 1.0, 1.5, -2, True, "", "x", "2024-01-01", [], {}, ["a"], [1],
                     [{}], {"id": 1}, {"amount": "1"}, 10**30, [None], {"title_en": "x"}]
DELETE = object()


def _paths(obj: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if path:
        yield path
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _paths(value, (*path, key))
    elif isinstance(obj, list):
        for index, value in enumerate(obj):
            yield from _paths(value, (*path, index))


def _mutate(release: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    mutated = copy.deepcopy(release)
    for _ in range(rng.randint(1, 2)):
        path = rng.choice(list(_paths(mutated)))
        parent = mutated
        for key in path[:-1]:
            parent = parent[key]
        value = rng.choice([*VALUES, DELETE])
        if value is DELETE:
            if isinstance(parent, dict):
                del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(value)
    if rng.random() < 0.3 and isinstance(mutated.get("tender"), dict):
        key = rng.choice(["title_es", "description_en", "extra", "title_zz-Latn"])
        mutated["tender"][key] = copy.deepcopy(rng.choice(VALUES))
    return mutated


def test_findings_equal_plain_jsonschema_on_mutated_releases(schema) -> None:
    plain = Draft4Validator(schema.release_schema)
    rng = random.Random(20)
    compared = invalid = 0
    for release in generate_releases(150, seed=13):
        for _ in range(4):
            mutated = _mutate(release, rng)
            expected = sorted(("/".join(map(str, e.absolute_path)), e.message)
                              for e in plain.iter_errors(mutated))
            ours = sorted((f.path, f.message) for f in release_schema_findings(mutated, schema))
            assert ours == expected, mutated
            compared += 1
            invalid += bool(expected)
    assert compared == 600 and invalid > 150  # a real mix of valid and invalid releases

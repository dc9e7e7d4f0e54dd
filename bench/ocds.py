"""Benchmark of the OCDS library against the reference tools, on generated releases.

    .venv/bin/python bench/ocds.py [--releases 100000] [--seed 1] [--invalid 0.02]

Prints, for one run on the same data: compile rate of `ocds.merge.compile_record` vs
`ocdskit.combine.merge` (both with the local patched schema) and the validation rate of
`ocds.validate` vs jsonschema's plain `Draft4Validator`, checking that the compiled
releases and the schema findings are identical.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ocdskit.combine  # noqa: E402
from jsonschema import Draft4Validator  # noqa: E402

from ocds.merge import compile_record, local_refs_schema  # noqa: E402
from ocds.schema import load_schema  # noqa: E402
from ocds.synthetic import generate_releases  # noqa: E402
from ocds.validate import release_schema_findings, validate_release  # noqa: E402


def spoil(release: dict[str, Any], rng: random.Random) -> None:
    """One of the mistakes publishers make, so that findings are compared too."""
    choice = rng.randrange(4)
    if choice == 0:
        release["tender"] = dict(release.get("tender", {}), status="open-ish")
    elif choice == 1:
        release.pop("initiationType", None)
    elif choice == 2:
        release["date"] = 20240101
    else:
        release["parties"] = [dict(release["parties"][0], roles="buyer")]


def timed(label: str, function: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    value = function()
    elapsed = time.perf_counter() - start
    print(f"  {label:<44} {elapsed:8.2f} s", flush=True)
    return value, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--invalid", type=float, default=0.02,
                        help="share of releases given a schema error")
    args = parser.parse_args()

    schema = load_schema()
    releases = list(generate_releases(args.releases, seed=args.seed))
    count = len(releases)
    print(f"{count} releases, {len({r['ocid'] for r in releases})} processes")

    print("compile (records of all processes)")
    package = {"uri": "", "publisher": {"name": "bench"}, "publishedDate": "", "version": "1.1",
               "releases": releases}
    reference_schema = local_refs_schema(schema)
    theirs, t_theirs = timed("ocdskit.combine.merge",
                             lambda: list(ocdskit.combine.merge([package],
                                                                schema=reference_schema)))

    def ours_compile() -> list[dict[str, Any]]:
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for release in releases:
            groups[release["ocid"]].append(release)
        return [compile_record(groups[ocid], schema) for ocid in sorted(groups)]

    ours, t_ours = timed("ocds.merge.compile_record", ours_compile)
    print(f"  identical compiled releases: {ours == theirs}")
    print(f"  rate: ours {count / t_ours:,.0f}/s, ocdskit {count / t_theirs:,.0f}/s, "
          f"ratio {t_theirs / t_ours:.2f}x")

    print("validate")
    rng = random.Random(args.seed)  # spoil some releases only now: compiling needs dates
    for release in releases:
        if rng.random() < args.invalid:
            spoil(release, rng)
    release_schema_findings(releases[0], schema)  # compile once, outside the timing
    plain = Draft4Validator(schema.release_schema)

    def plain_findings() -> list[set[tuple[str, str]]]:
        return [{("/".join(map(str, e.absolute_path)), e.message) for e in plain.iter_errors(r)}
                for r in releases]

    def our_schema_findings() -> list[set[tuple[str, str]]]:
        return [{(f.path, f.message) for f in release_schema_findings(r, schema)}
                for r in releases]

    def our_full_findings() -> list[set[tuple[str, str]]]:
        return [{(f.path, f.message) for f in validate_release(r, schema).findings
                 if f.check == "schema"} for r in releases]

    expected, t_plain = timed("jsonschema Draft4Validator", plain_findings)
    schema_only, t_schema = timed("ocds.validate (schema findings)", our_schema_findings)
    full, t_full = timed("ocds.validate_release (schema + Data Review)", our_full_findings)
    invalid = sum(1 for found in expected if found)
    print(f"  releases with schema findings: {invalid}; identical findings: "
          f"{schema_only == expected and full == expected}")
    print(f"  rate: plain {count / t_plain:,.0f}/s, ours schema-only {count / t_schema:,.0f}/s "
          f"({t_plain / t_schema:.2f}x), ours with all checks {count / t_full:,.0f}/s "
          f"({t_plain / t_full:.2f}x)")


if __name__ == "__main__":
    main()

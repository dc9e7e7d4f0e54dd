"""Release and record packages (OCDS 1.1): the envelope every API response and bulk file uses.

Plain dicts in, dicts out; the streaming writer lets bulk files of any size be written
without holding them in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
OCDS_VERSION = "1.1"


@dataclass(frozen=True)
class PackageMetadata:
    """What a package says about itself besides its releases or records."""

    uri: str
    published_date: str
    publisher_name: str
    publisher_uri: str
    publication_policy: str
    extensions: list[str] = field(default_factory=list)
    license: str = LICENSE_URL

    def envelope(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "uri": self.uri,
            "version": OCDS_VERSION,
            "publishedDate": self.published_date,
            "publisher": {"name": self.publisher_name, "uri": self.publisher_uri},
            "license": self.license,
            "publicationPolicy": self.publication_policy,
        }
        if self.extensions:
            data["extensions"] = list(self.extensions)
        return data


def release_package(
    meta: PackageMetadata, releases: list[dict[str, Any]], next_url: str | None = None
) -> dict[str, Any]:
    package = meta.envelope()
    package["releases"] = releases
    if next_url:
        package["links"] = {"next": next_url}
    return package


def record_package(
    meta: PackageMetadata, records: list[dict[str, Any]], next_url: str | None = None
) -> dict[str, Any]:
    package = meta.envelope()
    package["records"] = records
    if next_url:
        package["links"] = {"next": next_url}
    return package


def linked_release(url: str, date: str, tags: list[str]) -> dict[str, Any]:
    return {"url": url, "date": date, "tag": tags}


def record(
    ocid: str,
    releases: list[dict[str, Any]],
    compiled: dict[str, Any],
    versioned: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A record: its releases (embedded or linked), compiledRelease, optional versionedRelease."""
    data: dict[str, Any] = {"ocid": ocid, "releases": releases, "compiledRelease": compiled}
    if versioned is not None:
        data["versionedRelease"] = versioned
    return data


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


#: What closes a package written by ``package_head`` and ``write_items``.
PACKAGE_TAIL = "]}\n"


def package_head(meta: PackageMetadata, key: str) -> str:
    """The package's JSON up to the opening bracket of its ``key`` array."""
    return dumps(meta.envelope())[:-1] + f',"{key}":['


def write_items(out: IO[str], items: Iterable[dict[str, Any] | str]) -> int:
    """Write array items comma-separated (a dict, or a string that already is its JSON)."""
    count = 0
    for item in items:
        if count:
            out.write(",")
        out.write(item if isinstance(item, str) else dumps(item))
        count += 1
    return count


def write_package(
    out: IO[str], meta: PackageMetadata, key: str, items: Iterable[dict[str, Any] | str]
) -> int:
    """Stream a package whose ``key`` ("releases" or "records") array is ``items``.

    Memory does not grow with the number of items; returns how many were written.
    """
    out.write(package_head(meta, key))
    count = write_items(out, items)
    out.write(PACKAGE_TAIL)
    return count

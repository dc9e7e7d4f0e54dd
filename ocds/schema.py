"""The OCDS 1.1.5 schema with our extensions applied, found locally or in a user cache.

Lookup order for the schema and for the extensions directories: the explicit argument,
the environment (`OCDS_SCHEMA_DIR`, `OCDS_EXTENSIONS_DIR`), `../shared/...` next to the
project root or the current directory, then a per-user cache filled from the official
URLs. Nothing here fetches at validation or merge time: only `load_schema` may download,
once, into the cache.

Our own extensions live in this repository, one directory each under `ocds/extensions/`
(extension.json, release-schema.json, optional codelists/ and README.md). Every such
directory is applied after the official ones, in name order, and advertised as
`<own extensions URL><name>/extension.json`: the app serves the directories at
`/ocds/extensions/<name>/...` and hands its public address to `load_schema`.

Official extensions whose schemas are not at hand and whose fields core OCDS already
allows (an open object such as `Organization.details`) are *declared, not patched*: their
URLs, in :data:`DECLARED_EXTENSIONS`, are listed in packages' `extensions`, and any codes
they fix are checked in `ocds.checks`. Schemas from elsewhere are never copied here.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMA_VERSION_TAG = "1__1__5"
SCHEMA_BASE_URL = f"https://standard.open-contracting.org/schema/{SCHEMA_VERSION_TAG}/"
SCHEMA_FILES = ("release-schema.json", "release-package-schema.json", "record-package-schema.json")
CORE_CODELISTS = (
    "awardCriteria", "awardStatus", "contractStatus", "currency", "documentType",
    "extendedProcurementCategory", "initiationType", "itemClassificationScheme", "method",
    "milestoneStatus", "milestoneType", "partyRole", "procurementCategory", "relatedProcess",
    "relatedProcessScheme", "releaseTag", "submissionMethod", "tenderStatus",
    "unitClassificationScheme",
)  # fmt: skip
EXTENSION_BASE_URL = "https://raw.githubusercontent.com/open-contracting-extensions/"
# Applied in this order: submissionTerms patches the Lot object that lots defines.
DEFAULT_EXTENSIONS: dict[str, str] = {
    "bid": "ocds_bid_extension/v1.1.5",
    "lots": "ocds_lots_extension/v1.1.5",
    "process_title": "ocds_process_title_extension/v1.1.5",
    "submissionTerms": "ocds_submissionTerms_extension/main",
}
#: Declared, not patched (see the module docstring): extension.json URLs listed in
#: packages' `extensions` after the applied ones.
DECLARED_EXTENSIONS: tuple[str, ...] = (
    # parties[].details.scale (micro, sme, large): checked by ocds.checks.check_party_scale.
    f"{EXTENSION_BASE_URL}ocds_partyDetails_scale_extension/v1.1.5/extension.json",
    # tender.techniques.hasFrameworkAgreement (core leaves Tender open): checked by
    # ocds.checks.check_techniques.
    f"{EXTENSION_BASE_URL}ocds_techniques_extension/v1.1.5/extension.json",
)
_PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Our own extensions, one directory each (see the module docstring).
OWN_EXTENSIONS_DIR = Path(__file__).resolve().parent / "extensions"
#: Where our own extensions are published when nothing else is configured: the address
#: of a development server (the app passes its PUBLIC_BASE_URL instead).
DEFAULT_OWN_EXTENSIONS_URL = "http://127.0.0.1:5000/ocds/extensions/"


class SchemaNotFound(RuntimeError):
    """The schema (or an extension) is neither on disk nor downloadable."""


@dataclass(frozen=True)
class Extension:
    """An extension directory (extension.json, release-schema.json, codelists/).

    `url` is the canonical extension.json URL listed in packages' `extensions`; an
    extension without one is applied but not advertised.
    """

    name: str
    directory: Path
    url: str | None = None


@dataclass
class OcdsSchema:
    """The patched release schema, the package schemas and the merged codelists."""

    release_schema: dict[str, Any]
    release_package_schema: dict[str, Any]
    record_package_schema: dict[str, Any]
    codelists: dict[str, set[str]]
    extensions: list[Extension]
    schema_dir: Path
    extensions_dir: Path | None
    # Derived artefacts (compiled validators, merge rules) cached by other modules.
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def extension_urls(self) -> list[str]:
        """The applied extensions that have a URL, then the declared ones."""
        applied = [ext.url for ext in self.extensions if ext.url]
        return [*applied, *(url for url in DECLARED_EXTENSIONS if url not in applied)]

    def __hash__(self) -> int:
        return id(self)


def merge_patch(target: Any, patch: Any) -> Any:
    """JSON Merge Patch (RFC 7386), the way OCDS extensions patch the release schema.

    Returns a new value; `target` is left untouched.
    """
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def read_codelist(path: Path) -> set[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return {row["Code"] for row in csv.DictReader(f) if row.get("Code")}


def _apply_codelists(codelists: dict[str, set[str]], directory: Path) -> None:
    """Add an extension's codelists: new files, `+name.csv` additions, `-name.csv` removals."""
    if not directory.is_dir():
        return
    for path in sorted(directory.glob("*.csv")):
        name = path.name
        codes = read_codelist(path)
        if name.startswith("+"):
            codelists.setdefault(name[1:], set()).update(codes)
        elif name.startswith("-"):
            codelists.setdefault(name[1:], set()).difference_update(codes)
        else:
            codelists[name] = codes


def _candidates(explicit: str | Path | None, env: str, relative: str) -> list[Path]:
    if explicit is not None:
        return [Path(explicit)]
    if os.environ.get(env):
        return [Path(os.environ[env])]
    return [_PROJECT_ROOT / relative, Path.cwd() / relative]


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tianguis" / "ocds"


def _download(url: str, dest: Path) -> None:
    if not url.startswith(("https://", "http://")):
        raise SchemaNotFound(f"refusing to download from a non-HTTP URL: {url}")
    try:
        with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310 (checked above)
            body = response.read()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SchemaNotFound(f"cannot download {url}: {reason}") from exc
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(dest.suffix + ".part")
    tmp.write_bytes(body)
    tmp.replace(dest)


def _fill_schema_cache(dest: Path, base_url: str) -> None:
    for name in SCHEMA_FILES:
        if not (dest / name).is_file():
            _download(base_url + name, dest / name)
    for code in CORE_CODELISTS:
        path = dest / "codelists" / f"{code}.csv"
        if not path.is_file():
            _download(f"{base_url}codelists/{code}.csv", path)


def _fill_extension_cache(dest: Path, url: str) -> None:
    base = url.rsplit("/", 1)[0] + "/"
    if not (dest / "extension.json").is_file():
        _download(url, dest / "extension.json")
    meta = json.loads((dest / "extension.json").read_text(encoding="utf-8"))
    for name in meta.get("schemas", []):
        if name == "release-schema.json" and not (dest / name).is_file():
            _download(base + name, dest / name)
    for name in meta.get("codelists", []):
        if not (dest / "codelists" / name).is_file():
            _download(f"{base}codelists/{name}", dest / "codelists" / name)


def find_schema_dir(schema_dir: str | Path | None = None) -> Path:
    tried = _candidates(schema_dir, "OCDS_SCHEMA_DIR", f"../shared/ocds-schema/{_dotted()}")
    for path in tried:
        if (path / "release-schema.json").is_file():
            return path.resolve()
    if schema_dir is not None or os.environ.get("OCDS_SCHEMA_DIR"):
        raise SchemaNotFound(f"OCDS schema not found: no release-schema.json in {tried[0]}")
    dest = cache_root() / "schema" / SCHEMA_VERSION_TAG
    base_url = os.environ.get("OCDS_SCHEMA_URL", SCHEMA_BASE_URL)
    try:
        _fill_schema_cache(dest, base_url)
    except SchemaNotFound as exc:
        places = ", ".join(str(p) for p in tried)
        raise SchemaNotFound(
            f"OCDS schema not found in {places} nor in the cache {dest}, and {exc} "
            "(set OCDS_SCHEMA_DIR to a copy of the 1.1.5 schema)"
        ) from exc
    return dest


def find_extensions_dir(extensions_dir: str | Path | None = None) -> Path:
    tried = _candidates(extensions_dir, "OCDS_EXTENSIONS_DIR", "../shared/ocds-extensions")
    for path in tried:
        if all((path / name / "release-schema.json").is_file() for name in DEFAULT_EXTENSIONS):
            return path.resolve()
    if extensions_dir is not None or os.environ.get("OCDS_EXTENSIONS_DIR"):
        missing = [n for n in DEFAULT_EXTENSIONS if not (tried[0] / n).is_dir()]
        raise SchemaNotFound(
            f"OCDS extensions not found in {tried[0]} (missing: {', '.join(missing) or 'files'})"
        )
    dest = cache_root() / "extensions"
    base_url = os.environ.get("OCDS_EXTENSIONS_URL", EXTENSION_BASE_URL)
    try:
        for name, ref in DEFAULT_EXTENSIONS.items():
            _fill_extension_cache(dest / name, f"{base_url}{ref}/extension.json")
    except SchemaNotFound as exc:
        places = ", ".join(str(p) for p in tried)
        raise SchemaNotFound(
            f"OCDS extensions not found in {places} nor in the cache {dest}, and {exc} "
            "(set OCDS_EXTENSIONS_DIR to a directory holding bid, lots, process_title, "
            "submissionTerms)"
        ) from exc
    return dest


def _dotted() -> str:
    return SCHEMA_VERSION_TAG.replace("__", ".")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SchemaNotFound(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise SchemaNotFound(f"{path} is not a JSON object")
    return data


def _as_extension(item: str | Path | Extension) -> Extension:
    if isinstance(item, Extension):
        return item
    path = Path(item)
    return Extension(name=path.name, directory=path)


def build_schema(
    schema_dir: Path, extensions: Sequence[Extension], extensions_dir: Path | None = None
) -> OcdsSchema:
    """Patch the release schema with each extension, in order, and merge codelists."""
    release = _read_json(schema_dir / "release-schema.json")
    codelists = {
        path.name: read_codelist(path) for path in sorted((schema_dir / "codelists").glob("*.csv"))
    }
    for ext in extensions:
        patch_path = ext.directory / "release-schema.json"
        if not patch_path.is_file():
            raise SchemaNotFound(f"extension {ext.name}: no release-schema.json in {ext.directory}")
        release = merge_patch(release, _read_json(patch_path))
        _apply_codelists(codelists, ext.directory / "codelists")
    return OcdsSchema(
        release_schema=release,
        release_package_schema=_read_json(schema_dir / "release-package-schema.json"),
        record_package_schema=_read_json(schema_dir / "record-package-schema.json"),
        codelists=codelists,
        extensions=list(extensions),
        schema_dir=schema_dir,
        extensions_dir=extensions_dir,
    )


def own_extensions(base_url: str | None = None) -> list[Extension]:
    """Our own extensions (`ocds/extensions/<name>/` holding an extension.json), in name
    order, advertised under ``base_url`` (default: `OCDS_OWN_EXTENSIONS_URL`, then
    :data:`DEFAULT_OWN_EXTENSIONS_URL`)."""
    base = base_url or os.environ.get("OCDS_OWN_EXTENSIONS_URL") or DEFAULT_OWN_EXTENSIONS_URL
    base = base.rstrip("/") + "/"
    if not OWN_EXTENSIONS_DIR.is_dir():
        return []
    return [
        Extension(path.name, path, f"{base}{path.name}/extension.json")
        for path in sorted(OWN_EXTENSIONS_DIR.iterdir())
        if (path / "extension.json").is_file()
    ]


def load_schema(
    schema_dir: str | Path | None = None,
    extensions_dir: str | Path | None = None,
    extra_extensions: Iterable[str | Path | Extension] = (),
    own_extensions_url: str | None = None,
) -> OcdsSchema:
    """The patched schema (official extensions, then ours, then ``extra_extensions``),
    built once per (schema dir, extensions dir, extras, our extensions' address)."""
    found_schema = find_schema_dir(schema_dir)
    found_extensions = find_extensions_dir(extensions_dir)
    extras = tuple(_as_extension(item) for item in extra_extensions)
    return _load_cached(
        found_schema, found_extensions, (*own_extensions(own_extensions_url), *extras)
    )


@lru_cache(maxsize=16)
def _load_cached(
    schema_dir: Path, extensions_dir: Path, extras: tuple[Extension, ...]
) -> OcdsSchema:
    extensions = [
        Extension(name, extensions_dir / name, f"{EXTENSION_BASE_URL}{ref}/extension.json")
        for name, ref in DEFAULT_EXTENSIONS.items()
    ]
    return build_schema(schema_dir, [*extensions, *extras], extensions_dir)

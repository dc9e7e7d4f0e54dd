"""Open-data pages: the bulk download list, its files, and the publication policy."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, render_template, send_from_directory
from flask.typing import ResponseReturnValue

from app.public import bp
from marketplace.publication.bulk import FORMATS, MANIFEST, read_manifest

FORMAT_LABELS = {
    "jsonl.gz": "Compiled releases, JSON Lines (gzip)",
    "json": "Record package, JSON (releases + compiled release)",
    "csv": (
        "Flat CSV tables (zip): main, parties, items, bids, awards, contracts, transactions, assets"
    ),
}


def bulk_dir() -> Path:
    return Path(current_app.config["BULK_DIR"])


@bp.get("/bulk/")
def bulk_index() -> ResponseReturnValue:
    """Every bulk file with its size, date and sha256, newest year first, "all" files on top."""
    manifest = read_manifest(bulk_dir())
    files = sorted(
        (
            (name, entry)
            for name, entry in manifest["files"].items()
            if (bulk_dir() / name).is_file()
        ),
        key=lambda item: (FORMATS.index(item[1]["format"]), -(item[1]["year"] or 10_000)),
    )
    return render_template(
        "public/bulk.html",
        files=files,
        labels=FORMAT_LABELS,
        generated_at=manifest.get("generated_at"),
    )


@bp.get("/bulk/<name>")
def bulk_file(name: str) -> ResponseReturnValue:
    # Only files the manifest lists are served (no temporary or stray files).
    if name == MANIFEST or name in read_manifest(bulk_dir())["files"]:
        return send_from_directory(bulk_dir(), name, max_age=3600)
    abort(404)


@bp.get("/data/publication-policy")
def publication_policy() -> ResponseReturnValue:
    return render_template("public/publication_policy.html")

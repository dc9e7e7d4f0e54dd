"""Our own OCDS extensions (ocds/extensions/<name>/), served at the address packages list
in ``extensions``: extension.json, release-schema.json, README.md and codelists/*.csv.
Only directories in this repository: official extensions that we declare without a copy
(ocds.schema.DECLARED_EXTENSIONS) are 404 here, their packages list their own address."""

from __future__ import annotations

from flask import abort, send_from_directory
from flask.typing import ResponseReturnValue

from app.public import bp
from ocds.schema import OWN_EXTENSIONS_DIR, own_extensions

_FILES = ("extension.json", "release-schema.json", "README.md")


@bp.get("/ocds/extensions/<name>/<path:filename>")
def ocds_extension_file(name: str, filename: str) -> ResponseReturnValue:
    if name not in {ext.name for ext in own_extensions()}:
        abort(404)
    directory = OWN_EXTENSIONS_DIR / name
    allowed = filename in _FILES or (
        filename.startswith("codelists/") and filename.endswith(".csv") and filename.count("/") == 1
    )
    if not allowed or not (directory / filename).is_file():
        abort(404)
    mimetype = "text/csv" if filename.endswith(".csv") else None
    if filename.endswith(".md"):
        mimetype = "text/markdown"
    return send_from_directory(directory, filename, mimetype=mimetype, max_age=3600)

"""Public read-only JSON API."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.record_once
def _configure_publication(state: BlueprintSetupState) -> None:
    # marketplace/ does not import Flask: hand it the settings it needs once.
    from marketplace.publication.services import configure

    config = state.app.config
    configure(
        config["OCID_PREFIX"],
        config["OCDS_SCHEMA_DIR"],
        config["OCDS_EXTENSIONS_DIR"],
        # Our own extensions are served by app/public/extensions.py.
        own_extensions_url=config["PUBLIC_BASE_URL"].rstrip("/") + "/ocds/extensions/",
    )


from app.api import errors, http, openapi, publication, views  # noqa: E402,F401
from app.api import search as _search  # noqa: E402,F401

http.register(bp)

from app.extensions import api_limit, limiter  # noqa: E402

limiter.limit(api_limit)(bp)

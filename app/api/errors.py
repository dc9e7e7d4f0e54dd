"""API errors as JSON with the offending parameter's path."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from app.api import bp
from app.api.params import ApiError


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> ResponseReturnValue:
    return exc.body(), exc.code

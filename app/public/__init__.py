"""Pages anyone can see, without logging in."""

from flask import Blueprint

bp = Blueprint("public", __name__)

# One import per module that adds routes, each helper's own line: no sorting.
# isort: off
from app.public import views  # noqa: E402,F401
from app.public import bulk  # noqa: E402,F401
from app.public import search  # noqa: E402,F401
from app.public import redflags  # noqa: E402,F401
from app.public import suppliers  # noqa: E402,F401
from app.public import processes  # noqa: E402,F401
from app.public import cases  # noqa: E402,F401
from app.public import saved_searches  # noqa: E402,F401
from app.public import feeds  # noqa: E402,F401
from app.public import analytics  # noqa: E402,F401
from app.public import buyers  # noqa: E402,F401
from app.public import complaints  # noqa: E402,F401
from app.public import data_quality  # noqa: E402,F401
from app.public import extensions  # noqa: E402,F401
from app.public import assets  # noqa: E402,F401
from app.public import frameworks  # noqa: E402,F401

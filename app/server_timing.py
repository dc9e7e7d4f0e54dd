"""The ``Server-Timing`` header: where each response's time went on the server.

``total`` (the request, from its first hook to its response), ``db`` (database
statements, row-lock waits on PostgreSQL included; ``desc`` gives how many) and
``queue`` (waiting for SQLite's write turn, see marketplace/writers.py). Browsers show
them in their developer tools; ``bench/deadline.py`` reads them to tell a slow server from
a queue. Durations only: nothing about the content of the request.
"""

from __future__ import annotations

import time
from contextlib import ExitStack

from flask import Flask, Response, g

from marketplace.writers import timed


def init_app(app: Flask) -> None:
    @app.before_request
    def _start() -> None:
        stack = ExitStack()
        g.server_timing = (time.perf_counter(), stack.enter_context(timed()), stack)

    @app.after_request
    def _header(response: Response) -> Response:
        started = g.get("server_timing")
        if started is not None:
            begun, timings, _stack = started
            total = (time.perf_counter() - begun) * 1000
            response.headers["Server-Timing"] = (
                f"total;dur={total:.1f}, db;dur={timings.db_s * 1000:.1f};"
                f'desc="{timings.statements} statements", queue;dur={timings.queue_s * 1000:.1f}'
            )
        return response

    @app.teardown_request
    def _stop(_exc: BaseException | None) -> None:
        started = g.pop("server_timing", None)
        if started is not None:
            started[2].close()

"""Formatting for the process page, once per request.

A big process page shows hundreds of dates, amounts and status words. Flask-Babel's
filters look up the locale and time zone on every call and Jinja macros cost a frame
each; this formatter takes the locale and zone once, calls Babel directly and remembers
what it has already formatted (bids share their commitment dates, rows their statuses).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_decimal
from flask_babel import get_locale, get_timezone
from markupsafe import Markup, escape


class Formatter:
    def __init__(
        self,
        locale: Locale,
        tzinfo: dt.tzinfo,
        words: dict[str, Any],
        texts: dict[str, Any] | None = None,
    ) -> None:
        self.locale = locale
        self.tzinfo = tzinfo
        #: code -> lazy translated string, for ``status``.
        self.words = words
        #: key -> lazy translated message with %(name)s fields, for ``say``.
        self.texts = texts or {}
        self._said: dict[str, str] = {}
        self._dates: dict[dt.datetime, Markup] = {}
        self._texts: dict[dt.datetime, str] = {}
        self._statuses: dict[str, Markup] = {}

    @classmethod
    def for_request(cls, words: dict[str, Any], texts: dict[str, Any] | None = None) -> Formatter:
        return cls(get_locale() or Locale.parse("es"), get_timezone(), words, texts)

    def say(self, key: str, **values: Any) -> Markup:
        """Message ``key`` translated once per request, its fields filled (and escaped
        unless they are markup): for messages repeated on every row of a table."""
        template = self._said.get(key)
        if template is None:
            template = self._said[key] = str(self.texts[key])
        return escape(template) % {
            k: v if isinstance(v, Markup) else escape(v) for k, v in values.items()
        }

    def date_text(self, value: dt.datetime) -> str:
        """A naive UTC datetime in the visitor's zone and language ("medium" format)."""
        text = self._texts.get(value)
        if text is None:
            aware = value.replace(tzinfo=dt.UTC)
            text = format_datetime(aware, "medium", tzinfo=self.tzinfo, locale=self.locale)
            self._texts[value] = text
        return text

    def when(self, value: dt.datetime | None) -> Markup:
        """``<time>`` element of a naive UTC datetime; a dash when there is none."""
        if value is None:
            return Markup("—")
        html = self._dates.get(value)
        if html is None:
            html = Markup('<time datetime="{}Z">{}</time>').format(
                value.isoformat(), self.date_text(value)
            )
            self._dates[value] = html
        return html

    def number(self, value: float | int, pattern: str = "#,##0.##") -> str:
        return str(format_decimal(value, pattern, locale=self.locale))

    def money(self, value: Any) -> str:
        """A ``Money`` (amount, currency) as "85,000.00 MXN"; a dash when there is none."""
        if value is None:
            return "—"
        amount = format_decimal(value.amount, "#,##0.00", locale=self.locale)
        return f"{amount} {value.currency}".strip()

    def word(self, code: str) -> str:
        return str(self.words[code]) if code in self.words else code

    def status(self, code: str) -> Markup:
        """A status code as a labelled badge in the visitor's language."""
        if not code:
            return Markup("")
        html = self._statuses.get(code)
        if html is None:
            html = Markup('<span class="status status-{}">{}</span>').format(
                code, escape(self.word(code))
            )
            self._statuses[code] = html
        return html

"""Hypothesis strategies for what a careless, hostile or unlucky person types into a form:
unicode, huge strings, negative and huge numbers, impossible dates, missing fields, the
wrong types, a field sent twice, odd files."""

from __future__ import annotations

import io
from typing import Any

from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tests.fuzz.crawl import Field, Form
from tests.fuzz.site import INJECTIONS

ODD_VALUES = (
    "",
    " ",
    "0",
    "-1",
    "-0.000001",
    "1e309",
    "-1e309",
    "NaN",
    "inf",
    "99999999999999999999999999999999",
    "-99999999999999999999999999999999",
    "1,000.50",
    "0x1F",
    "abc",
    "2024-02-30",
    "0000-00-00",
    "9999-12-31",
    "10000-01-01",
    "2024-13-01",
    "31/12/2024",
    "2024-01-01T25:61:00",
    "\x00",
    "null",
    "[]",
    "{}",
    "../../etc/passwd",
    "%s%s%n",
    "𝕦𝕟𝕚𝕔𝕠𝕕𝕖 ñandú",
    "\u202eevil",
    "ﷺ" * 50,
    *INJECTIONS,
)

numbers = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
dates = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat()),
    st.tuples(st.integers(-1, 10000), st.integers(-1, 14), st.integers(-1, 40)).map(
        lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"
    ),
)
texts = st.text(max_size=60)
huge = st.sampled_from([300, 5_000, 70_000]).map(lambda n: ("Ñ" + "x" * 9) * (n // 10))
fuzz_values = st.one_of(st.sampled_from(ODD_VALUES), texts, numbers, dates, huge)

ODD_FILES = (
    (b"", "empty.pdf", "application/pdf"),
    (b"%PDF-1.4\n" + b"\x00" * 300, "broken.pdf", "application/pdf"),
    (b"PK\x03\x04" + b"\xff" * 200, "fake.xlsx", "application/vnd.ms-excel"),
    (b"id,name\n1,\xff\xfe\n", "latin.csv", "text/csv"),
    (b"<script>alert(1)</script>", "x.html", "text/html"),
    (b"GIF89a" + b"\x00" * 50, "../../etc/passwd", "image/gif"),
    (b"\x89PNG\r\n\x1a\n", "ñandú 𝕦.png", "image/png"),
    (b"A" * 200_000, "big.txt", "text/plain"),
)
files = st.one_of(
    st.sampled_from(ODD_FILES),
    st.tuples(st.binary(max_size=400), st.text(min_size=1, max_size=30), st.just("text/csv")),
)


def _plausible(f: Field) -> st.SearchStrategy[str]:
    """What the page itself offers: the value shown, or one of the options."""
    choices = [o for o in f.options if o] or [f.value]
    return st.sampled_from(choices)


def field_values(f: Field) -> st.SearchStrategy[list[Any]]:
    """Values sent for one field: none (missing), one, or the same name twice."""
    if f.kind == "file":
        one: st.SearchStrategy[Any] = files
    elif f.name == "csrf_token":
        return st.sampled_from([[f.value]] * 8 + [[], ["forged"], [f.value, "forged"]])
    else:
        one = st.one_of(_plausible(f), fuzz_values)
    return st.one_of(
        st.lists(one, min_size=1, max_size=1),
        st.just([]),
        st.lists(one, min_size=2, max_size=2),
    )


def payloads(form: Form) -> st.SearchStrategy[list[tuple[str, Any]]]:
    """The items of one submission of ``form`` (buttons: one of them, as a browser does)."""
    inputs = [f for f in form.fields if f.kind not in ("button", "submit", "image", "reset")]
    buttons = [f for f in form.fields if f.kind in ("button", "submit") and f.name]
    parts: list[st.SearchStrategy[list[tuple[str, Any]]]] = [
        field_values(f).map(lambda values, name=f.name: [(name, v) for v in values]) for f in inputs
    ]
    if buttons:
        parts.append(st.sampled_from([[(b.name, b.value)] for b in buttons] + [[]]))
    return st.tuples(*parts).map(lambda groups: [item for group in groups for item in group])


def as_request_data(items: list[tuple[str, Any]]) -> MultiDict[str, Any]:
    """Werkzeug's form data: files as (stream, filename, content type)."""
    data: MultiDict[str, Any] = MultiDict()
    for name, value in items:
        if isinstance(value, tuple):
            content, filename, ctype = value
            data.add(name, (io.BytesIO(content), filename, ctype))
        else:
            data.add(name, value)
    return data


def query_strings(names: list[str]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Query parameters for a public page: its own names and some it does not expect."""
    known = st.sampled_from(sorted({*names, "page", "per_page", "sort", "q"}))
    name = st.one_of(known, known, st.text(min_size=1, max_size=12))
    value = st.one_of(st.sampled_from(["1000000", "-1", "0", "999999999999"]), fuzz_values)
    return st.lists(st.tuples(name, value), max_size=6)

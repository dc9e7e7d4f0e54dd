"""Atom feeds (RFC 4287) of explorer results: saved searches, buyers, suppliers, any search.

Pure functions: the caller (app/public/feeds.py) picks the processes from the search
index (public data only) and supplies URLs and words; this module writes the XML with
the standard library, which escapes every text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"
#: Entries per feed: the newest processes.
FEED_SIZE = 50


@dataclass(frozen=True)
class Entry:
    #: Permanent IRI of the process (its public page).
    id: str
    title: str
    updated: dt.datetime
    link: str
    summary: str = ""
    published: dt.datetime | None = None
    categories: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class Feed:
    #: Permanent IRI of the feed (its own URL).
    id: str
    title: str
    self_link: str
    #: The same results as a web page.
    alternate_link: str
    author: str
    subtitle: str = ""
    #: ``updated`` when there are no entries (otherwise the newest entry's).
    empty_updated: dt.datetime = dt.datetime(2000, 1, 1)


def timestamp(moment: dt.datetime) -> str:
    """RFC 3339 in UTC (our datetimes are naive UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    element.text = text
    return element


def _link(parent: ET.Element, href: str, rel: str, kind: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}link", {"rel": rel, "type": kind, "href": href})


def render(feed: Feed, entries: Sequence[Entry]) -> bytes:
    """The feed document, UTF-8 with an XML declaration."""
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    _text(root, "id", feed.id)
    _text(root, "title", feed.title)
    if feed.subtitle:
        _text(root, "subtitle", feed.subtitle)
    newest = max((e.updated for e in entries), default=feed.empty_updated)
    _text(root, "updated", timestamp(newest))
    _link(root, feed.self_link, "self", MEDIA_TYPE)
    _link(root, feed.alternate_link, "alternate", "text/html")
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    _text(author, "name", feed.author)
    _text(root, "generator", "Tianguis")
    for item in entries:
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        _text(entry, "id", item.id)
        _text(entry, "title", item.title)
        _text(entry, "updated", timestamp(item.updated))
        if item.published is not None:
            _text(entry, "published", timestamp(item.published))
        _link(entry, item.link, "alternate", "text/html")
        for term in item.categories:
            ET.SubElement(entry, f"{{{ATOM}}}category", {"term": term})
        if item.summary:
            _text(entry, "summary", item.summary, type="text")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)

"""Releases imported from other publishers (``tianguis ocds import``).

They are kept apart from our release log (``ocds_release``): OCDS release ids are unique
only within their ocid, and nothing imported may ever be served as our publication.
The compiled record of an imported process lives in ``ocds_record`` with its
``publisher_name`` set, so the explorer (search, process page) shows it like ours.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.db import Base, utcnow
from marketplace.publication.models import OCID_LENGTH

#: Longest release id (or compiled release id) we store.
RELEASE_ID_LENGTH = 300
PUBLISHER_LENGTH = 300

#: ``kind`` of a row: a release, or the compiled release of a record published without
#: its releases (linked releases only), which then stands for the whole record.
RELEASE = "release"
COMPILED = "compiled"


class ImportedRelease(Base):
    """One release (or a record's compiled release) imported from another publisher."""

    __tablename__ = "ocds_imported_release"
    __table_args__ = (
        UniqueConstraint("ocid", "release_id", name="uq_ocds_imported_release_ocid_release_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ocid: Mapped[str] = mapped_column(String(OCID_LENGTH), index=True)
    #: The publisher's release id (unique within the ocid, as OCDS scopes it).
    release_id: Mapped[str] = mapped_column(String(RELEASE_ID_LENGTH))
    #: ``release`` or ``compiled``.
    kind: Mapped[str] = mapped_column(String(10))
    #: The release's ``date`` as naive UTC.
    date: Mapped[dt.datetime] = mapped_column(DateTime)
    #: The release exactly as the publisher gave it.
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: sha256 of the canonical JSON: a re-import of the same content is recognised.
    sha256: Mapped[str] = mapped_column(String(64))
    #: The package's ``publisher/name`` (or ``--publisher``).
    publisher_name: Mapped[str] = mapped_column(String(PUBLISHER_LENGTH))
    #: Where it came from: the file name and the item in it (``line 3``, ``releases/2``).
    source: Mapped[str] = mapped_column(String(1000))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

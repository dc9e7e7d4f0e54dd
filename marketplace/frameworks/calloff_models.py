"""Call-offs: purchases from a framework's catalogue. Each is an ordinary tender (its
own ocid, releases, award and contract) linked here to the framework and lot; every
release of such a tender carries ``relatedProcesses`` pointing to the framework."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Numeric, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from marketplace.db import Base, string_enum, utcnow
from marketplace.frameworks.models import Framework, FrameworkLot, Listing
from marketplace.tenders.models import Tender
from marketplace.tenders.releases import process_url
from marketplace.tenders.workflow import release_part


class CallOffKind(enum.StrEnum):
    DIRECT = "direct"  # one listing, under the ceiling, with a justification
    MINI = "mini_competition"  # sealed quotes from the lot's admitted suppliers


class CallOff(Base):
    __tablename__ = "framework_calloff"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("framework_lot.id"), index=True)
    #: The call-off's own process.
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), unique=True)
    kind: Mapped[CallOffKind] = mapped_column(string_enum(CallOffKind, 20))
    #: The listing bought (direct award); None for a mini-competition.
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("framework_listing.id"))
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 3))
    #: Why this purchase (and, for a direct award, why without competition).
    justification: Mapped[str] = mapped_column(Text, default="")
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: Snapshot of the unit price bought at (direct award), for the metrics.
    unit_price: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))

    framework: Mapped[Framework] = relationship()
    lot: Mapped[FrameworkLot] = relationship()
    tender: Mapped[Tender] = relationship()
    listing: Mapped[Listing | None] = relationship()


@release_part
def related_framework(session: Session, tender: Tender, release: dict[str, Any]) -> None:
    """A call-off's releases point to their framework (relationship ``framework``) and
    say the process uses a framework agreement (``tender.techniques``)."""
    calloff = session.scalar(select(CallOff).where(CallOff.tender_id == tender.id))
    if calloff is None:
        return
    framework = calloff.framework
    assert framework.ocid
    release["relatedProcesses"] = [
        {
            "id": "framework",
            "relationship": ["framework"],
            "title": framework.title,
            "scheme": "ocid",
            "identifier": framework.ocid,
            "uri": process_url(framework.ocid),
        }
    ]
    # A call-off uses a framework agreement (techniques extension, declared only).
    part = release.get("tender")
    if isinstance(part, dict):
        part["techniques"] = {"hasFrameworkAgreement": True}

"""The ICT asset register: assets and services a purchasing unit holds, their history
and the renewal alerts sent for them.

Public fields (published with the contract in OCDS through ocds/extensions/assets, shown
on the public expiring view and feed): category, description, quantity, unit cost,
owner unit, supplier, contract, dates, status, licences, seats used, support level.
Private (the owner unit's buyers only): ``location``, ``notes`` and who changed what.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import Organisation
from marketplace.contracts.models import Contract
from marketplace.db import Base, string_enum, utcnow
from marketplace.suppliers.models import Supplier


class AssetCategory(enum.StrEnum):
    """Values are the codes of the extension's assetCategory codelist."""

    HARDWARE = "hardware"
    SOFTWARE_LICENCE = "softwareLicence"
    SAAS = "saasSubscription"
    SERVICE = "service"
    TELECOM = "telecom"


class AssetStatus(enum.StrEnum):
    """Values are the codes of the extension's assetStatus codelist."""

    PLANNED = "planned"
    ACTIVE = "active"
    RENEWAL_DUE = "renewalDue"
    RENEWED = "renewed"
    RETIRED = "retired"
    DISPOSED = "disposed"


class AssetSource(enum.StrEnum):
    CONTRACT = "contract"  # created when its contract was signed
    MANUAL = "manual"  # added by hand (what predates the platform)
    IMPORT = "import"  # imported from a CSV file


class Asset(Base):
    """One asset or service of a purchasing unit (a line of the register)."""

    __tablename__ = "asset"
    __table_args__ = (
        UniqueConstraint("contract_id", "local_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_cost IS NULL OR unit_cost >= 0", name="unit_cost_nonneg"),
        CheckConstraint("licence_count IS NULL OR licence_count >= 0", name="licences_nonneg"),
        CheckConstraint("seats_used IS NULL OR seats_used >= 0", name="seats_nonneg"),
        CheckConstraint(
            "seats_used IS NULL OR licence_count IS NULL OR seats_used <= licence_count",
            name="seats_within_licences",
        ),
        CheckConstraint(
            "start_date IS NULL OR end_date IS NULL OR end_date >= start_date",
            name="end_after_start",
        ),
        # The expiring views: by end date (in order, no sort), per unit and per supplier.
        Index("ix_asset_end_status", "end_date", "status"),
        Index("ix_asset_owner_end", "owner_org_id", "end_date"),
        Index("ix_asset_supplier_end", "supplier_id", "end_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The purchasing unit that holds the asset; only its buyers change it.
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    category: Mapped[AssetCategory] = mapped_column(string_enum(AssetCategory, 20))
    #: What it is ("Licencias de ofimática", "Enlace de datos 100 Mbps").
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 3), default=Decimal(1))
    #: Cost of one unit in ``currency`` (None when unknown, e.g. several items in a lot).
    unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    currency: Mapped[str] = mapped_column(String(3), default="MXN")
    #: Where it is (building, floor, data centre): private to the unit.
    location: Mapped[str] = mapped_column(String(300), default="")
    #: The supplier in the registry, when known.
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id"))
    #: The supplier's name as written, for suppliers outside the registry (pre-platform).
    supplier_name: Mapped[str] = mapped_column(String(300), default="")
    #: The contract it came from (None for assets added by hand or imported).
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contract.id"), index=True)
    #: Identifier within the contract, published as ``contracts[].assets[].id``.
    local_id: Mapped[str | None] = mapped_column(String(40))
    #: The contract item it came from (``contracts[].items[].id``).
    item_local_id: Mapped[str] = mapped_column(String(40), default="")
    #: The business case that justified it (via the tender's plan line, or chosen).
    business_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("business_case.id", ondelete="SET NULL"), index=True
    )
    #: Period of use, licence, subscription or service; the end drives renewal alerts.
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    #: Software licences and subscriptions: licences bought and seats in use.
    licence_count: Mapped[int | None] = mapped_column(Integer)
    seats_used: Mapped[int | None] = mapped_column(Integer)
    #: Support or service level agreed ("8x5, siguiente día hábil").
    support_level: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[AssetStatus] = mapped_column(
        string_enum(AssetStatus, 16), default=AssetStatus.ACTIVE
    )
    source: Mapped[AssetSource] = mapped_column(string_enum(AssetSource, 16))
    #: The unit's own notes: private.
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[Organisation] = relationship()
    supplier: Mapped[Supplier | None] = relationship()
    contract: Mapped[Contract | None] = relationship()

    @property
    def supplier_label(self) -> str:
        return self.supplier.legal_name if self.supplier is not None else self.supplier_name

    @property
    def planned_cost(self) -> Decimal | None:
        """Quantity × unit cost, when the unit cost is known."""
        if self.unit_cost is None:
            return None
        return (self.quantity * self.unit_cost).quantize(Decimal("0.01"))

    def __repr__(self) -> str:
        return f"<Asset {self.id} {self.category} {self.status}>"


class AssetEvent(Base):
    """The asset's history: creation, edits and status changes, who and when."""

    __tablename__ = "asset_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: None for the tick (timed transitions).
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: created, edited, status, renewed.
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str] = mapped_column(String(16), default="")
    to_status: Mapped[str] = mapped_column(String(16), default="")
    #: What changed, in words ("Fin: 2026-01-31 → 2027-01-31").
    details: Mapped[str] = mapped_column(Text, default="")


class AssetAlert(Base):
    """A renewal alert sent for an asset: at most one per (asset, days before, end date),
    so each alert goes out once, and a renewal (a new end date) gets its own."""

    __tablename__ = "asset_alert"
    __table_args__ = (UniqueConstraint("asset_id", "days_before", "end_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id"), index=True)
    #: 30, 15 or 7.
    days_before: Mapped[int] = mapped_column(Integer)
    end_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)

    asset: Mapped[Asset] = relationship()


# Registered on import (models are always imported): the asset section of contract
# releases, and asset creation when a contract is signed.
from marketplace.assets import releases as _releases  # noqa: E402,F401
from marketplace.assets import services as _services  # noqa: E402,F401

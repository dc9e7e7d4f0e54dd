"""Supplier registry models: a supplier's profile, categories, documents and catalogue."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from marketplace.accounts.models import Organisation, User
from marketplace.db import Base, string_enum, utcnow


class SupplierStatus(enum.StrEnum):
    """Where a supplier is in verification. Only verified suppliers are public."""

    PENDING = "pending"  # registered or resubmitted; waiting for an administrator
    VERIFIED = "verified"  # documents checked; listed in the public directory
    REJECTED = "rejected"  # sent back with a reason; the supplier edits and resubmits


class SupplierSize(enum.StrEnum):
    """Company size as declared by the supplier (Mexican MIPyME strata)."""

    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class DocumentKind(enum.StrEnum):
    TAX_CERTIFICATE = "tax_certificate"  # SAT opinión de cumplimiento / constancia fiscal
    PROOF_OF_ADDRESS = "proof_of_address"
    OTHER = "other"


#: Which schemes a Category may belong to.
CATEGORY_SCHEMES = ("UNSPSC", "CPV")

#: Mexican RFC; other countries use "<ISO country>-TAXID".
RFC_SCHEME = "MX-RFC"


supplier_category = Table(
    "supplier_category",
    Base.metadata,
    Column("supplier_id", ForeignKey("supplier.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("category.id", ondelete="CASCADE"), primary_key=True),
    # The directory's category filter looks suppliers up by category.
    Index("ix_supplier_category_category_supplier", "category_id", "supplier_id"),
)


class Supplier(Base):
    """A company in the registry; one per supplier Organisation."""

    __tablename__ = "supplier"
    __table_args__ = (
        # Tax ids are stored upper-case (see services.normalise_tax_id), so this constraint
        # is case-insensitive in effect; the check keeps it so.
        UniqueConstraint("identifier_scheme", "tax_id", name="uq_supplier_scheme_tax_id"),
        CheckConstraint("tax_id = upper(tax_id)", name="tax_id_upper"),
        # Directory: verified suppliers ordered by name, keyset-paginated on (name, id).
        Index("ix_supplier_status_name", "status", "name_search", "id"),
        Index("ix_supplier_status_region", "status", "region"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The supplier organisation whose users act for this company.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), unique=True)
    #: Name as registered with the tax authority (razón social).
    legal_name: Mapped[str] = mapped_column(String(300))
    #: Commercial name, if different (nombre comercial).
    trade_name: Mapped[str | None] = mapped_column(String(300))
    #: Folded legal + trade name for accent-insensitive search and ordering.
    name_search: Mapped[str] = mapped_column(String(610))
    #: Identifier scheme (org-id.guide style): "MX-RFC" or "<ISO country>-TAXID".
    identifier_scheme: Mapped[str] = mapped_column(String(20))
    #: Tax identifier, upper-case without separators (e.g. an RFC).
    tax_id: Mapped[str] = mapped_column(String(20))
    #: ISO 3166-1 alpha-2 country of the registered address.
    country: Mapped[str] = mapped_column(String(2))
    #: For Mexico an ISO 3166-2:MX state code ("CMX"); elsewhere free text.
    region: Mapped[str | None] = mapped_column(String(100))
    #: City, municipality or alcaldía.
    locality: Mapped[str] = mapped_column(String(120))
    street_address: Mapped[str] = mapped_column(String(300))
    postal_code: Mapped[str] = mapped_column(String(12))
    size: Mapped[SupplierSize] = mapped_column(string_enum(SupplierSize, 24))
    website: Mapped[str | None] = mapped_column(String(300))
    #: Public contact point (OCDS contactPoint): published; not the login user's data.
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[SupplierStatus] = mapped_column(
        string_enum(SupplierStatus, 24), default=SupplierStatus.PENDING
    )
    #: Why an administrator rejected the last submission (shown to the supplier).
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    #: Set by `tianguis tick` when the current tax certificate of a verified supplier expired;
    #: cleared by uploading a new one.
    tax_certificate_expired_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    #: When the profile was last (re)submitted for verification: the queue's order.
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: When and by whom the last verification or rejection was decided.
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: When the supplier was (last) verified; shown on the public page.
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    organisation: Mapped[Organisation] = relationship()
    reviewed_by: Mapped[User | None] = relationship()
    categories: Mapped[list[Category]] = relationship(
        secondary=supplier_category, order_by="Category.code"
    )
    documents: Mapped[list[SupplierDocument]] = relationship(
        back_populates="supplier",
        cascade="all, delete-orphan",
        order_by="SupplierDocument.uploaded_at.desc()",
    )
    products: Mapped[list[Product]] = relationship(
        back_populates="supplier", cascade="all, delete-orphan", order_by="Product.name"
    )

    @property
    def display_name(self) -> str:
        return self.trade_name or self.legal_name

    @property
    def party_id(self) -> str:
        """OCDS party id: the identifier scheme and the tax id."""
        return f"{self.identifier_scheme}-{self.tax_id}"

    def __repr__(self) -> str:
        return f"<Supplier {self.id} {self.tax_id} {self.status}>"


class Category(Base):
    """A code of a classification scheme (UNSPSC or CPV), with Spanish and English labels."""

    __tablename__ = "category"
    __table_args__ = (
        UniqueConstraint("scheme", "code", name="uq_category_scheme_code"),
        CheckConstraint("scheme IN ('UNSPSC', 'CPV')", name="scheme_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme: Mapped[str] = mapped_column(String(10))
    #: The scheme's code, e.g. UNSPSC "43211500" (a class of computers).
    code: Mapped[str] = mapped_column(String(20))
    label_es: Mapped[str] = mapped_column(String(300))
    label_en: Mapped[str] = mapped_column(String(300))
    #: Folded code and both labels, for the accent-insensitive search box.
    search_text: Mapped[str] = mapped_column(String(620))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("category.id", ondelete="SET NULL"), index=True
    )
    #: 1 segment, 2 family, 3 class, 4 commodity (UNSPSC levels; CPV uses the same depths).
    level: Mapped[int] = mapped_column(Integer)

    parent: Mapped[Category | None] = relationship(remote_side=[id])

    def label(self, locale: str) -> str:
        return self.label_es if locale == "es" else self.label_en

    def __repr__(self) -> str:
        return f"<Category {self.scheme} {self.code}>"


class SupplierDocument(Base):
    """A file a supplier uploaded for verification. Bytes live in the database (small files,
    one backup covers everything) and are loaded only when downloaded."""

    __tablename__ = "supplier_document"
    __table_args__ = (
        CheckConstraint("size_bytes >= 0", name="size_nonneg"),
        # The expiry tick scans documents by expiry date.
        Index("ix_supplier_document_expires_on", "expires_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("supplier.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DocumentKind] = mapped_column(string_enum(DocumentKind, 24))
    #: The uploaded file's name, sanitised (no path, no control characters).
    filename: Mapped[str] = mapped_column(String(200))
    #: Detected from the content's magic bytes, never taken from the browser.
    content_type: Mapped[str] = mapped_column(String(60))
    size_bytes: Mapped[int] = mapped_column(Integer)
    #: Hex SHA-256 of the content, shown to reviewers to identify the exact file.
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    #: Last day the document is valid (required for tax certificates).
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: A newer document of the same kind replaced this one (no more expiry reminders).
    replaced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Expiry reminders already sent, so each is sent once.
    reminder_30_sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reminder_7_sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    supplier: Mapped[Supplier] = relationship(back_populates="documents")

    def __repr__(self) -> str:
        return f"<SupplierDocument {self.id} {self.kind} {self.filename!r}>"


class Product(Base):
    """An item of a supplier's public catalogue, with its list price."""

    __tablename__ = "product"
    __table_args__ = (
        CheckConstraint("unit_price >= 0", name="unit_price_nonneg"),
        Index("ix_product_supplier_active", "supplier_id", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("category.id", ondelete="SET NULL"), index=True
    )
    #: Unit of sale, e.g. "pieza", "licencia anual", "hora".
    unit: Mapped[str] = mapped_column(String(40))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    #: ISO 4217 code of unit_price.
    currency: Mapped[str] = mapped_column(String(3), default="MXN")
    #: Inactive products stay for history but leave the public catalogue.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    supplier: Mapped[Supplier] = relationship(back_populates="products")
    category: Mapped[Category | None] = relationship()

    def __repr__(self) -> str:
        return f"<Product {self.id} {self.name!r}>"

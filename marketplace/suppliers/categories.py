"""Classification codes: loading a CSV, searching by code or label, and descendants."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import literal, or_, select
from sqlalchemy.orm import Session

from marketplace.suppliers.errors import N_, SupplierError
from marketplace.suppliers.models import CATEGORY_SCHEMES, Category
from marketplace.suppliers.reference import fold

#: The curated ICT-centric UNSPSC subset shipped with the code (the demo loads it).
CURATED_CSV = Path(__file__).resolve().parent.parent / "data" / "unspsc_ict.csv"

REQUIRED_COLUMNS = ("scheme", "code", "label_es", "label_en")


def unspsc_level(code: str) -> int:
    """UNSPSC codes are 8 digits, two per level: 43000000 segment … 43211503 commodity."""
    if code.endswith("000000"):
        return 1
    if code.endswith("0000"):
        return 2
    if code.endswith("00"):
        return 3
    return 4


def unspsc_parent(code: str) -> str | None:
    level = unspsc_level(code)
    if level == 1:
        return None
    keep = {2: 2, 3: 4, 4: 6}[level]
    return code[:keep].ljust(8, "0")


def cpv_level(code: str) -> int:
    # CPV: 8 digits (plus a check digit after a dash); trailing zeros after the division
    # (2 digits) mark the depth.
    digits = code.split("-")[0].rstrip("0")
    return max(1, min(4, len(digits) - 1))


def search_text(code: str, label_es: str, label_en: str) -> str:
    return fold(f"{code} {label_es} {label_en}")


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int


def load_categories_csv(session: Session, source: Path | str | io.TextIOBase) -> LoadResult:
    """Insert or update categories from a CSV with columns scheme, code, [parent_code],
    label_es, label_en. A missing parent_code is derived from a UNSPSC code. Idempotent."""
    if isinstance(source, (str, Path)):
        with open(source, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    else:
        rows = list(csv.DictReader(source))
    if rows and any(col not in rows[0] for col in REQUIRED_COLUMNS):
        raise SupplierError(
            N_("The CSV needs the columns %(columns)s."), columns=", ".join(REQUIRED_COLUMNS)
        )
    existing = {(c.scheme, c.code): c for c in session.scalars(select(Category))}
    created = updated = 0
    parents: dict[tuple[str, str], str | None] = {}
    for line, row in enumerate(rows, start=2):
        scheme = (row.get("scheme") or "").strip().upper()
        code = (row.get("code") or "").strip()
        label_es = (row.get("label_es") or "").strip()
        label_en = (row.get("label_en") or "").strip() or label_es
        if scheme not in CATEGORY_SCHEMES or not code or not label_es:
            raise SupplierError(
                N_("Line %(line)s: a category needs a known scheme, a code and a label."),
                line=line,
            )
        level = unspsc_level(code) if scheme == "UNSPSC" else cpv_level(code)
        parent_code = (row.get("parent_code") or "").strip() or (
            unspsc_parent(code) if scheme == "UNSPSC" else None
        )
        parents[(scheme, code)] = parent_code
        category = existing.get((scheme, code))
        if category is None:
            category = Category(scheme=scheme, code=code)
            session.add(category)
            existing[(scheme, code)] = category
            created += 1
        elif (category.label_es, category.label_en) != (label_es, label_en):
            updated += 1
        category.label_es = label_es[:300]
        category.label_en = label_en[:300]
        category.level = level
        category.search_text = search_text(code, label_es, label_en)[:620]
    session.flush()
    # Parents are linked after every row exists, so a file need not be ordered top-down.
    # A parent code that is not in the file nor the database leaves the category a root.
    for (scheme, code), parent_code in parents.items():
        parent = existing.get((scheme, parent_code)) if parent_code else None
        existing[(scheme, code)].parent_id = parent.id if parent else None
    session.flush()
    return LoadResult(created, updated)


def search_categories(session: Session, query: str, limit: int = 40) -> list[Category]:
    """Categories whose code starts with the query's digits or whose label contains every
    word of it, ignoring case and accents ("computo" finds "Cómputo")."""
    words = fold(query).split()
    if not words:
        return []
    stmt = select(Category)
    for word in words[:6]:
        if word.isdigit():
            stmt = stmt.where(
                or_(Category.code.startswith(word), Category.search_text.contains(word))
            )
        else:
            stmt = stmt.where(Category.search_text.contains(word, autoescape=True))
    return list(session.scalars(stmt.order_by(Category.level, Category.code).limit(limit)))


def categories_by_ids(session: Session, ids: Iterable[int]) -> list[Category]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return list(
        session.scalars(select(Category).where(Category.id.in_(wanted)).order_by(Category.code))
    )


def descendant_ids(session: Session, category_id: int) -> list[int]:
    """The category and everything below it (a recursive query: works on both databases)."""
    tree = (
        select(Category.id.label("id"))
        .where(Category.id == category_id)
        .cte("tree", recursive=True)
    )
    tree = tree.union_all(select(Category.id).where(Category.parent_id == tree.c.id))
    return list(session.scalars(select(tree.c.id)))


def top_categories(session: Session, max_level: int = 2) -> list[Category]:
    """Segments and families, for the directory's category filter."""
    return list(
        session.scalars(select(Category).where(Category.level <= max_level).order_by(Category.code))
    )


def category_by_code(session: Session, code: str, scheme: str = "UNSPSC") -> Category | None:
    return session.scalar(
        select(Category).where(Category.scheme == scheme, Category.code == literal(code))
    )

"""Sealing bids: a per-tender AES-GCM key, canonical bid JSON and its SHA-256 commitment.

The key of a tender is derived with HKDF-SHA256 from the server secret (``BID_SECRET``,
else ``SECRET_KEY``; the caller passes it in) and the tender id, so no key is stored and
a leaked key opens one tender only. Each encryption uses a fresh random 96-bit nonce and
binds the ciphertext to its tender and bid (and document) through the associated data:
a ciphertext copied to another bid or tender does not decrypt.

Only the opening service (``marketplace.bids.opening``) calls :func:`decrypt`.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12
#: Fixed HKDF salt: domain separation from every other use of the server secret.
_HKDF_SALT = b"tianguis/sealed-bids/v1"


def tender_key(secret: str | bytes, tender_id: int) -> bytes:
    """The 256-bit AES key of one tender, derived from the server secret."""
    material = secret.encode() if isinstance(secret, str) else secret
    if not material:
        raise ValueError("the bid secret is empty")
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=_HKDF_SALT,
        info=f"tender:{tender_id}".encode(),
    )
    return hkdf.derive(material)


def associated_data(tender_id: int, bid_id: str, part: str = "bid") -> bytes:
    """What a ciphertext is bound to: its tender, its bid and which part of the bid."""
    return f"tender:{tender_id}|bid:{bid_id}|{part}".encode()


def encrypt(
    secret: str | bytes, tender_id: int, bid_id: str, plaintext: bytes, part: str = "bid"
) -> tuple[bytes, bytes]:
    """(nonce, ciphertext with tag) of ``plaintext`` under the tender's key."""
    nonce = os.urandom(NONCE_BYTES)
    cipher = AESGCM(tender_key(secret, tender_id))
    return nonce, cipher.encrypt(nonce, plaintext, associated_data(tender_id, bid_id, part))


def decrypt(
    secret: str | bytes,
    tender_id: int,
    bid_id: str,
    nonce: bytes,
    ciphertext: bytes,
    part: str = "bid",
) -> bytes:
    """The plaintext; raises ``cryptography.exceptions.InvalidTag`` when the key, the
    associated data or the ciphertext do not match."""
    cipher = AESGCM(tender_key(secret, tender_id))
    return cipher.decrypt(nonce, ciphertext, associated_data(tender_id, bid_id, part))


def canonical_bid(bid: dict[str, Any]) -> str:
    """The one JSON text of a bid: sorted keys, no spaces, UTF-8 characters kept."""
    return json.dumps(bid, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def commitment(canonical: str) -> str:
    """Hex SHA-256 of the canonical bid text (UTF-8): published before opening."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def matches_commitment(disclosed: str, expected: str) -> bool:
    """Anyone's check after opening: does the disclosed canonical bid hash to the
    commitment published at submission?"""
    return commitment(disclosed) == expected.strip().lower()

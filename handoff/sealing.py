"""Encryption at rest for what people and counsellors write (AES-256-GCM).

Each sealed value carries its own random 96-bit nonce. The associated data binds a
ciphertext to where it belongs (a conversation's transcript, one ticket's record), so
a value copied to another key does not decrypt there.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


def sealing_key(secret: bytes, purpose: str) -> bytes:
    """A 32-byte key for one purpose (transcript, outbox), derived from the app secret and
    never stored: one leaked key opens one kind of data only."""
    return hmac.new(secret, f"tsunagari {purpose} key v1".encode(), hashlib.sha256).digest()


class Sealer:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the transcript key must be 32 bytes (AES-256)")
        self._aead = AESGCM(key)

    def seal(self, plain: bytes, context: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plain, context.encode("utf-8"))

    def open(self, sealed: bytes, context: str) -> bytes:
        """Raises ``cryptography.exceptions.InvalidTag`` on a wrong key or context."""
        nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
        return self._aead.decrypt(nonce, body, context.encode("utf-8"))

    def seal_json(self, value: Any, context: str) -> bytes:
        return self.seal(json.dumps(value, ensure_ascii=False).encode("utf-8"), context)

    def open_json(self, sealed: bytes, context: str) -> Any:
        return json.loads(self.open(sealed, context))

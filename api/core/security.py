"""API keys: random bearer tokens, stored only as keyed hashes (HMAC-SHA256 with the secret key)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_PREFIX = "mk_"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str, secret: str) -> str:
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()

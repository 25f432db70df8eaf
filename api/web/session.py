"""Browser sessions: the login form takes an API key; the cookie names that key, signed and dated.

The cookie holds ``<key id>.<expiry>.<HMAC>`` (keyed with the service secret), never the token
itself, and every request re-reads the key row, so revoking an API key also ends its web sessions."""

from __future__ import annotations

import hashlib
import hmac
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.config import Settings
from ..core.security import hash_token
from ..db.models import ApiKeyRow, UserRow
from ..services.scope import Principal

COOKIE = "matcher_session"
LANG_COOKIE = "matcher_lang"
#: A working day and a bit: a coordinator logs in once in the morning.
SESSION_SECONDS = 12 * 3600


def _sign(payload: str, secret: str) -> str:
    return hmac.new(secret.encode(), f"web-session:{payload}".encode(), hashlib.sha256).hexdigest()


def login(db: Session, settings: Settings, token: str) -> str | None:
    """The session cookie value for a valid, unrevoked API key; None otherwise."""
    key = db.scalar(select(ApiKeyRow).where(ApiKeyRow.key_hash == hash_token(token.strip(), settings.secret_key)))
    if key is None or key.revoked or db.get(UserRow, key.user_id) is None:
        return None
    payload = f"{key.id}.{int(time.time()) + SESSION_SECONDS}"
    return f"{payload}.{_sign(payload, settings.secret_key)}"


def principal(db: Session, settings: Settings, cookie: str | None) -> Principal | None:
    """Who the cookie belongs to, if it is genuine, unexpired and its key still valid."""
    if not cookie or cookie.count(".") != 2:
        return None
    key_id, expires, sig = cookie.split(".")
    payload = f"{key_id}.{expires}"
    if not hmac.compare_digest(sig, _sign(payload, settings.secret_key)):
        return None
    if not (key_id.isdigit() and expires.isdigit()) or int(expires) < time.time():
        return None
    key = db.get(ApiKeyRow, int(key_id))
    if key is None or key.revoked:
        return None
    user = db.get(UserRow, key.user_id)
    if user is None:
        return None
    return Principal(user_id=user.id, role=user.role, center_id=user.center_id)

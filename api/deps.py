"""Request dependencies as ``Annotated`` aliases: the session, the caller, role checks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from .core.config import Settings
from .core.problems import Problem
from .core.security import hash_token
from .db.models import ApiKeyRow, UserRow
from .services.scope import Principal

_bearer = HTTPBearer(auto_error=False)


async def get_settings(request: Request) -> Settings:  # no I/O: async skips a thread-pool hop
    return request.app.state.settings


async def get_db(request: Request) -> AsyncIterator[Session]:
    # Opening a session does no I/O; async avoids a thread-pool hop per request.
    with request.app.state.sessions() as db:
        yield db


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_db)]


async def get_principal(
    db: SessionDep,
    settings: SettingsDep,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    # One indexed lookup (sub-millisecond): cheaper on the event loop than a thread-pool hop.
    if creds is None or not creds.credentials:
        raise Problem(401, "missing bearer token")
    key = db.scalar(select(ApiKeyRow).where(ApiKeyRow.key_hash == hash_token(creds.credentials, settings.secret_key)))
    if key is None or key.revoked:
        raise Problem(401, "invalid or revoked token")
    user = db.get(UserRow, key.user_id)
    if user is None:
        raise Problem(401, "invalid or revoked token")
    return Principal(user_id=user.id, role=user.role, center_id=user.center_id)


CurrentUser = Annotated[Principal, Depends(get_principal)]


def require(*roles: str):  # type: ignore[no-untyped-def]
    """Dependency: the caller has one of `roles` (admin always passes)."""

    async def check(who: CurrentUser) -> Principal:  # no I/O: async skips a thread-pool hop
        if who.role != "admin" and who.role not in roles:
            raise Problem(403, f"role {who.role!r} may not use this resource")
        return who

    return Depends(check)


Coordinator = Annotated[Principal, require("coordinator")]
StaffReader = Annotated[Principal, require("coordinator", "court_staff")]
CourtStaff = Annotated[Principal, require("court_staff")]
Planner = Annotated[Principal, require("planner")]
Admin = Annotated[Principal, require()]

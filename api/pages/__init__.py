"""Web pages for coordinators, court staff and planners (/ui).

The pages are thin: each is a server-rendered shell (Jinja2, both languages) whose small script
calls the service's own JSON API through ``/ui/api/...``. That proxy adds the caller's API key from
the HttpOnly session cookie and forwards in-process, so every role check, area scope (a coordinator
sees only their centers) and solver call is the API's own — the web layer holds no business logic.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from ..core.security import hash_token
from ..db.models import ApiKeyRow, CenterRow, UserRow
from ..services.scope import Principal, visible_centers
from .i18n import LABELS, pick_lang

HERE = Path(__file__).parent
COOKIE, LANG_COOKIE = "matcher_ui_session", "matcher_ui_lang"
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(prefix="/ui", include_in_schema=False)

#: which roles may open which page (admin opens all); the API re-checks every call.
PAGES = {
    "queue": ("coordinator",),
    "urgent": ("coordinator",),
    "rotation": ("court_staff",),
    "compare": ("planner",),
}


def _user(request: Request, token: str | None = None) -> UserRow | None:
    token = token if token is not None else request.cookies.get(COOKIE)
    if not token:
        return None
    settings = request.app.state.settings
    with request.app.state.sessions() as db:
        key = db.scalar(select(ApiKeyRow).where(ApiKeyRow.key_hash == hash_token(token, settings.secret_key)))
        if key is None or key.revoked:
            return None
        user = db.get(UserRow, key.user_id)
        if user is not None:
            db.expunge(user)
        return user


def _render(request: Request, name: str, user: UserRow | None, **ctx) -> Response:  # type: ignore[no-untyped-def]
    lang = pick_lang(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))
    area: list[str] | None = None
    if user is not None:
        with request.app.state.sessions() as db:
            seen = visible_centers(db, Principal(user_id=user.id, role=user.role, center_id=user.center_id))
            area = sorted(seen) if seen is not None else [c.id for c in db.scalars(select(CenterRow).order_by(CenterRow.id))]
    pages = [p for p, roles in PAGES.items() if user is not None and (user.role == "admin" or user.role in roles)]
    resp = templates.TemplateResponse(request, name, {"t": LABELS[lang], "lang": lang, "user": user, "pages": pages,
                                                       "page": name.removesuffix(".html"), "labels": LABELS[lang], "area": area, **ctx})
    if request.query_params.get("lang") in LABELS:
        resp.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return resp


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return _render(request, "login.html", None, error=False)


@router.post("/login")
async def login(request: Request) -> Response:
    # The form is parsed here (urlencoded) rather than with Form(): no python-multipart dependency.
    form = parse_qs((await request.body())[:4096].decode("utf-8", "replace"))
    token = (form.get("token") or [""])[0][:200]
    user = _user(request, token)  # the key is looked up exactly as the API does
    if user is None:
        resp = _render(request, "login.html", None, error=True)
        resp.status_code = 401
        return resp
    first = next((p for p, roles in PAGES.items() if user.role == "admin" or user.role in roles), "queue")
    resp = RedirectResponse(f"/ui/{first}", status_code=303)
    resp.set_cookie(COOKIE, token, httponly=True, samesite="lax", path="/ui")
    return resp


@router.post("/logout")
def logout() -> Response:
    resp = RedirectResponse("/ui/login", status_code=303)
    resp.delete_cookie(COOKIE, path="/ui")
    return resp


@router.get("", response_class=HTMLResponse)
def home(request: Request) -> Response:
    user = _user(request)
    if user is None:
        return RedirectResponse("/ui/login", status_code=303)
    first = next((p for p, roles in PAGES.items() if user.role == "admin" or user.role in roles), None)
    return RedirectResponse(f"/ui/{first}" if first else "/ui/login", status_code=303)


def _page(name: str):  # type: ignore[no-untyped-def]
    def show(request: Request) -> Response:
        user = _user(request)
        if user is None:
            return RedirectResponse("/ui/login", status_code=303)
        if user.role != "admin" and user.role not in PAGES[name]:
            resp = _render(request, "forbidden.html", user)
            resp.status_code = 403
            return resp
        return _render(request, f"{name}.html", user)

    return show


for _name in PAGES:
    router.add_api_route(f"/{_name}", _page(_name), methods=["GET"], response_class=HTMLResponse)


@router.api_route("/api/{path:path}", methods=["GET", "POST"])
async def proxy(path: str, request: Request) -> Response:
    """Forward to the service's own API with the session's key: the API decides what is allowed."""
    token = request.cookies.get(COOKIE)
    if not token:
        return Response('{"title":"not logged in","status":401}', status_code=401, media_type="application/problem+json")
    headers = {"Authorization": f"Bearer {token}"}
    if request.headers.get("content-type"):
        headers["Content-Type"] = request.headers["content-type"]
    transport = httpx.ASGITransport(app=request.app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://matcher.internal") as client:
        r = await client.request(request.method, "/" + path, params=request.query_params, headers=headers,
                                 content=await request.body())
    keep = {k: v for k, v in r.headers.items() if k.lower() in ("content-type", "content-disposition")}
    return Response(r.content, status_code=r.status_code, headers=keep)


def mount(app: FastAPI) -> None:
    """Add the pages and their static files (css/js, served locally) to the app."""
    app.include_router(router)
    app.mount("/ui/static", StaticFiles(directory=str(HERE / "static")), name="ui-static")

"""Web pages for coordinators, court staff and planners, served by the API itself (``/web``).

``mount(app)`` adds the pages, their static files (no CDN) and the redirects to the login form."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from .pages import LoginRequired, PageError, render, router
from .replan import run_replan_job

__all__ = ["mount", "run_replan_job"]


def mount(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/web/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="web-static")

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse("/web/login", status_code=303)

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        return render(request, "error.html", getattr(request.state, "web_user", None), status=exc.status, code=exc.status, message=exc.message)

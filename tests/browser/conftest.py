"""The /ui pages end to end: the real service (uvicorn on a free loopback port, SQLite in tmp,
seeded with the bundled ``sajin`` scenario) driven by Debian's headless chromium via Playwright.

Skipped with a reason when chromium or playwright is missing — unless CI is set, where that fails.
``scripts/browser.sh`` installs chromium (``make test`` runs it first).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.core.config import Settings
from api.core.security import hash_token
from api.db.models import ApiKeyRow, UserRow
from api.db.session import make_engine, migrate, session_factory
from api.services.store import seed_from_scenario

CHROMIUM = os.environ.get("MATCHER_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SECRET = "browser-test-secret-0123456789"
SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
USERS = {
    # user id: (role, center, key)
    "coord": ("coordinator", "sajin", "ui-coord-key"),
    "coord_c1": ("coordinator", "sajin_c1", "ui-coord-c1-key"),
    "court": ("court_staff", None, "ui-court-key"),
    "planner": ("planner", None, "ui-planner-key"),
}


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason} (CI is set: the browser tests must run; run scripts/browser.sh)")
    pytest.skip(f"{reason}; run scripts/browser.sh (and pip install playwright) to enable")


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    import uvicorn

    from api.main import create_app
    from matcher.scenarios import load_scenario

    url = f"sqlite:///{tmp_path_factory.mktemp('ui') / 'matcher.sqlite'}"
    engine = make_engine(url)
    migrate(engine)
    with session_factory(engine).begin() as db:
        seed_from_scenario(db, load_scenario("sajin"))
        for uid, (role, center, _k) in USERS.items():
            db.add(UserRow(id=uid, name=uid, role=role, center_id=center))
        db.flush()
        for uid, (_r, _c, key) in USERS.items():
            db.add(ApiKeyRow(user_id=uid, key_hash=hash_token(key, SECRET)))
    engine.dispose()
    app = create_app(Settings(environment="test", database_url=url, secret_key=SECRET, solve_time_limit_s=3.0, solve_workers=1))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    end = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > end or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed")
    if not Path(CHROMIUM).exists():
        _missing(f"no chromium at {CHROMIUM}")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=server)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    yield pg
    context.close()


def login(page, user: str, lang: str = "en") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"/ui/login?lang={lang}")
    page.fill("#token", USERS[user][2])
    page.click("#login-btn")
    page.wait_for_load_state()


def snap(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """The page at a 1366×768 laptop and at a 390×844 phone (out/screenshots, git-ignored)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for w, h in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": w, "height": h})
        page.screenshot(path=str(SHOTS / f"ui-{name}-{w}x{h}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})

"""Browser-test fixtures: the real service (uvicorn on a free loopback port, SQLite in tmp, seeded
with the tiny two-town world) and headless Chromium driven by Playwright.

The browser is Debian's chromium (scripts/browser.sh installs it; Playwright's own download is
never used). Without it the tests skip with the reason — except under CI=true, where they fail."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from api.core.config import Settings
from api.core.security import hash_token
from api.db.models import ApiKeyRow, UserRow
from api.db.session import make_engine, migrate, session_factory
from api.main import create_app
from api.services.store import seed_from_scenario

from worlds import tiny_world

SECRET = "web-test-secret-0123456789"
USERS = {
    # user id: (role, center, token)
    "admin": ("admin", None, "tok-web-admin"),
    "coordA": ("coordinator", "townA", "tok-web-coordA"),
    "coordB": ("coordinator", "townB", "tok-web-coordB"),
    "court": ("court_staff", None, "tok-web-court"),
    "planner": ("planner", None, "tok-web-planner"),
}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"


def chromium_path() -> str | None:
    override = os.environ.get("MATCHER_CHROMIUM")  # another build of chromium, or a path that does not exist
    if override:
        return override if os.path.exists(override) else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _seed(url: str) -> None:
    engine = make_engine(url)
    migrate(engine)
    with session_factory(engine).begin() as db:
        seed_from_scenario(db, tiny_world())
        for uid, (role, center, _tok) in USERS.items():
            db.add(UserRow(id=uid, name=uid, role=role, center_id=center))
        db.flush()
        for uid, (_r, _c, tok) in USERS.items():
            db.add(ApiKeyRow(user_id=uid, key_hash=hash_token(tok, SECRET)))
    engine.dispose()


@dataclass
class Service:
    base: str
    database_url: str


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI is set but chromium is missing: scripts/browser.sh should have installed it")
        pytest.skip("chromium not found (run scripts/browser.sh to install Debian's chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI is set but the playwright package is missing (pip install -e '.[dev]')")
        pytest.skip("the playwright Python package is not installed (pip install -e '.[dev]')")
    return path


@pytest.fixture(scope="session")
def service(tmp_path_factory, chromium) -> Iterator[Service]:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'matcher.sqlite'}"
    _seed(url)
    settings = Settings(environment="test", database_url=url, secret_key=SECRET, solve_time_limit_s=2.0, solve_workers=1)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="web-test-uvicorn", daemon=True)
    thread.start()
    end = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > end or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield Service(f"http://127.0.0.1:{port}", url)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser(chromium):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def new_page(browser, service):  # type: ignore[no-untyped-def]
    """A fresh browser context (own cookies) per call, at laptop size, English labels."""
    contexts = []

    def make(lang: str = "en"):  # type: ignore[no-untyped-def]
        ctx = browser.new_context(viewport=LAPTOP, base_url=service.base, accept_downloads=True)
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        page = ctx.new_page()
        page.goto(f"/web/login?lang={lang}")
        return page

    yield make
    for c in contexts:
        c.close()


def login(page, user: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/web/login")
    page.get_by_test_id("token").fill(USERS[user][2])
    page.get_by_test_id("login").click()
    page.wait_for_load_state()
    assert "/web/login" not in page.url, page.content()


def shoot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Screenshots at laptop and phone width; at phone width the page itself must not scroll
    sideways (wide tables scroll inside their own box)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(LAPTOP)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-1366.png"), full_page=True)
    page.set_viewport_size(PHONE)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(LAPTOP)
    assert overflow <= 1, f"{name}: the page is {overflow}px wider than a phone screen"

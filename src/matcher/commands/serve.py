"""`matcher serve`: start the HTTP API (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import argparse
import os


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="start the HTTP API (OpenAPI docs at /docs)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--database-url", help="SQLAlchemy URL (default: sqlite:///./matcher.sqlite)")
    p.add_argument("--scenario", help="scenario loaded into an empty database (default: baoan)")
    p.add_argument("--workers", type=int, default=1, help="server processes (one per core suits this service)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    if args.database_url:
        os.environ["MATCHER_DATABASE_URL"] = args.database_url
    if args.scenario:
        os.environ["MATCHER_SCENARIO"] = args.scenario
    if args.workers > 1:
        from api.main import create_app

        create_app()  # migrate and seed once, before the workers start
        uvicorn.run("api.main:create_app", factory=True, host=args.host, port=args.port, workers=args.workers, log_level="info")
    else:
        from api.main import create_app

        uvicorn.run(create_app(), host=args.host, port=args.port, log_level="info")
    return 0

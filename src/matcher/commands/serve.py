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
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    if args.database_url:
        os.environ["MATCHER_DATABASE_URL"] = args.database_url
    if args.scenario:
        os.environ["MATCHER_SCENARIO"] = args.scenario
    from api.main import create_app

    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="info")
    return 0

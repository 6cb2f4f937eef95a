"""``poletype serve``: the service under uvicorn, bounded by the command's options."""

from __future__ import annotations

import argparse
import dataclasses

from poletype import Limits
from poletype._server._app import create_app
from poletype._server._settings import Settings


def settings_from(args: argparse.Namespace) -> Settings:
    """The service's bounds from ``poletype serve``'s options."""
    return Settings(
        limits=dataclasses.replace(Limits(), members=args.max_members),
        max_body_bytes=args.max_body_bytes,
        max_batch=args.max_batch,
        time_limit=args.time_limit,
        workers=args.workers,
        allow_rule_files=args.allow_rule_files,
    )


def serve(args: argparse.Namespace) -> None:
    """Run the service until interrupted (uvicorn's own signal handling)."""
    import uvicorn  # noqa: PLC0415 - the server's dependency, loaded when it starts

    uvicorn.run(
        create_app(settings_from(args)),
        host=args.host,
        port=args.port,
        log_level="info",
        limit_concurrency=args.max_connections,
        timeout_keep_alive=5,
        server_header=False,
    )

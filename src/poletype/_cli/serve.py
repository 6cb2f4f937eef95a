"""``poletype serve``: the HTTP service's options and start.

FastAPI and uvicorn are the ``server`` extra: nothing here imports them until the
command runs, so the rest of the command line works without them.
"""

from __future__ import annotations

import argparse

from poletype.errors import EXIT_OK, SetupError, UsageError


def serve_options(p: argparse.ArgumentParser) -> None:
    """``poletype serve``'s options: where it listens and what one request may cost."""
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument(
        "--max-body-bytes", type=int, default=10 * 2**20, metavar="N", help="bytes per request"
    )
    p.add_argument(
        "--max-members", type=int, default=100_000, metavar="N", help="members per initiative"
    )
    p.add_argument("--max-batch", type=int, default=1_000, metavar="N", help="items per request")
    p.add_argument(
        "--time-limit", type=float, default=30.0, metavar="SECONDS", help="work per request"
    )
    p.add_argument("--workers", type=int, default=4, metavar="N", help="requests worked at once")
    p.add_argument(
        "--max-connections", type=int, default=100, metavar="N", help="open connections at once"
    )
    p.add_argument(
        "--allow-rule-files",
        action="store_true",
        help="let requests send their own rule and hypotheses files (code run on this server)",
    )


def serve_command(args: argparse.Namespace) -> int:
    """Run the HTTP service; its code and FastAPI load only here."""
    for name in ("max_body_bytes", "max_members", "max_batch", "workers", "max_connections"):
        if getattr(args, name) < 1:
            option = "--" + name.replace("_", "-")
            raise UsageError(
                f"{option} must be at least 1", code="bad-parameter", expected="N >= 1"
            )
    if not args.time_limit > 0:
        raise UsageError(
            "--time-limit must be positive", code="bad-parameter", expected="SECONDS > 0"
        )
    try:
        from poletype._server._run import serve  # noqa: PLC0415 - the optional extra
    except ImportError as exc:
        raise SetupError(
            f"the HTTP service needs the server extra ({exc.name} is missing)",
            code="missing-dependency",
            expected="pip install 'poletype[server]'",
        ) from None
    serve(args)
    return EXIT_OK

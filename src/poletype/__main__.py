"""``python -m poletype``: the same as the ``poletype`` command."""

from poletype.cli import main

raise SystemExit(main())

"""The HTTP service behind ``poletype serve`` (the optional extra ``poletype[server]``).

Imported only by ``poletype serve`` and the tests, never by ``import poletype``: FastAPI
and its dependencies cost an integrator who only classifies in Python nothing.
"""

from poletype._server._app import create_app
from poletype._server._settings import Settings

__all__ = ["Settings", "create_app"]

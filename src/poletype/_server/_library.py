"""The few private parts of poletype the service needs, imported in one place.

Everything else comes from ``poletype``'s front door. These have no public equivalent
yet: reading a request body with the library's strict JSON reader (repeated keys,
``NaN``, nesting and integer length bounded by `Limits`), reading a rule file's
``extends`` with its bounded YAML reader, and the published schemas. Should the modules
move, only this file follows them.
"""

from __future__ import annotations

from poletype._json import load_json
from poletype._schemas import SCHEMA_NAMES, VERSIONS, SchemaName, file_name, shipped
from poletype._yaml import load_yaml
from poletype.errors import ErrorCode
from poletype.verdict import VERDICT_FORMAT

__all__ = [
    "SCHEMA_NAMES",
    "VERDICT_FORMAT",
    "VERSIONS",
    "ErrorCode",
    "SchemaName",
    "file_name",
    "load_json",
    "load_yaml",
    "shipped",
]

"""Write schemas/*.json from the models: run after changing a model or a schema version.

``python scripts/generate_schemas.py`` rewrites every published schema (and removes
none: an older version's file stays for the readers of older documents, unless deleted
by hand); tests/test_schemas.py fails while a committed file differs from what the
models generate.
"""

from __future__ import annotations

from pathlib import Path

from poletype._schemas import SCHEMA_NAMES, file_name, generate, text

ROOT = Path(__file__).resolve().parent.parent


def outputs() -> dict[Path, str]:
    """Each schema file and the text it must hold."""
    return {
        ROOT / "schemas" / file_name(name): text(generate(name))  # type: ignore[arg-type]
        for name in SCHEMA_NAMES
    }


if __name__ == "__main__":
    for path, content in outputs().items():
        path.write_text(content, encoding="utf-8")
        print(path.relative_to(ROOT))

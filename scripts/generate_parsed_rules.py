"""Regenerate ``rules/_parsed.jsonl``: the shipped rule files, parsed ahead of time.

Run it after editing a shipped rule file (a stale table only costs load time: files
whose bytes it does not hold are read from YAML). ``--check`` fails when the table does
not match the rule files (a test runs it).

    python scripts/generate_parsed_rules.py [--check]
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from poletype._read.yaml import load_yaml
from poletype._rules.parsed import TABLE, table_text

RULES = Path(__file__).resolve().parents[1] / "rules"


def table() -> str:
    """The table's text for the rule files now in ``rules/``."""
    documents = {}
    for path in sorted(RULES.glob("*.yaml")):
        data = path.read_bytes()
        documents[hashlib.sha256(data).hexdigest()] = load_yaml(
            data.decode("utf-8"), file=path.name
        )
    return table_text(documents)


def main() -> int:
    text = table()
    target = RULES / TABLE
    if "--check" in sys.argv[1:]:
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            print(f"{target} is stale: run python scripts/generate_parsed_rules.py")
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

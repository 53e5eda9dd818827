"""Export the JSON Schema of every topic's key and value to ``schemas/json``.

``python -m schemas.export`` rewrites the files; ``--check`` exits 1 when they drift.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from schemas.topics import TOPICS

OUT = Path(__file__).resolve().parent / "json"


def rendered() -> dict[str, str]:
    files: dict[str, str] = {}
    for contract in TOPICS.values():
        for part, model in (("key", contract.key), ("value", contract.value)):
            schema = model.model_json_schema(mode="serialization")
            schema["$id"] = f"https://storystream.dev/schemas/{contract.name}.{part}.schema.json"
            schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
            files[f"{contract.name}.{part}.schema.json"] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return files


def drift() -> list[str]:
    want = rendered()
    have = {p.name: p.read_text() for p in OUT.glob("*.schema.json")} if OUT.exists() else {}
    return sorted(n for n in set(want) | set(have) if want.get(n) != have.get(n))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--check" in argv:
        bad = drift()
        for name in bad:
            print(f"schema drift: {name}", file=sys.stderr)
        return 1 if bad else 0
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.schema.json"):
        old.unlink()
    for name, text in rendered().items():
        (OUT / name).write_text(text)
    print(f"wrote {len(rendered())} schema files to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

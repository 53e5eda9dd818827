"""The codebase's shape (issue 21): small modules, no private names across modules, no import
cycle between the service packages."""
from __future__ import annotations

import ast
import pickle
import subprocess
import sys
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "services"
MAX_LINES = 420       # "about 400": one job per module


def modules():
    return sorted(p for p in SERVICES.rglob("*.py") if ".venv" not in p.parts)


def parse(path: Path) -> ast.Module:
    """The module's syntax tree. CPython 3.11's parser can refuse with "AST constructor recursion
    depth mismatch" once a RecursionError happened earlier in the process (the hostile-input unit
    tests provoke some); the tree is then built in a fresh interpreter."""
    src = path.read_text(encoding="utf-8")
    try:
        return ast.parse(src)
    except (SystemError, RecursionError):
        out = subprocess.run([sys.executable, "-c", "import ast, pickle, sys; "
                              "sys.stdout.buffer.write(pickle.dumps(ast.parse(open(sys.argv[1]).read())))",
                              str(path)], capture_output=True, check=True)
        return pickle.loads(out.stdout)


def package_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 else module


def test_no_module_is_long():
    long = {str(p.relative_to(SERVICES)): n for p in modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_no_private_name_is_imported_from_another_module():
    bad = []
    for p in modules():
        for node in ast.walk(parse(p)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("services"):
                bad += [f"{p.relative_to(SERVICES)}: {node.module}.{a.name}" for a in node.names
                        if a.name.startswith("_") and not a.name.startswith("__")]
    assert not bad, bad


def test_no_import_cycle_between_service_packages():
    """Top-level imports only (an import inside a function is a deliberate late binding, e.g. the
    CLI loading one worker)."""
    edges: dict[str, set[str]] = {}
    for p in modules():
        rel = p.relative_to(SERVICES.parent).with_suffix("")
        src = package_of(".".join(rel.parts).removesuffix(".__init__"))
        for node in parse(p).body:
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for n in names:
                if n.startswith("services."):
                    dst = package_of(n)
                    if dst != src:
                        edges.setdefault(src, set()).add(dst)

    def reach(a, seen):
        for b in edges.get(a, ()):
            if b not in seen:
                seen.add(b)
                reach(b, seen)
        return seen

    cycles = sorted(a for a in edges if a in reach(a, set()))
    assert not cycles, f"packages in an import cycle: {cycles}; edges: " + str(
        {a: sorted(b) for a, b in edges.items() if a in cycles})

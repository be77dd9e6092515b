"""SQL lives only in ``pyamplify.local.store``: the schema in one place, queries in store modules.

An AST scan of every module of ``pyamplify.local`` outside ``store/``: no string literal that
reads as an SQL statement (docstrings aside), no ``execute``/``query``/``query_one``/
``executescript``/``ensure_schema`` call on a store or connection, no ``import sqlite3``. The
scanner is tried on a bad example first, so that a scanner that finds nothing cannot pass.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pyamplify.local

LOCAL = Path(pyamplify.local.__file__).resolve().parent
STORE = LOCAL / "store"

_SQL = re.compile(
    r"\bSELECT\b.*\bFROM\b|\bINSERT\s+(OR\s+\w+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b"
    r"|\bDELETE\s+FROM\b|\b(CREATE|DROP)\s+(TABLE|INDEX|TRIGGER|VIEW)\b|\bALTER\s+TABLE\b"
    r"|\bPRAGMA\s+\w+",
    re.DOTALL,
)
_SQL_CALLS = {"execute", "executemany", "executescript", "query", "query_one", "ensure_schema"}
_RECEIVERS = re.compile(r"(store|conn|connection|db|database|cursor)$", re.IGNORECASE)


def _skipped(tree: ast.Module) -> set[int]:
    """``id()`` of the string nodes not read on their own: docstrings (module, class,
    function) and the constant parts of f-strings (read with their f-string)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
        if isinstance(node, ast.JoinedStr):
            found.update(id(part) for part in node.values)
    return found


def _text(node: ast.AST) -> str | None:
    """The literal text of a string constant or of an f-string's constant parts."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return " ".join(
            str(part.value) if isinstance(part, ast.Constant) else "x" for part in node.values
        )
    return None


def sql_outside_store(source: str, name: str) -> list[str]:
    """What in ``source`` (a module outside the store) breaks the rule, as ``name:line: why``."""
    tree = ast.parse(source)
    skipped = _skipped(tree)
    problems: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        text = _text(node) if id(node) not in skipped else None
        if text is not None and _SQL.search(text):
            problems.append((line, f"SQL text {text.strip()[:50]!r}"))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _SQL_CALLS
            and _RECEIVERS.search(ast.unparse(node.func.value))
        ):
            problems.append((line, f"{ast.unparse(node.func)}() on a store or connection"))
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if "sqlite3" in modules or (
                isinstance(node, ast.ImportFrom) and node.module == "sqlite3"
            ):
                problems.append((line, "imports sqlite3"))
    return [f"{name}:{line}: {why}" for line, why in sorted(problems)]


def test_the_scanner_finds_sql_where_it_should() -> None:
    bad = '''
"""A docstring may say SELECT name FROM pools; it is not code."""
import sqlite3

def load(backend, pool_id):
    """Neither may this: DELETE FROM pools."""
    sql = "DELETE FROM identity_providers WHERE pool_id = ?"
    backend.store.execute(sql, (pool_id,))
    table = "users"
    return backend.store.query_one(f"SELECT config FROM {table} WHERE id = ?", (pool_id,))

CHALLENGE = "SELECT_MFA_TYPE"
MESSAGE = "Select a method from the list, then update your settings."
'''
    found = sql_outside_store(bad, "bad.py")
    assert [problem.split(": ", 1)[0] for problem in found] == [
        "bad.py:3",
        "bad.py:7",
        "bad.py:8",
        "bad.py:10",
        "bad.py:10",
    ], found
    assert "imports sqlite3" in found[0] and "DELETE FROM identity_providers" in found[1]
    assert "backend.store.execute()" in found[2]
    assert {found[3].split(": ", 1)[1][:12], found[4].split(": ", 1)[1][:12]} == {
        "SQL text 'SE",
        "backend.stor",
    }


def test_no_sql_outside_the_store_package() -> None:
    modules = [path for path in sorted(LOCAL.rglob("*.py")) if STORE not in path.parents]
    assert len(modules) > 20  # the scan really covers the package
    problems = [
        problem
        for path in modules
        for problem in sql_outside_store(path.read_text(), str(path.relative_to(LOCAL)))
    ]
    assert problems == []


def test_the_store_package_is_where_the_sql_is() -> None:
    found = [
        problem
        for path in sorted(STORE.rglob("*.py"))
        for problem in sql_outside_store(path.read_text(), path.name)
    ]
    assert any(problem.startswith("schema.py:") and "CREATE TABLE" in problem for problem in found)
    assert any(problem.startswith("users.py:") and "SELECT" in problem for problem in found)
    assert any(problem.startswith("database.py:") and "sqlite3" in problem for problem in found)

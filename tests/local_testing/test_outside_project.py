"""The pytest plugin as a user meets it: a fresh project outside this repository.

Each test writes a tiny app (a function using ``pyamplify.Auth``) and its test file, with no
conftest, into a temporary directory and runs pytest there in a subprocess with this
interpreter, so only the installed ``pytest11`` entry point can provide the fixtures. A variant
with a wrong expectation must fail (the check is real); one with the ``pyamplify[local]``
modules hidden must skip with the install hint instead of breaking pytest.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

README = Path(__file__).resolve().parents[2] / "README.md"

APP = '''
"""A tiny app: greets whoever is signed in."""

from pyamplify import Auth
from pyamplify.storage import MemoryStore


def greeting(auth: Auth) -> str:
    user = auth.get_current_user()
    return f"Hello {user.username} <{auth.fetch_user_attributes()['email']}>"


def sign_in_and_greet(config, username: str, password: str) -> str:
    with Auth(config, store=MemoryStore()) as auth:
        assert auth.sign_in(username, password).is_signed_in
        return greeting(auth)
'''

TESTS = """
import time

import pytest

from app import greeting, sign_in_and_greet

SEEN_SERVERS = set()


def test_greets_the_signed_in_user(signed_in_auth, cognito_user, local_cognito):
    SEEN_SERVERS.add(local_cognito.url)
    assert greeting(signed_in_auth) == "Hello tester <tester@example.com>"


@pytest.mark.user_pool(secret=True)
@pytest.mark.cognito_user(username="ada", attributes={"email": "ada@example.com"})
def test_signs_in_with_the_known_password(user_pool, cognito_user, local_cognito):
    SEEN_SERVERS.add(local_cognito.url)
    greeting = sign_in_and_greet(user_pool.config, cognito_user.username, cognito_user.password)
    assert greeting == "Hello ada <ada@example.com>"


@pytest.mark.user_pool(mfa="ON", identity_pool=True)
def test_mfa_and_aws_credentials(signed_in_auth, cognito_user):
    assert cognito_user.totp_secret
    assert signed_in_auth.fetch_auth_session().credentials is not None


def test_time_moves_for_server_and_app(signed_in_auth, cognito_clock):
    first = signed_in_auth.fetch_auth_session().tokens
    cognito_clock.advance(7200)
    assert signed_in_auth.fetch_auth_session().tokens.access_token != first.access_token


def test_one_server_for_the_session(local_cognito):
    assert SEEN_SERVERS == {local_cognito.url}


def test_moves_the_clock_and_forgets(local_cognito):
    local_cognito.clock = lambda: 0.0


def test_the_next_test_has_real_time_again(local_cognito, signed_in_auth):
    assert abs(local_cognito.clock() - time.time()) < 60
    assert signed_in_auth.fetch_auth_session().is_signed_in
"""

#: Mistakes a user can make: a wrong expectation (fails), a misspelt option and an MFA user who
#: cannot finish signing in (errors that say what is wrong).
BROKEN = (
    TESTS.replace("Hello tester <", "Hello someone-else <")
    + """

@pytest.mark.user_pool(secrets=True)
def test_typo(user_pool):
    pass


@pytest.mark.user_pool(mfa="ON")
@pytest.mark.cognito_user(totp=False)
def test_mfa_user_without_a_token(signed_in_auth):
    pass
"""
)


def run_pytest(
    project: Path, *extra: str, hide_local_extra: bool = False
) -> subprocess.CompletedProcess[str]:
    """pytest in ``project`` with this interpreter; optionally with pyamplify[local] hidden."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYAMPLIFY_DATA_DIR"] = str(project / ".data")
    # Plugins this project's environment has that a fresh project need not: ~2 s a start.
    args = ["-q", "-rfEs", "-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:anyio"]
    args += extra
    if hide_local_extra:
        command = [sys.executable, "-c", HIDING_RUNNER, *args]
    else:
        command = [sys.executable, "-m", "pytest", *args]
    return subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False
    )


#: Runs pytest as if ``pyamplify[local]`` were not installed: its modules cannot be found or
#: imported (importlib.util.find_spec answers None), then reports any that loaded anyway.
HIDING_RUNNER = """
import importlib.machinery, sys
HIDDEN = {"starlette", "uvicorn", "cryptography", "httptools", "uvloop"}
class Hide(importlib.machinery.PathFinder):
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name.partition(".")[0] in HIDDEN:
            return None
        return importlib.machinery.PathFinder.find_spec(name, path, target)
sys.meta_path[:] = [Hide if f is importlib.machinery.PathFinder else f for f in sys.meta_path]
import pytest
code = pytest.main(sys.argv[1:])
loaded = sorted(n for n in sys.modules if n.partition(".")[0] in HIDDEN)
print("hidden modules loaded:", loaded)
sys.exit(code)
"""


def readme_example() -> str:
    """The test file the README's "Testing your app" section shows."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Testing your app", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None, "README lost its testing example"
    return match.group(1)


def write_project(root: Path, tests: str = TESTS, *, readme: bool = False) -> Path:
    """A project with ``app.py`` and ``test_app.py`` (and the README's example), no conftest."""
    project = root / "fresh-project"
    project.mkdir()
    (project / "app.py").write_text(textwrap.dedent(APP), encoding="utf-8")
    (project / "test_app.py").write_text(textwrap.dedent(tests), encoding="utf-8")
    if readme:
        (project / "test_readme_example.py").write_text(readme_example(), encoding="utf-8")
    return project


def test_the_fixtures_and_the_readme_example_work_in_a_fresh_project(tmp_path: Path) -> None:
    project = write_project(tmp_path, readme=True)
    assert not (project / "conftest.py").exists()
    result = run_pytest(project, "--strict-markers")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "11 passed" in result.stdout
    # The test that moved the server's clock and left it: put back, with a warning naming it.
    assert "LocalCognitoClockWarning" in result.stdout
    assert "test_moves_the_clock_and_forgets changed local_cognito.clock" in result.stdout


def test_mistakes_in_the_fresh_project_fail(tmp_path: Path) -> None:
    project = write_project(tmp_path, BROKEN)
    result = run_pytest(project, "--strict-markers")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 6 passed, 1 warning, 2 errors" in result.stdout
    assert "FAILED test_app.py::test_greets_the_signed_in_user" in result.stdout
    assert "ERROR test_app.py::test_typo" in result.stdout
    assert "unknown option(s) secrets; valid: secret, mfa" in result.stdout
    assert "signed_in_auth: signing 'tester' in stopped at CONTINUE_SIGN_IN_WITH_TOTP_SETUP" in (
        result.stdout
    )


def test_without_the_local_extra_the_fixtures_skip_and_say_how_to_install(
    tmp_path: Path,
) -> None:
    project = write_project(tmp_path, TESTS + "\n\ndef test_plain():\n    assert 1 + 1 == 2\n")
    result = run_pytest(project, hide_local_extra=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 7 skipped" in result.stdout
    assert "pip install 'pyamplify[local]'" in result.stdout
    assert "hidden modules loaded: []" in result.stdout


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    heavy = ["starlette", "uvicorn", "cryptography", "httpx", "boto3", "pyamplify.auth"]
    probe = (
        "import sys, pyamplify.local.testing.plugin as plugin\n"
        f"print(sorted(name for name in {heavy!r} if name in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"

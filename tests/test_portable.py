"""Nothing POSIX-only on any command's way: every command runs where fcntl (and
pwd, grp, termios, resource) cannot be imported, as on Windows; the build's lock
is filelock's and the cache is where the platform keeps caches (platformdirs)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLES

from svcdocs.state import cache

POSIX_ONLY = ("fcntl", "pwd", "grp", "termios", "resource")
WITHOUT_POSIX = f"""
import sys
for name in {POSIX_ONLY!r}:
    sys.modules[name] = None  # `import {{name}}` raises ImportError, as on Windows
sys.argv[0] = "svcdocs"
from svcdocs.cli import main
main()
"""
REVIEW = ROOT / "tests" / "review" / "cluster-to-loadbalancer"


def svcdocs_without_posix(*args, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", WITHOUT_POSIX, *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})})


def test_the_blocking_works():
    proc = subprocess.run([sys.executable, "-c", WITHOUT_POSIX.replace("from svcdocs.cli import main\nmain()",
                                                                       "import fcntl")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "ModuleNotFoundError" in proc.stderr


@pytest.mark.parametrize("args, status", [
    (["check", SAMPLES], 1),  # the samples hold errors on purpose
    (["check", SAMPLES, "--format", "sarif", "--fail-on", "never"], 0),
    (["graph", SAMPLES], 0),
    (["reach", SAMPLES], 0),
    (["diff", REVIEW / "base", REVIEW / "head", "--fail-on-exposure"], 1),
    (["rules"], 0),
    (["schema", "config"], 0),
    (["--version"], 0),
])
def test_every_command_runs_without_fcntl(args, status):
    proc = svcdocs_without_posix(*args)
    assert proc.returncode == status, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and proc.stdout


def test_build_runs_without_fcntl_and_still_locks_its_output(tmp_path):
    env = {"SVCDOCS_CACHE_DIR": str(tmp_path / "cache")}
    proc = svcdocs_without_posix("build", SAMPLES, "-o", tmp_path / "site", env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "site" / "index.html").is_file() and "Traceback" not in proc.stderr
    again = svcdocs_without_posix("build", SAMPLES, "-o", tmp_path / "site", env=env)
    assert again.returncode == 0 and "is up to date" in again.stderr  # the lock was released


def test_the_cache_is_where_the_platform_keeps_caches(monkeypatch, tmp_path):
    monkeypatch.delenv("SVCDOCS_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert cache.cache_root() == tmp_path / "xdg" / "svcdocs"
    monkeypatch.setenv("SVCDOCS_CACHE_DIR", str(tmp_path / "mine"))
    assert cache.cache_root() == tmp_path / "mine"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG_CACHE_HOME is Linux's")
def test_a_relative_xdg_cache_home_never_puts_the_cache_in_the_working_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("SVCDOCS_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "checkout/.cache")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_root() == tmp_path / "home" / ".cache" / "svcdocs"


def test_the_lock_and_the_cache_location_are_imported_only_by_a_build():
    """(fcntl itself is imported by the standard library's subprocess where it exists, and only tried.)"""
    code = ("import sys; from click.testing import CliRunner; from svcdocs.cli import main; "
            f"CliRunner().invoke(main, ['check', {str(SAMPLES)!r}], catch_exceptions=False); "
            "print(sorted(m for m in ('filelock', 'platformdirs') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={**os.environ, "SVCDOCS_CACHE_DIR": str(Path("/nonexistent-svcdocs-cache"))})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "[]"

"""The release as a user gets it: the sdist and the wheel built from this
checkout (the wheel from the sdist, as `python -m build` does), `twine check`
clean, and the wheel installed into a fresh virtualenv outside the checkout,
where `svcdocs build`, `check`, `diff`, `graph` and `rules` work on a copy of
sample-manifests/: templates and vendored assets come from the wheel.

The release workflow runs this test on the wheel it is about to publish
(SVCDOCS_WHEEL=dist/svcdocs-....whl); otherwise it builds one. It needs
`build`, `hatchling`, `hatch-vcs` and `twine` (the test extra) and the package
index for the wheel's dependencies."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLES

GOLDEN_GRAPH = ROOT / "tests" / "golden" / "sample-manifests.graph.json"


def _run(argv, cwd: Path, env: dict[str, str] | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _needs(module: str) -> None:
    found = _run([sys.executable, "-c", f"import {module}"], ROOT)
    if found.returncode != 0:
        pytest.skip(f"{module} is not installed (pip install -e '.[test]')")


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> dict[str, Path]:
    """The wheel (and sdist) to test: SVCDOCS_WHEEL, or built here."""
    given = os.environ.get("SVCDOCS_WHEEL")
    if given:
        return {"wheel": Path(given).resolve()}
    for module in ("build", "hatchling", "hatch_vcs", "twine"):
        _needs(module)
    out = tmp_path_factory.mktemp("dist")
    built = _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", out, ROOT], ROOT)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    wheel, = out.glob("svcdocs-*-py3-none-any.whl")
    sdist, = out.glob("svcdocs-*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


@pytest.fixture(scope="module")
def installed(dists, tmp_path_factory) -> Path:
    """A fresh virtualenv outside the checkout with the wheel installed; returns its bin folder."""
    home = tmp_path_factory.mktemp("user")
    venv.create(home / "venv", with_pip=True, clear=True)
    bin_dir = home / "venv" / "bin"
    pip = _run([bin_dir / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", dists["wheel"]],
               home, timeout=900)
    assert pip.returncode == 0, pip.stderr[-3000:]
    return bin_dir


@pytest.fixture(scope="module")
def user(installed, tmp_path_factory) -> Path:
    """A folder outside the checkout holding a copy of sample-manifests/, and a changed copy."""
    folder = tmp_path_factory.mktemp("work")
    shutil.copytree(SAMPLES, folder / "sample-manifests")
    shutil.copytree(SAMPLES, folder / "changed")
    cart = folder / "changed" / "shop" / "cart.yaml"
    text = cart.read_text(encoding="utf-8")
    service = "spec:\n  selector:\n    app.kubernetes.io/name: cart\n"
    assert service in text
    cart.write_text(text.replace(service, service.replace("spec:\n", "spec:\n  type: LoadBalancer\n")), encoding="utf-8")
    return folder


def svcdocs(installed: Path, cwd: Path, *args, path: str | None = None) -> subprocess.CompletedProcess:
    """The installed svcdocs, with nothing of the checkout on its paths."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = path or f"{installed}{os.pathsep}{os.environ['PATH']}"
    env["XDG_CACHE_HOME"] = str(cwd / ".cache")
    return _run([installed / "svcdocs", *args], cwd, env)


def test_twine_check_passes_on_the_sdist_and_the_wheel(dists):
    if "sdist" not in dists:
        pytest.skip("a given wheel: the release workflow runs twine check itself")
    proc = _run([sys.executable, "-m", "twine", "check", "--strict", dists["wheel"], dists["sdist"]], ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASSED") == 2


def test_the_installed_package_is_the_wheel_not_the_checkout(installed, user, dists):
    proc = _run([installed / "python", "-c", "import svcdocs, sys; print(svcdocs.__file__); print(svcdocs.__version__)"],
                user, {"PATH": str(installed)})
    assert proc.returncode == 0, proc.stderr
    location, version = proc.stdout.split()
    assert Path(location).is_relative_to(installed.parent) and not Path(location).is_relative_to(ROOT)
    assert dists["wheel"].name.startswith(f"svcdocs-{version}-")
    assert svcdocs(installed, user, "--version").stdout.strip() == f"svcdocs, version {version}"


def test_graph_from_the_wheel_matches_the_golden_graph(installed, user):
    proc = svcdocs(installed, user, "graph", "sample-manifests")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == GOLDEN_GRAPH.read_text(encoding="utf-8")
    dot = svcdocs(installed, user, "graph", "--format", "mermaid", "sample-manifests")
    assert dot.returncode == 0 and dot.stdout.startswith("flowchart")


def test_check_and_rules_from_the_wheel(installed, user):
    proc = svcdocs(installed, user, "check", "--format", "json", "sample-manifests")
    assert proc.returncode == 1, proc.stderr  # the samples have errors on purpose
    findings = json.loads(proc.stdout)["findings"]
    assert {f["rule"] for f in findings} >= {"dangling-service", "nodeport-service"}
    assert all(f["file"].startswith("sample-manifests/") for f in findings)
    sarif = svcdocs(installed, user, "check", "--format", "sarif", "--fail-on", "never", "sample-manifests")
    assert sarif.returncode == 0 and json.loads(sarif.stdout)["runs"][0]["tool"]["driver"]["rules"]
    assert "dangling-service" in svcdocs(installed, user, "rules", "--format", "markdown").stdout
    schema = svcdocs(installed, user, "schema", "config")  # the schemas ship in the wheel
    assert schema.returncode == 0 and json.loads(schema.stdout)["title"] == ".svcdocs.yaml"


def test_diff_from_the_wheel_uses_its_comment_template(installed, user):
    proc = svcdocs(installed, user, "diff", "sample-manifests", "changed", "--fail-on-exposure")
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("<!-- svcdocs-review -->\n### ⚠") and "cart" in proc.stdout


def test_build_from_the_wheel_finds_its_templates_and_assets(installed, user):
    proc = svcdocs(installed, user, "build", "sample-manifests", "-o", "site")
    assert proc.returncode == 0, proc.stderr
    home = (user / "site" / "index.html").read_text(encoding="utf-8")
    assert "What is exposed" in home and "<svg" in home
    assert (user / "site" / "assets" / "svcdocs.css").is_file()
    assert (user / "site" / "services" / "shop" / "cart" / "index.html").is_file()


def test_build_from_the_wheel_without_graphviz_ships_its_vendored_mermaid(installed, user):
    proc = svcdocs(installed, user, "build", "sample-manifests", "-o", "mermaid-site", path=str(installed))
    assert proc.returncode == 0, proc.stderr
    assert "Graphviz `dot` not found" in proc.stderr
    script = user / "mermaid-site" / "assets" / "javascripts" / "mermaid.min.js"
    assert script.stat().st_size > 1_000_000
    assert 'class="mermaid"' in (user / "mermaid-site" / "index.html").read_text(encoding="utf-8")


def _project_copy(folder: Path) -> Path:
    for name in ("pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", ".gitattributes", ".git_archival.txt"):
        shutil.copy(ROOT / name, folder / name)
    for name in ("generator", "templates"):
        shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return folder


def _version_of(folder: Path) -> str:
    proc = _run([sys.executable, "-m", "hatchling", "version"], folder)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.strip()


def test_the_version_comes_from_the_git_tag_and_falls_back_without_git(tmp_path):
    _needs("hatch_vcs")
    (tmp_path / "tarball").mkdir()
    tarball = _project_copy(tmp_path / "tarball")
    assert _version_of(tarball) == "0.0.0"  # no git at all: a tarball of the repository

    (tmp_path / "repo").mkdir()
    repo = _project_copy(tmp_path / "repo")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull}
    for argv in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "first"], ["tag", "v1.2.3"]):
        assert _run(["git", *argv], repo, env).returncode == 0
    assert _version_of(repo) == "1.2.3"
    (repo / "CHANGELOG.md").write_text("next\n")
    assert _run(["git", "commit", "-qam", "second"], repo, env).returncode == 0
    assert re.fullmatch(r"1\.2\.4\.dev1\+g[0-9a-f]+", _version_of(repo))


def _archive(repo: Path, into: Path, ref: str = "HEAD") -> Path:
    """What GitHub's tarball of REF holds (the copy of the Action a workflow runs): `git archive`."""
    tar = _run(["git", "archive", "--format=tar", "-o", into.with_suffix(".tar"), ref], repo)
    assert tar.returncode == 0, tar.stderr
    into.mkdir()
    assert _run(["tar", "-xf", into.with_suffix(".tar"), "-C", into], repo).returncode == 0
    return into


def test_an_archive_of_a_tag_or_a_branch_has_the_version_its_ref_describes(tmp_path):
    """No .git in GitHub's tarballs: .git_archival.txt (export-subst) carries `git describe`."""
    _needs("hatch_vcs")
    (tmp_path / "repo").mkdir()
    repo = _project_copy(tmp_path / "repo")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull}
    for argv in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "first"], ["tag", "-a", "v1.2.3", "-m", "1.2.3"]):
        assert _run(["git", *argv], repo, env).returncode == 0
    assert _version_of(_archive(repo, tmp_path / "tag")) == "1.2.3"
    (repo / "CHANGELOG.md").write_text("next\n")
    assert _run(["git", "commit", "-qam", "second"], repo, env).returncode == 0
    assert re.fullmatch(r"1\.2\.4\.dev1\+g[0-9a-f]+", _version_of(_archive(repo, tmp_path / "branch")))

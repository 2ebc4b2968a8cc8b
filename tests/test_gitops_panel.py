"""A panel of public GitOps repositories, one of each shape (issue 20): a Flux
monorepo, Flux multi-tenancy, an Argo CD app of apps, ApplicationSets, a
per-service overlays monorepo, a catalog of independent apps, a Flux home lab
and an environment-promotion repository (tests/fixtures/gitops/<name>/, each
with its SOURCE.txt).

tests/fixtures/gitops/expected.json holds, read by hand from the manifests,
the environments each repository deploys and the apps in each; names listed
under `may_also_list` (the bootstrap unit of a Flux cluster, the root of an app
of apps) may be listed or not. For each repository:

- the environments and their apps are exactly those expected;
- `check` reports no `duplicate-object` error where units are deployed apart;
- a review of the repository against an exact copy says "No architectural changes".

Each repository is read as a clone of its own: copied into a git repository
whose origin is the public repository, PATH its root. Charts from the
internet are not reachable here: remote HelmReleases and charts are listed,
not rendered.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT
from svcdocs.cli import main
from svcdocs.load.environments import EnvironmentOptions, discover_environments
from svcdocs.load.sources import DEFAULT_RENDER, LoadOptions

PANEL = ROOT / "tests" / "fixtures" / "gitops"
CASES = json.loads((PANEL / "expected.json").read_text(encoding="utf-8"))["cases"]

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _case_id(case: dict) -> str:
    return case["id"]


def _cases(test: str) -> list:
    return [pytest.param(case, id=case["id"]) for case in CASES]


@pytest.fixture(scope="module")
def clones(tmp_path_factory):
    """Each fixture as a clone of its repository (made once per module)."""
    made: dict[str, Path] = {}

    def clone(case: dict) -> Path:
        name = case["fixture"]
        if name not in made:
            repo = tmp_path_factory.mktemp("gitops") / name
            shutil.copytree(PANEL / name, repo, ignore=shutil.ignore_patterns("SOURCE.txt"))
            git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
            for args in (["init", "-q"], ["remote", "add", "origin", case["repository"] + ".git"],
                         ["add", "-A"], ["commit", "-qm", "clone"]):
                subprocess.run(git + args, check=True, capture_output=True)
            made[name] = repo
        return made[name]
    return clone


def test_every_fixture_has_a_source_and_expectations():
    folders = sorted(p.name for p in PANEL.iterdir() if p.is_dir())
    assert folders == sorted({c["fixture"] for c in CASES})
    assert len({c["repository"] for c in CASES}) >= 8
    for folder in folders:
        source = (PANEL / folder / "SOURCE.txt").read_text(encoding="utf-8")
        assert "Repository: https://github.com/" in source and "Commit:     " in source and "License:" in source


def _found(repo: Path, args: list[str], cli, monkeypatch) -> dict[str, list[str]]:
    """Environment name -> its app names, as `svcdocs environments` prints them
    when the command exists, else as discovery makes them."""
    monkeypatch.chdir(repo)
    if "environments" in main.commands:
        result = cli("environments", "--format", "json", *args, ".")
        assert result.exit_code == 0, result.output
        doc = json.loads(result.stdout)
        listed = doc["environments"] + doc.get("empty", [])
        return {e["name"]: sorted(a["name"] for a in e.get("apps", [])) for e in listed}
    render = set(DEFAULT_RENDER) | ({"helm"} if "helm" in args else set())
    found = discover_environments(["."], options=EnvironmentOptions(render=LoadOptions(render=frozenset(render))))
    return {e.name: sorted(a.name for a in e.apps) for e in found.environments}


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_environments_and_their_apps(case, clones, cli, monkeypatch):
    found = _found(clones(case), case["args"], cli, monkeypatch)
    optional = case["may_also_list"]
    expected = case["environments"]
    assert set(expected) <= set(found) <= set(expected) | set(optional["environments"]), \
        f"environments: {sorted(found)}"
    for name, apps in found.items():
        required = set(expected.get(name, ()))
        assert required <= set(apps) <= required | set(optional["apps"]), f"apps of {name!r}: {apps}"


def _duplicate_errors(doc: dict) -> list[str]:
    parts = doc.get("environments") or [doc]
    return sorted(f"{f['object']} ({f.get('environment', '')})" for part in parts for f in part.get("findings", ())
                  if f["rule"] == "duplicate-object" and f["severity"] == "error")


@pytest.mark.parametrize("case", _cases("duplicates"))
def test_no_duplicate_object_error_between_units_deployed_apart(case, clones, cli, monkeypatch):
    monkeypatch.chdir(clones(case))
    result = cli("check", "--format", "json", "--fail-on", "error", *case["args"], ".")
    assert result.exit_code in (0, 1), result.output
    assert _duplicate_errors(json.loads(result.stdout)) == case["duplicate_object_errors"]


@pytest.mark.parametrize("case", _cases("review"))
def test_a_review_against_an_exact_copy_is_no_change(case, clones, cli, tmp_path, monkeypatch):
    repo = clones(case)
    shutil.copytree(repo, tmp_path / "copy", ignore=shutil.ignore_patterns(".git"))
    monkeypatch.chdir(repo)
    result = cli("diff", "--format", "json", "--fail-on-exposure", *case["args"], ".", tmp_path / "copy")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["verdict"].startswith("No architectural changes"), doc["verdict"]

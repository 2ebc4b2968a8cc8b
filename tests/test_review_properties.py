"""Property: a review of any input against an exact copy of itself says "No
architectural changes" and passes the gate; so does `diff --git HEAD` of a
clean tree. Every input the project has: sample-manifests, every fixture (the
panel of public projects, kustomize repositories, GitOps repositories, router
and operator samples, review cases) and, beside a checkout, the corpus of
../shared (skipped without it)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLES, SHARED

FIXTURES = ROOT / "tests" / "fixtures"
def _holds_manifests(folder: Path) -> bool:
    """A folder of YAML or JSON (not, say, packaged charts served by tests)."""
    return any(f.suffix in (".yaml", ".yml", ".json") for f in folder.rglob("*"))


# the GitOps panel (fixtures/gitops/<repository>) is reviewed against a copy per repository in test_gitops_panel.py
INPUTS = [SAMPLES, *sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name != "gitops" and _holds_manifests(p)),
          *sorted(p for p in (ROOT / "tests" / "review").glob("*/*") if p.is_dir())]
CORPUS = SHARED / "corpus"
CORPUS_INPUTS = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and p.name != "expected") \
    if CORPUS.is_dir() else []


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def assert_no_change(cli, *args: str) -> None:
    result = cli("diff", "--format", "json", "--fail-on-exposure", *args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["verdict"].startswith("No architectural changes"), doc["verdict"]
    parts = doc.get("environments") or [doc]
    for part in parts:
        assert all(not part[key] for key in ("exposure", "reach", "entrypoints", "objects", "edges", "findings",
                                             "unmodelled", "not_read", "rendering")), part.get("environment")


def review_of_a_copy(cli, source: Path, tmp_path: Path, monkeypatch) -> None:
    for side in ("a", "b"):
        shutil.copytree(source, tmp_path / side, symlinks=True)
    monkeypatch.chdir(tmp_path)
    assert_no_change(cli, "a", "b")


@pytest.mark.parametrize("source", INPUTS, ids=_name)
def test_a_review_against_an_exact_copy_is_no_change(cli, source, tmp_path, monkeypatch):
    review_of_a_copy(cli, source, tmp_path, monkeypatch)


@pytest.mark.parametrize("name", CORPUS_INPUTS)
def test_a_corpus_input_against_an_exact_copy_is_no_change(cli, shared, name, tmp_path, monkeypatch):
    review_of_a_copy(cli, shared / "corpus" / name, tmp_path, monkeypatch)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("source", [p for p in INPUTS if p.parent == FIXTURES or p == SAMPLES], ids=_name)
def test_diff_git_of_a_clean_tree_is_no_change(cli, source, tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    shutil.copytree(source, repo, symlinks=True)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "copy"]):
        subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                       check=True, capture_output=True)
    monkeypatch.chdir(repo)
    assert_no_change(cli, "--git", "HEAD", ".")

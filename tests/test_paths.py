"""Paths independent of the working directory: an --env as svcdocs prints it
works from outside the repository (graph, reach, diff --git, build); reach
reads one environment at a time; an absolute PATH puts no path of this
machine into the site, and the default --repo-url comes from the origin
remote."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from conftest import ROOT
from test_environments import needs_kustomize

SHOP = ROOT / "tests" / "fixtures" / "environments-shop"
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@pytest.fixture
def outside(tmp_path, monkeypatch):
    """The shop repository (a git repository whose origin is on GitHub) at
    repo/, and the working directory beside it, outside the repository."""
    repo = tmp_path / "repo"
    shutil.copytree(SHOP, repo)
    if shutil.which("git"):
        git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
        subprocess.run([*git, "init", "-q"], check=True)
        subprocess.run([*git, "add", "-A"], check=True)
        subprocess.run([*git, "commit", "-qm", "shop"], check=True)
        subprocess.run([*git, "remote", "add", "origin", "git@github.com:acme/shop.git"], check=True)
    here = tmp_path / "elsewhere"
    here.mkdir()
    monkeypatch.chdir(here)
    return repo


def names(result) -> list[str]:
    document = json.loads(result.stdout)
    return [e["name"] for e in document["environments"]] if "environments" in document else ["(one)"]


@needs_kustomize
def test_an_env_as_svcdocs_prints_it_works_from_outside_the_repository(outside, cli):
    printed = names(cli("graph", outside))
    assert printed == ["dev", "staging", "prod"]
    for env in ("prod", "overlays/prod"):  # the name svcdocs prints, or the path
        one = cli("graph", outside, "--env", env)
        assert one.exit_code == 0, one.stderr
        assert any(n["id"] == "Service/shop-prod/prod-web" for n in json.loads(one.stdout)["nodes"])
    unknown = cli("graph", outside, "--env", "qa")
    assert unknown.exit_code == 2 and "the environments: dev, staging, prod" in unknown.stderr
    one = cli("graph", outside, "--env", "overlays/prod")
    assert one.exit_code == 0, one.stderr
    assert json.loads(one.stdout)["schema"] == "svcdocs.graph/v1"
    assert any(n["id"] == "Service/shop-prod/prod-web" for n in json.loads(one.stdout)["nodes"])
    # a NAME, and a glob: named as svcdocs names them from the PATH
    assert sorted(names(cli("graph", outside, "--env", "live=overlays/prod", "--env", "overlays/d*"))) == [
        "live", "overlays/dev"]
    # from a PATH below the root, the names it prints
    assert names(cli("graph", outside / "overlays")) == ["dev", "staging", "prod"]
    assert cli("graph", outside / "overlays", "--env", "prod").exit_code == 0


@needs_kustomize
def test_an_env_that_is_nowhere_is_one_line(outside, cli):
    result = cli("graph", outside, "--env", "overlays/qa")
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("svcdocs: --env overlays/qa: no such file or folder")


@needs_kustomize
def test_reach_reads_one_environment_picked_with_env(outside, cli):
    several = cli("reach", outside)
    assert several.exit_code == 2
    assert "3 environments (dev, staging, prod); reach reads one: pick it with --env" \
        in several.stderr
    prod = cli("reach", outside, "--env", "overlays/prod")
    assert prod.exit_code == 0, prod.stderr
    assert "shop-prod/prod-web[Deployment]" in prod.stdout and "shop-dev" not in prod.stdout


@needs_git
@needs_kustomize
def test_diff_git_with_env_from_outside_the_repository(outside, cli):
    result = cli("diff", "--git", "HEAD", outside, "--env", "overlays/prod")
    assert result.exit_code == 0, result.stderr
    assert "No architectural changes" in result.stdout


@needs_git
@needs_kustomize
def test_an_absolute_path_leaves_no_machine_path_in_the_site(outside, cli, tmp_path):
    out = tmp_path / "site"
    result = cli("build", str(outside), "-o", out)
    assert result.exit_code == 0, result.stderr
    leaked = [p for p in out.rglob("*") if p.is_file() and str(tmp_path).encode() in p.read_bytes()]
    assert leaked == []
    page = (out / "envs" / "prod" / "findings" / "index.html").read_text(encoding="utf-8")
    assert "https://github.com/acme/shop/blob/HEAD/overlays/prod/" in page or \
        "https://github.com/acme/shop/blob/HEAD/base/" in page

"""Paths as readers see them, wherever svcdocs runs from: the site and SARIF
show files from the root of the repository that holds the PATH, `--repo-url`
links never gain the PATH's prefix, no absolute path of this machine reaches
a published page, and the default `--repo-url` is the `origin` remote's forge."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import write
from svcdocs.render.locations import forge_url, shown, source_root, without_machine_paths

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

SERVICE = """\
    apiVersion: v1
    kind: Service
    metadata: {name: web, namespace: shop}
    spec: {type: NodePort, selector: {app: web}, ports: [{port: 80}]}
    """


def repository(folder: Path, origin: str | None = None) -> Path:
    write(folder, "k8s/web.yaml", SERVICE)
    subprocess.run(["git", "-C", str(folder), "init", "-q"], check=True)
    if origin:
        subprocess.run(["git", "-C", str(folder), "remote", "add", "origin", origin], check=True)
    return folder


@needs_git
@pytest.mark.parametrize("origin, url", [
    ("https://github.com/owner/shop.git", "https://github.com/owner/shop/blob/HEAD/"),
    ("git@github.com:owner/shop.git", "https://github.com/owner/shop/blob/HEAD/"),
    ("ssh://git@gitlab.com/group/sub/shop.git", "https://gitlab.com/group/sub/shop/-/blob/HEAD/"),
    ("https://bitbucket.org/team/shop", "https://bitbucket.org/team/shop/src/HEAD/"),
    ("https://codeberg.org/owner/shop.git", "https://codeberg.org/owner/shop/src/branch/HEAD/"),
    ("https://git.example.com/owner/shop.git", None),  # an unknown forge: no guess
    ("/srv/git/shop.git", None),
])
def test_the_default_repo_url_is_the_origin_remotes_forge(tmp_path, origin, url):
    assert forge_url(str(repository(tmp_path / "repo", origin))) == url


@needs_git
def test_paths_are_shown_from_the_root_of_the_paths_repository(tmp_path, monkeypatch):
    repo = repository(tmp_path / "repo")
    monkeypatch.chdir(tmp_path)
    root = source_root([str(repo / "k8s")])
    assert root == str(repo.resolve())
    assert shown(root, str(repo / "k8s" / "web.yaml")) == "k8s/web.yaml"
    assert shown(root, "repo/k8s/web.yaml") == "k8s/web.yaml"
    assert shown(root, "/elsewhere/on/this/machine.yaml") == "machine.yaml"
    error = f"accumulating resources from '{repo.resolve()}/k8s/base': no such file"
    assert without_machine_paths(error, root) == "accumulating resources from 'k8s/base': no such file"


@needs_git
def test_a_site_built_from_elsewhere_links_and_shows_repository_paths(cli, tmp_path, monkeypatch):
    repo = repository(tmp_path / "repo", "https://github.com/owner/shop.git")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = cli("build", str(repo / "k8s"), "-o", str(tmp_path / "site"))
    assert result.exit_code == 0, result.output
    pages = [p.read_text(encoding="utf-8") for p in (tmp_path / "site").rglob("*.html")]
    pages.append((tmp_path / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert not any(str(tmp_path) in page for page in pages)
    service = (tmp_path / "site" / "services" / "shop" / "web" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://github.com/owner/shop/blob/HEAD/k8s/web.yaml#L4"' in service
    assert ">k8s/web.yaml:4<" in service


@needs_git
def test_sarif_from_elsewhere_names_files_from_the_repository_root(cli, tmp_path, monkeypatch):
    repo = repository(tmp_path / "repo")
    monkeypatch.chdir(tmp_path)
    sarif = json.loads(cli("check", "--format", "sarif", "--fail-on", "never", "repo/k8s").stdout)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {"k8s/web.yaml"}

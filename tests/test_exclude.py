"""Leaving paths out (`exclude:` in the config, repeatable `--exclude`), and the
files of other tools a repository holds (mkdocs.yml, package.json, workflows,
renovate.json, ...), which are counted quietly instead of warned about."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from conftest import write

from svcdocs.load.exclude import Excludes, other_tool

SERVICE = "apiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\nspec: {{type: NodePort, ports: [{{port: 80}}]}}\n"


@pytest.mark.parametrize("glob, path, left_out", [
    ("mkdocs.yml", "mkdocs.yml", True),
    ("mkdocs.yml", "site/docs/mkdocs.yml", True),  # a name matches at any depth
    ("*.json", "a/b/c.json", True),
    ("docs", "docs/k8s/web.yaml", True),  # a folder, with everything below it
    ("docs/", "docs/web.yaml", True),
    ("docs", "k8s/docs.yaml", False),
    ("k8s/dev", "k8s/dev/web.yaml", True),  # a path from the base folder
    ("k8s/dev", "other/k8s/dev/web.yaml", False),
    ("k8s/*/test", "k8s/app/test/x.yaml", True),
    ("k8s/*/test", "k8s/a/b/test/x.yaml", False),
    ("k8s/**/test", "k8s/a/b/test/x.yaml", True),
    ("k8s/**/test", "k8s/test/x.yaml", True),
    ("**/ci/*.yaml", "charts/web/ci/values.yaml", True),
    ("web-?.yaml", "web-1.yaml", True),
    ("web-?.yaml", "web-10.yaml", False),
    ("./docs", "docs/web.yaml", True),
    ("./docs", "k8s/docs/web.yaml", False),  # ./ anchors a name to the base folder
])
def test_globs_match_as_gitignore_does(tmp_path, monkeypatch, glob, path, left_out):
    monkeypatch.chdir(tmp_path)
    assert Excludes().plus(".", [glob]).excluded(path) is left_out
    assert Excludes().plus(".", [glob]).excluded("./" + path) is left_out  # as a walk of . labels it


def test_a_glob_starts_from_its_base_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    excludes = Excludes().plus("repo", ["k8s/dev"])
    assert excludes.excluded("repo/k8s/dev/web.yaml") and not excludes.excluded("k8s/dev/web.yaml")
    assert not Excludes().excluded("anything") and not Excludes().plus(".", ["", "/"])


@pytest.mark.parametrize("name", ["mkdocs.yml", "package.json", "package-lock.json", "renovate.json",
                                  "tsconfig.json", "tsconfig.base.json", "docker-compose.yml",
                                  "docker-compose.prod.yaml", "compose.yaml", "action.yml", "codecov.yml",
                                  "azure-pipelines.yml", "openapi.yaml", "catalog-info.yaml"])
def test_other_tools_files_are_known(name):
    assert other_tool(name)


@pytest.mark.parametrize("name", ["web.yaml", "deployment.json", "mkdocs-service.yaml", "values-prod.yaml"])
def test_manifests_are_not_other_tools_files(name):
    assert not other_tool(name)


# --- Through the commands -----------------------------------------------------------

@pytest.fixture
def repository(tmp_path, monkeypatch):
    """A repository with manifests, docs, a Node tool and CI configuration."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "k8s/web.yaml", SERVICE.format(name="web"))
    write(tmp_path, "k8s/dev/debug.yaml", SERVICE.format(name="debug"))
    write(tmp_path, "docs/examples/demo.yaml", SERVICE.format(name="demo"))
    write(tmp_path, "mkdocs.yml", "site_name: shop\nnav: [index.md]\n")
    write(tmp_path, "package.json", '{"name": "shop", "version": "1.0.0"}\n')
    write(tmp_path, "renovate.json", '{"extends": ["config:recommended"]}\n')
    write(tmp_path, "tsconfig.base.json", '{"compilerOptions": {}}\n')
    write(tmp_path, "docker-compose.yml", "services: {web: {image: nginx}}\n")
    write(tmp_path, ".github/workflows/ci.yml", "on: push\njobs: {}\n")
    write(tmp_path, "frontend/package.json", '{"name": "frontend"}\n')
    return tmp_path


def services(cli, *args) -> set[str]:
    result = cli("graph", *args)
    assert result.exit_code == 0, result.output
    return {n["id"] for n in json.loads(result.stdout)["nodes"] if n["kind"] == "Service"}


def test_other_tools_files_are_counted_quietly(cli, repository):
    result = cli("graph", ".")
    assert result.exit_code == 0 and result.stderr == ""
    inputs = json.loads(result.stdout)["inputs"]
    assert inputs["skipped"] == 7 and inputs["problems"] == []  # six files of other tools and the workflow
    check = cli("check", ".", "--fail-on", "never")
    assert "no kind" not in check.stderr and check.stderr == ""


def test_a_manifest_in_an_other_tools_file_is_still_read(cli, repository):
    """kubectl apply -R -f would apply it: the review must see it."""
    write(repository, "package.json", '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "sneaky"}}\n')
    assert "Service/default/sneaky" in services(cli, ".")


def test_exclude_globs_are_repeatable_and_leave_folders_out(cli, repository):
    assert services(cli, ".") == {"Service/default/web", "Service/default/debug", "Service/default/demo"}
    assert services(cli, ".", "--exclude", "docs") == {"Service/default/web", "Service/default/debug"}
    assert services(cli, ".", "-x", "docs/**", "-x", "k8s/dev") == {"Service/default/web"}
    assert services(cli, ".", "--exclude", "debug.yaml", "--exclude", "demo.yaml") == {"Service/default/web"}


def test_the_configs_excludes_start_from_its_folder(cli, repository):
    write(repository, "config/svcdocs.yaml", "exclude: [../docs, ../k8s/dev/debug.yaml]\n")
    assert services(cli, ".", "--config", "config/svcdocs.yaml") == {"Service/default/web"}
    write(repository, ".svcdocs.yaml", "exclude: docs\n")
    assert services(cli, ".") == {"Service/default/web", "Service/default/debug"}
    assert services(cli, ".", "-x", "k8s/dev") == {"Service/default/web"}  # the two add up


def test_a_file_named_on_the_command_line_is_left_out_too(cli, repository):
    """pre-commit names every changed file: an excluded one is not read."""
    assert services(cli, "k8s/web.yaml", "docs/examples/demo.yaml", "-x", "docs") == {"Service/default/web"}
    result = cli("check", "docs/examples/demo.yaml", "-x", "docs")
    assert result.exit_code == 2 and "no Kubernetes manifests found" in result.stderr


def test_the_review_leaves_out_the_same_paths_at_the_base_revision(cli, repository):
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for argv in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run([*git, *argv], cwd=repository, check=True, env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull})
    write(repository, "docs/examples/more.yaml", SERVICE.format(name="more").replace("NodePort", "LoadBalancer"))
    result = cli("diff", "--git", "HEAD", ".", "--format", "json", "--fail-on-exposure", "-x", "docs")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["objects"] == []
    assert cli("diff", "--git", "HEAD", ".", "--fail-on-exposure").exit_code == 1

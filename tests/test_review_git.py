"""`svcdocs diff --git REV`: BASE read exactly as HEAD is, wherever svcdocs
runs from. Repositories are made here, from manifests written here; the
kustomize tests need kubectl or kustomize (on the CI machine, kubectl)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import needs_kustomize, write

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

WEB = """\
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers:
          - name: web
            image: nginx:1.27
            ports: [{containerPort: 8080}]
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec:
      selector: {app: web}
      ports: [{port: 80, targetPort: 8080}]
    """
ACCOUNT = """\
    apiVersion: v1
    kind: ServiceAccount
    metadata: {name: web}
    ---
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: web}
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
      maxReplicas: 3
    ---
    apiVersion: example.com/v1
    kind: Widget
    metadata: {name: web}
    spec: {size: 3}
    ---
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
    """


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                          check=True, capture_output=True, text=True).stdout


def committed(repo: Path, files: dict[str, str]) -> Path:
    """A repository of `files` (name -> text) in one commit."""
    for name, text in files.items():
        write(repo, name, text)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "files")
    return repo


@pytest.fixture
def monorepo(tmp_path) -> Path:
    """A base outside the PATH `deploy` that its overlays reach (`../../../base/web`)."""
    return committed(tmp_path / "repo", {
        "base/web/web.yaml": WEB, "base/web/extra.yaml": ACCOUNT,
        "base/web/kustomization.yaml": "resources: [web.yaml, extra.yaml]\n",
        **{f"deploy/overlays/{env}/kustomization.yaml": f"resources: [../../../base/web]\nnamespace: {env}\n"
           for env in ("staging", "production")}})


def review(cli, *args) -> tuple[int, dict]:
    result = cli("diff", "--format", "json", "--fail-on-exposure", *args)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


@needs_git
@needs_kustomize
@pytest.mark.parametrize("where", ["top", "inside", "outside"])
def test_an_unchanged_tree_is_no_change_from_wherever_it_runs(cli, monorepo, monkeypatch, where):
    """Kustomizations that reach outside the PATH, unmodelled kinds, any working directory."""
    cwd, path = {"top": (monorepo, "deploy"), "inside": (monorepo / "deploy", "."),
                 "outside": (monorepo.parent, "repo/deploy")}[where]
    monkeypatch.chdir(cwd)
    code, doc = review(cli, "--git", "HEAD", path)
    assert code == 0
    assert doc["verdict"] == "No architectural changes in 2 environments"
    assert [e["status"] for e in doc["environments"]] == ["unchanged", "unchanged"]


@needs_git
@needs_kustomize
def test_an_absolute_path_from_elsewhere_is_reviewed(cli, monorepo, monkeypatch, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    (monorepo / "base/web/web.yaml").write_text((monorepo / "base/web/web.yaml").read_text().replace(
        "  selector: {app: web}\n", "  type: NodePort\n  selector: {app: web}\n"))
    code, doc = review(cli, "--git", "HEAD", str(monorepo / "deploy"))
    assert code == 1
    assert [(e["environment"], e["status"]) for e in doc["environments"]] == [
        ("staging", "changed"), ("production", "changed")]
    staging = doc["environments"][0]
    assert [(c["object"], c["before"], c["after"]) for c in staging["exposure"]] == [
        ("Deployment/staging/web", "cluster", "node"), ("Service/staging/web", "cluster", "node")]


@needs_git
@needs_kustomize
def test_a_change_to_a_base_outside_the_path_is_compared_not_new(cli, monorepo, monkeypatch):
    monkeypatch.chdir(monorepo)
    web = monorepo / "base/web/web.yaml"
    web.write_text(web.read_text().replace("nginx:1.27", "nginx:1.28"))
    code, doc = review(cli, "--git", "HEAD", "deploy")
    assert code == 0
    assert {e["status"] for e in doc["environments"]} == {"changed"}
    assert "New environment" not in json.dumps(doc)


@needs_git
@needs_kustomize
def test_several_paths_that_each_hold_kustomizations_are_rendered(cli, monorepo, monkeypatch):
    monkeypatch.chdir(monorepo)
    web = monorepo / "base/web/web.yaml"
    web.write_text(web.read_text().replace("  selector: {app: web}\n", "  type: NodePort\n  selector: {app: web}\n"))
    code, doc = review(cli, "--git", "HEAD", "deploy/overlays/staging", "deploy/overlays/production")
    assert code == 1
    assert {c["object"] for c in doc["exposure"]} == {
        "Service/staging/web", "Deployment/staging/web", "Service/production/web", "Deployment/production/web"}
    code, doc = review(cli, "--git", "HEAD", "deploy/overlays", "base")
    assert code == 1
    assert {e["environment"]: e["status"] for e in doc["environments"]} == {
        "deploy/overlays/staging": "changed", "deploy/overlays/production": "changed", "base/web": "changed"}


@needs_git
@needs_kustomize
def test_a_base_that_cannot_be_rendered_is_said_never_taken_as_empty(cli, monorepo, monkeypatch):
    monkeypatch.chdir(monorepo)
    staging = monorepo / "deploy/overlays/staging/kustomization.yaml"
    staging.write_text("resources: [../../../base/web, https://example.com/remote.yaml]\nnamespace: staging\n")
    git(monorepo, "commit", "-qam", "a remote resource")
    staging.write_text("resources: [../../../base/web]\nnamespace: staging\n")
    code, doc = review(cli, "--git", "HEAD", "deploy")
    assert code == 1  # what BASE held is unknown: the gate fails closed
    environments = {e["environment"]: e for e in doc["environments"]}
    assert environments["staging"]["status"] == "changed"
    assert "BASE could not be rendered" in environments["staging"]["verdict"]
    assert "https://example.com/remote.yaml" in environments["staging"]["base_not_rendered"][0]
    assert environments["production"]["status"] == "unchanged"
    code, doc = review(cli, "--git", "HEAD", "deploy/overlays/staging")
    assert code == 1 and doc["verdict"].startswith("⚠ BASE could not be rendered")


@needs_git
def test_a_path_new_since_the_revision_is_all_added_and_not_read_differently(cli, monorepo, monkeypatch):
    monkeypatch.chdir(monorepo)
    write(monorepo, "new/web.yaml", WEB)
    code, doc = review(cli, "--git", "HEAD", "new")
    assert code == 0
    assert doc["rendering"] == [] and doc["base_not_rendered"] == []
    assert {c["object"] for c in doc["objects"] if c["change"] == "added"} == {"Deployment/default/web",
                                                                            "Service/default/web"}


@needs_git
def test_files_that_git_archive_would_leave_out_are_read(cli, tmp_path, monkeypatch):
    """`export-ignore` leaves files out of `git archive`; BASE is the tree as it is."""
    repo = committed(tmp_path / "repo", {"k8s/web.yaml": WEB, ".gitattributes": "k8s/** export-ignore\n"})
    monkeypatch.chdir(repo)
    code, doc = review(cli, "--git", "HEAD", "k8s")
    assert code == 0 and doc["verdict"] == "No architectural changes"


@needs_git
def test_gits_own_error_is_said(cli, tmp_path, monkeypatch):
    repo = committed(tmp_path / "repo", {"k8s/web.yaml": WEB})
    blob = git(repo, "rev-parse", "HEAD:k8s/web.yaml").strip()
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    monkeypatch.chdir(repo)
    result = cli("diff", "--git", "HEAD", "k8s")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == ["svcdocs: git cat-file failed: an object is missing"]
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/nowhere\n")
    result = cli("diff", "--git", "HEAD", "k8s")
    assert result.exit_code == 2 and "not a revision" in result.stderr


@needs_git
def test_the_config_outside_the_repository_is_the_one_in_use(cli, monorepo, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere, ".svcdocs.yaml", "inert-kinds: [Widget]\n")
    monkeypatch.chdir(elsewhere)
    result = cli("diff", "--git", "HEAD", "--format", "json", str(monorepo / "base" / "web" / "extra.yaml"))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["notes"] == []


@needs_git
@needs_kustomize
def test_the_review_shows_paths_from_the_repository_root_only(cli, monorepo, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    web = monorepo / "base/web/web.yaml"
    web.write_text(web.read_text().replace("  selector: {app: web}\n", "  type: NodePort\n  selector: {app: web}\n"))
    for args in (["--git", "HEAD", str(monorepo / "deploy")], ["--git", "HEAD", "../repo/deploy/overlays/staging"]):
        for fmt in ("markdown", "json"):
            text = cli("diff", "--format", fmt, *args).stdout
            assert str(tmp_path) not in text and "../" not in text
        assert "| base/web/web.yaml:" in cli("diff", *args).stdout
    text = cli("diff", "--git", "HEAD", str(monorepo / "deploy")).stdout
    assert "<sub>svcdocs diff: deploy at HEAD → deploy</sub>" in text


@needs_git
def test_what_the_user_leaves_out_is_left_out_at_base_too(cli, tmp_path, monkeypatch):
    repo = committed(tmp_path / "repo", {"k8s/web.yaml": WEB, "k8s/old/web.yaml": WEB.replace("name: web}", "name: old}")})
    monkeypatch.chdir(repo / "k8s")
    code, doc = review(cli, "--git", "HEAD", "--exclude", "old", ".")
    assert code == 0 and doc["verdict"] == "No architectural changes"


@needs_git
@needs_kustomize
def test_base_renders_the_files_it_tracked_though_head_deleted_them(cli, tmp_path, monkeypatch):
    """kustomize renders a copy of the tracked files only (load/staged.py): at
    BASE those are the revision's, not what the checkout's index holds now."""
    repo = committed(tmp_path / "repo", {"app/web.yaml": WEB, "app/kustomization.yaml": "resources: [web.yaml]\n"})
    git(repo, "rm", "-q", "app/web.yaml")
    write(repo, "app/api.yaml", WEB.replace("web", "api"))
    write(repo, "app/kustomization.yaml", "resources: [api.yaml]\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "web goes")
    monkeypatch.chdir(repo)
    code, doc = review(cli, "--git", "HEAD~1", "app")
    assert code == 0
    assert doc["base_not_rendered"] == [] and doc["unseen"] == []
    assert sorted((o["change"], o["object"]) for o in doc["objects"]) == [
        ("added", "Deployment/default/api"), ("added", "Service/default/api"),
        ("removed", "Deployment/default/web"), ("removed", "Service/default/web")]


@needs_git
def test_what_git_ignores_is_no_input_at_head(cli, tmp_path, monkeypatch):
    """A `.venv/` or `node_modules/` beside the manifests (ignored, never in a
    commit) is neither new input svcdocs could not read nor a new way in: an
    unchanged tree is no change. An untracked file git does not ignore is read."""
    repo = committed(tmp_path / "repo", {"k8s/web.yaml": WEB, ".gitignore": "node_modules/\n*.local.yaml\n"})
    write(repo, "node_modules/pkg/locale.json", '{"not": "a manifest"}\n')
    write(repo, "k8s/lb.local.yaml", WEB.replace("name: web", "name: local-lb").replace("ClusterIP", "LoadBalancer"))
    monkeypatch.chdir(repo)
    code, doc = review(cli, "--git", "HEAD", ".")
    assert code == 0 and doc["verdict"] == "No architectural changes", doc["verdict"]
    write(repo, "k8s/new.yaml", '{"not": "a manifest"}\n')  # untracked, not ignored: read, and not readable
    code, doc = review(cli, "--git", "HEAD", ".")
    assert code == 1 and "could not read" in doc["verdict"], doc["verdict"]

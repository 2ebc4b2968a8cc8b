"""A kustomization that only lists files is read as those files, without
kustomize (load/listed.py): the same objects, findings and lines as
kustomize's render, and kustomize still renders everything else."""

from __future__ import annotations

from pathlib import Path

import pytest

from svcdocs.config import Config
from svcdocs.load import listed
from svcdocs.load.listed import listed_source
from svcdocs.pipeline import report_for_paths
from svcdocs.render.graph_json import graph_document

from conftest import needs_kustomize, write


DEPLOYMENT = """\
# the web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: web:1
          ports:
            - name: http
              containerPort: 8080
"""
SERVICES = """\
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  type: NodePort
  selector: {app: web}
  ports:
    - port: 80
      targetPort: htp
---

apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  type: LoadBalancer
  ports: [{port: 5432}]"""  # no newline at the end: the next file still starts a document


@pytest.fixture
def app(tmp_path, monkeypatch) -> Path:
    write(tmp_path, "app/deployment.yaml", DEPLOYMENT)
    write(tmp_path, "app/services.yaml", SERVICES)
    write(tmp_path, "app/policy/deny.yaml", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
                                            "metadata: {name: deny, namespace: shop}\nspec:\n  podSelector: {}\n")
    write(tmp_path, "app/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                                              "resources:\n- deployment.yaml\n- services.yaml\n- ./policy/deny.yaml\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _graph(monkeypatch, read_listed: bool) -> dict:
    with monkeypatch.context() as patched:
        if not read_listed:
            patched.setattr("svcdocs.load.renderer.listed_source", lambda *a: None)
        return graph_document(report_for_paths(["app"], Config()))


@needs_kustomize
def test_read_without_kustomize_as_kustomize_renders_it(app, monkeypatch):
    assert listed_source("app", "app (kustomize)", str(app)) is not None
    without = _graph(monkeypatch, read_listed=True)
    with_kustomize = _graph(monkeypatch, read_listed=False)
    assert without == with_kustomize
    located = {(f["rule"], f["file"], f["line"]) for f in without["findings"]}
    assert ("unresolved-target-port", "app/services.yaml", 11) in located  # targetPort: htp
    assert ("nodeport-service", "app/services.yaml", 7) in located
    assert {n["file"] for n in without["nodes"] if "file" in n} == {
        "app/deployment.yaml", "app/services.yaml", "app/policy/deny.yaml"}


def test_no_kustomize_runs_for_a_list_of_files(app, monkeypatch):
    def refuse(*_):
        raise AssertionError("kustomize ran")
    monkeypatch.setattr("svcdocs.load.renderer.render_kustomization", refuse)
    report = report_for_paths(["app"], Config())
    assert {n.id for n in report.graph.nodes.values() if n.kind == "Service"} == {"Service/shop/web", "Service/shop/db"}
    assert not report.model.inputs.problems and report.model.inputs.documents == 4


@pytest.mark.parametrize("change", [
    pytest.param({"app/kustomization.yaml": "resources: [deployment.yaml]\nnamespace: other\n"}, id="another field"),
    pytest.param({"app/kustomization.yaml": "resources: [deployment.yaml, policy]\n"}, id="a folder"),
    pytest.param({"app/kustomization.yaml": "resources: [deployment.yaml, missing.yaml]\n"}, id="a missing file"),
    pytest.param({"app/kustomization.yaml": "resources: [deployment.yaml, deployment.yaml]\n"}, id="a file twice"),
    pytest.param({"app/kustomization.yaml": "resources: [https://example.com/a.yaml]\n"}, id="remote"),
    pytest.param({"app/kustomization.yaml": "resources: [../outside.yaml]\n", "outside.yaml": DEPLOYMENT},
                 id="outside the repository"),  # the repository is app/ below
    pytest.param({"app/kustomization.yaml": "kind: Component\nresources: [deployment.yaml]\n"}, id="a component"),
    pytest.param({"app/kustomization.yaml": "resources: []\n"}, id="nothing"),
    pytest.param({"app/services.yaml": SERVICES.replace("name: db", "name: web")}, id="one identity twice"),
    pytest.param({"app/deployment.yaml": DEPLOYMENT.replace("  name: web\n", "")}, id="a nameless object"),
    pytest.param({"app/deployment.yaml": DEPLOYMENT + "---\n- a list\n"}, id="not a mapping"),
    pytest.param({"app/deployment.yaml": DEPLOYMENT + "---\napiVersion: v1\nkind: List\nitems: []\n"}, id="a List"),
    pytest.param({"app/deployment.yaml": DEPLOYMENT.replace(
        "  namespace: shop\n", "  namespace: shop\n  annotations: {config.kubernetes.io/local-config: 'true'}\n")},
        id="kustomize's own annotation"),
    pytest.param({"app/deployment.yaml": "%YAML 1.1\n---\n" + DEPLOYMENT}, id="a directive"),
])
def test_kustomize_renders_what_is_not_only_a_list_of_files(app, change):
    for name, text in change.items():
        (app / name).write_text(text, encoding="utf-8")
    root = app / "app" if "outside.yaml" in change else app
    assert listed_source("app", "app (kustomize)", str(root)) is None


def test_each_object_is_placed_in_its_own_file(app):
    source = listed_source("app", "app (kustomize)", str(app))
    origins = source.origins
    assert origins.files == ("app/deployment.yaml", "app/services.yaml", "app/policy/deny.yaml")
    lines = source.data.decode().splitlines()
    for file, start in zip(origins.files, origins.starts):
        first = (app / file).read_text().splitlines()[0]
        assert lines[start] == first
        assert origins.place(start + 1) == (file, -start)
    assert listed.KEYS == {"apiVersion", "kind", "resources"}


def test_the_checker_resolves_an_entry_as_realpath_does(tmp_path):
    """load/kustomize_check.py resolves each entry below its folder's real path
    (one lstat a part): always the answer os.path.realpath gives."""
    import os

    from svcdocs.load.kustomize_check import real_below
    write(tmp_path, "repo/app/svc.yaml", SERVICES)
    write(tmp_path, "repo/base/a.yaml", DEPLOYMENT)
    write(tmp_path, "outside/b.yaml", DEPLOYMENT)
    os.symlink("../base", tmp_path / "repo/app/base-link")
    os.symlink(tmp_path / "outside", tmp_path / "repo/app/out")
    os.symlink("b.yaml", tmp_path / "outside/c.yaml")
    os.symlink("nowhere", tmp_path / "repo/app/dangling")
    os.symlink("loop", tmp_path / "repo/app/loop")
    folder = str(tmp_path / "repo" / "app")
    for entry in ["svc.yaml", "./svc.yaml", "svc.yaml/", "missing.yaml", "missing/deeper/x.yaml", "svc.yaml/x",
                  "../base/a.yaml", "base-link/a.yaml", "base-link", "out/b.yaml", "out/c.yaml", "out/../app",
                  "dangling", "dangling/x", "loop", "", ".", "a//b", str(tmp_path / "outside" / "b.yaml"),
                  "base-link/../app/svc.yaml", "with\\backslash"]:
        assert real_below(folder, entry) == os.path.realpath(os.path.join(folder, entry)), entry


FLUX_APPS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  path: ./apps
  sourceRef: {kind: GitRepository, name: flux-system}
  postBuild:
    substitute: {APP: web}
"""


def test_a_flux_kustomization_of_listed_files_places_its_variables_and_services_at_those_files(tmp_path, monkeypatch):
    """A Flux Kustomization's postBuild over a kustomization that only lists
    files: a variable without a value is said at the listed file's line, and
    the app's Services are found by the files their objects are placed at."""
    from svcdocs.render.site.apps import files_of
    from svcdocs.pipeline import reports_for_paths
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "clusters/home/apps.yaml", FLUX_APPS)
    write(tmp_path, "apps/kustomization.yaml", "resources: [web.yaml, extra.yaml]\n")
    # (block style: kustomize reads `{name: ${APP}}` as malformed YAML, as Flux's kustomize does)
    write(tmp_path, "apps/web.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: ${APP}\n  namespace: apps\n"
          "spec: {ports: [{port: 80}]}\n")
    write(tmp_path, "apps/extra.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: ${APP}-extra\n"
          "  namespace: apps\nspec:\n  ports: [{port: 80}]\n  externalName: ${LB_ADDRESS}\n")
    found = reports_for_paths((".",), Config())
    environment, report = next((e, r) for e, r in found.reports if e.name == "home")
    assert [(u.name, u.file, u.line) for u in environment.unset] == [("LB_ADDRESS", "apps/extra.yaml", 8)]
    assert {s.name for s in report.model.services} == {"web", "web-extra"}
    app = next(a for a in environment.apps if a.name == "apps")
    sources = [s for s in environment.sources if s.label in app.sources]
    files = set().union(*(files_of(s) for s in sources))
    assert {s.file for s in report.model.services} <= files

"""Every input form loads, and every unusable document becomes `file:line: reason`."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys

import pytest

from svcdocs.config import Config
from svcdocs.errors import SvcdocsError
from svcdocs.load import LoadOptions, Source, discover, parse
from svcdocs.model import build_model
from svcdocs.pipeline import report_for_paths
from svcdocs.state.cache import open_cache
from svcdocs.state.proof import secret
from svcdocs.state.site import write_marker

from conftest import needs_kustomize, write

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector: {{app: {name}}}
  ports:
  - port: 80
"""


def model_of(data: bytes, label: str = "in.yaml"):
    return build_model([Source(label=label, data=data, size=len(data))])


def service_names(model) -> list[str]:
    return [s.name for s in model.services]


def problems(model) -> list[str]:
    return [str(p) for p in model.inputs.problems]


def test_folder_is_walked_for_every_file_kubectl_reads_and_tool_config_is_counted(tmp_path):
    """Hidden files and the tools' configuration files are read, as kubectl
    apply -R -f reads them; their documents without a kind are counted as
    configuration, not reported."""
    write(tmp_path, "b/z.yaml", SERVICE.format(name="z"))
    write(tmp_path, "b/a.yml", SERVICE.format(name="a"))
    write(tmp_path, "a.json", '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "j"}}')
    write(tmp_path, "notes.txt", "not a manifest")
    write(tmp_path, "B.YAML", "not read by kubectl either: its suffix is upper case\n")
    write(tmp_path, ".github/workflows/ci.yml", "on: push\n")
    write(tmp_path, ".git/config.yaml", "never checked out\n")
    write(tmp_path, "b/kustomization.yaml", "resources: [a.yml]\n")
    write(tmp_path, "chart/Chart.yaml", "name: c\n")
    write(tmp_path, "chart/values.yaml", "replicas: 1\n")
    found = discover([str(tmp_path)])
    labels = [os.path.relpath(s.label, tmp_path) for s in found.sources]
    assert labels == ["a.json", ".github/workflows/ci.yml", "b/a.yml", "b/kustomization.yaml", "b/z.yaml",
                      "chart/Chart.yaml", "chart/values.yaml"]
    model = build_model(found.sources)
    assert service_names(model) == ["a", "j", "z"]
    assert model.inputs.skipped == 4 and problems(model) == []


def test_relative_paths_stay_as_the_user_gave_them(tmp_path, monkeypatch):
    write(tmp_path, "k8s/svc.yaml", SERVICE.format(name="web"))
    monkeypatch.chdir(tmp_path)
    report = report_for_paths(["k8s"], Config())
    assert report.model.services[0].file == os.path.join("k8s", "svc.yaml")
    report = report_for_paths(["."], Config())
    assert report.model.services[0].file == os.path.join("k8s", "svc.yaml")


def test_missing_path_is_one_clear_error(tmp_path):
    with pytest.raises(SvcdocsError, match="no such file or folder"):
        discover([str(tmp_path / "nope")])


def test_stdin_is_read_for_dash():
    found = discover(["-"], stdin=io.BytesIO(SERVICE.format(name="piped").encode()))
    assert found.sources[0].label == "<stdin>"
    assert service_names(build_model(found.sources)) == ["piped"]


def test_multi_document_file_keeps_each_documents_first_line():
    text = "# leading comment\n" + SERVICE.format(name="a") + "---\n" + SERVICE.format(name="b")
    model = model_of(text.encode())
    assert [(s.name, s.line) for s in model.services] == [("a", 2), ("b", 11)]
    assert model.inputs.documents == 2


def test_list_kind_items_load_and_bad_items_are_reported():
    text = """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: listed}
- "not an object"
- apiVersion: v1
  kind: Service
  metadata: {}
"""
    model = model_of(text.encode())
    assert service_names(model) == ["listed"]
    assert problems(model) == [
        "in.yaml:7: List item is not a mapping but a YAML scalar",
        "in.yaml:10: no metadata.name",
    ]


def test_json_bom_and_crlf_load():
    json_doc = b'{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "from-json"}}'
    assert service_names(model_of(json_doc, "a.json")) == ["from-json"]
    crlf = b"\xef\xbb\xbf" + SERVICE.format(name="crlf").replace("\n", "\r\n").encode()
    model = model_of(crlf)
    assert service_names(model) == ["crlf"]
    assert model.services[0].line == 1 and model.services[0].name_line == 4


def test_bad_yaml_loses_only_its_own_document():
    text = SERVICE.format(name="before") + "---\nkind: [unclosed\n---\n" + SERVICE.format(name="after")
    model = model_of(text.encode())
    assert service_names(model) == ["after", "before"]
    [problem] = problems(model)
    assert problem.startswith("in.yaml:10: invalid YAML:")


@pytest.mark.parametrize("text, reason", [
    ("- a\n- b\n", "in.yaml:1: not a mapping but a YAML sequence"),
    ("42\n", "in.yaml:1: not a mapping but a YAML scalar"),
    ("apiVersion: v1\nmetadata: {name: x}\n", "in.yaml:1: no kind; not a Kubernetes manifest"),
    ("apiVersion: v1\nkind: Service\nspec: {}\n", "in.yaml:1: no metadata.name"),
    ("kind: Service\nmetadata: 7\n", "in.yaml:2: metadata is not a mapping"),
    ("kind: Service\nmetadata:\n  name: {{ .Release.Name }}\n", "in.yaml:3: unrendered Helm template"),
    ('kind: Service\nmetadata:\n  name: "{{ .Release.Name }}"\n', "in.yaml:3: unrendered Helm template"),
])
def test_unusable_documents_become_problems(text, reason):
    model = model_of(text.encode())
    assert not model.services
    [problem] = problems(model)
    assert problem.startswith(reason)


def test_empty_and_comment_only_documents_are_neither_documents_nor_problems():
    model = model_of(b"# nothing\n---\n# still nothing\n---\n")
    assert model.inputs.documents == 0 and not model.inputs.problems


def test_invalid_utf8_and_binary_are_reported_with_their_line():
    text = SERVICE.format(name="ok").encode() + b"---\nkind: Service\nmetadata:\n  name: bad\xff\n"
    model = model_of(text)
    assert service_names(model) == ["ok"]
    assert problems(model) == ["in.yaml:12: invalid UTF-8"]
    assert problems(model_of(b"apiVersion: v1\n\x00\x01")) == ["in.yaml:2: binary data (a NUL byte), not YAML or JSON"]


def test_yaml_tags_are_never_constructed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = b"kind: ConfigMap\nmetadata: {name: t}\ndata:\n  x: !!python/object/apply:os.system ['touch pwned']\n"
    model = model_of(text)
    assert dict(model.inputs.other_kinds) == {"ConfigMap": 1}
    assert not (tmp_path / "pwned").exists()


def test_trailing_tabs_are_recovered_when_the_parser_rejects_them(monkeypatch):
    import yaml

    from svcdocs.load import yamldocs
    monkeypatch.setattr(yamldocs, "Loader", yaml.SafeLoader)  # the pure loader rejects them
    model = model_of(b"kind: Service\nmetadata:\n  name: tabbed\t\nspec:\n  ports:\n  - port: 80\t\n")
    assert service_names(model) == ["tabbed"] and not model.inputs.problems


def test_wrong_field_types_are_reported_and_the_object_kept():
    text = """\
kind: Service
metadata: {name: odd}
spec:
  type: 12
  ports:
  - port: eighty
  - "not a port"
  - port: 443
"""
    model = model_of(text.encode())
    assert [(s.type, [p.port for p in s.ports]) for s in model.services] == [("ClusterIP", [443])]
    assert problems(model) == [
        "in.yaml:4: spec.type '12' is not a Service type; read as ClusterIP",
        "in.yaml:6: spec.ports[0].port is not a number from 1 to 65535; ignored",
        "in.yaml:7: spec.ports[1] is not a mapping; ignored",
    ]


def test_unknown_kinds_are_counted_and_same_kind_in_another_group_is_not_confused():
    text = """\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: istio}
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: knative}
---
apiVersion: example.com/v1
kind: Service
metadata: {name: other}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
"""
    model = model_of(text.encode())
    # Istio's Gateway and Knative's Service are modelled, under ids of their own group.
    assert not model.services
    assert [g.id for g in model.gateways] == ["Gateway.networking.istio.io/default/istio"]
    assert [w.id for w in model.workloads] == ["Service.serving.knative.dev/default/knative"]
    assert dict(model.inputs.other_kinds) == {"ConfigMap": 1, "Service (example.com)": 1}


def test_kustomize_config_documents_are_skipped_and_counted():
    model = model_of(b"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n")
    assert model.inputs.skipped == 1 and model.inputs.documents == 0 and not model.inputs.problems


def test_namespace_defaults_to_default_or_the_option():
    assert model_of(SERVICE.format(name="a").encode()).services[0].namespace == "default"
    data = SERVICE.format(name="a").encode()
    model = build_model([Source(label="x", data=data, size=len(data))], namespace="prod")
    assert model.services[0].id == "Service/prod/a"


def test_secret_and_env_values_never_reach_the_model():
    text = """\
apiVersion: v1
kind: Secret
metadata: {name: s}
stringData: {token: SENTINEL-SECRET}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        env:
        - {name: PASSWORD, value: SENTINEL-ENV}
        - {name: DB, value: "postgres://u:SENTINEL-PW@db.data.svc:5432/x"}
"""
    model = model_of(text.encode())
    assert "SENTINEL" not in repr(model)
    [workload] = model.workloads
    assert workload.containers[0].env_names == ("PASSWORD", "DB")


def test_parallel_and_serial_loading_agree(tmp_path):
    for i in range(12):
        write(tmp_path, f"f{i:02d}.yaml", "---\n".join(SERVICE.format(name=f"s{i}-{j}") for j in range(5)))
    sources = discover([str(tmp_path)]).sources
    serial = build_model(sources, jobs=1)
    from svcdocs import model as model_module
    original = model_module.PARALLEL_MIN_BYTES
    model_module.PARALLEL_MIN_BYTES = 0
    try:
        parallel = build_model(sources, jobs=2)
    finally:
        model_module.PARALLEL_MIN_BYTES = original
    assert parallel == serial


def _fake_tool(folder, name: str, script: str):
    path = folder / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def test_helm_chart_is_rendered_with_helm_template(tmp_path, monkeypatch):
    chart = tmp_path / "chart"
    write(chart, "Chart.yaml", "apiVersion: v2\nname: demo\nversion: 0.1.0\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    rendered = tmp_path / "rendered.yaml"
    rendered.write_text("---\n# Source: demo/templates/svc.yaml\n" + SERVICE.format(name="from-helm"))
    _fake_tool(bin_dir, "helm", f'[ "$1" = template ] || exit 3\ncat "{rendered}"\n')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    report = report_for_paths([str(chart)], Config(render=frozenset({"helm"})))
    assert [s.name for s in report.model.services] == ["from-helm"]
    assert report.model.services[0].file == f"{chart} (helm template)"


def test_missing_helm_names_the_tool_and_the_pipe(tmp_path, monkeypatch):
    write(tmp_path, "Chart.yaml", "apiVersion: v2\nname: demo\nversion: 0.1.0\n")
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(SvcdocsError, match=r"helm is not on PATH.*helm template .* \| svcdocs <command> -"):
        discover([str(tmp_path)], options=LoadOptions(render=frozenset({"helm"})))


def test_failing_renderer_is_one_clear_error(tmp_path, monkeypatch):
    write(tmp_path, "chart/Chart.yaml", "name: demo\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake_tool(bin_dir, "helm", 'echo "Error: chart.metadata.version is required" >&2\nexit 1\n')
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(SvcdocsError, match="failed: Error: chart.metadata.version is required"):
        discover([str(tmp_path / "chart")], options=LoadOptions(render=frozenset({"helm"})))


@needs_kustomize
def test_kustomization_is_rendered(tmp_path):
    write(tmp_path, "base/svc.yaml", SERVICE.format(name="web"))
    write(tmp_path, "base/kustomization.yaml", "resources: [svc.yaml]\nnamespace: shop\nnamePrefix: prod-\n")
    report = report_for_paths([str(tmp_path / "base")], Config())
    assert [s.id for s in report.model.services] == ["Service/shop/prod-web"]


def test_missing_kustomize_names_the_tools_and_the_pipe(tmp_path, monkeypatch):
    write(tmp_path, "kustomization.yaml", "resources: []\n")
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(SvcdocsError, match=r"neither kubectl nor kustomize.*kustomize build .* \| svcdocs <command> -"):
        discover([str(tmp_path)])


def test_parse_reports_unreadable_file(tmp_path):
    parsed = parse(Source(label="gone.yaml", path=str(tmp_path / "gone.yaml")))
    assert [str(p) for p in parsed.problems] == ["gone.yaml:1: cannot read: No such file or directory"]


def test_every_document_is_modelled_or_reported(shared):
    """The hostile folder: nothing is dropped silently."""
    report = report_for_paths([str(shared / "hostile")], Config())
    kept = {o.id for o in report.model.objects()}
    for name in ("Service/default/bom-crlf", "Service/default/from-json", "Service/default/listed",
                 "Service/default/db", "Service/default/bomb"):
        assert name in kept
    reported = {os.path.basename(p.file) for p in report.model.inputs.problems}
    for name in ("binary.yaml", "broken.json", "deep-nesting.yaml", "helm-template.yaml", "invalid-utf8.yaml",
                 "missing-kind.yaml", "not-a-mapping.yaml"):
        assert name in reported


def test_cli_help_runs():
    out = subprocess.run([sys.executable, "-m", "svcdocs", "--help"], capture_output=True, text=True, check=True)
    assert "graph" in out.stdout


@pytest.mark.parametrize("pure_python", [False, True])
def test_deep_nesting_is_refused_with_a_clear_reason(monkeypatch, pure_python):
    import yaml

    from svcdocs.load import yamldocs
    if pure_python:
        monkeypatch.setattr(yamldocs, "Loader", yaml.SafeLoader)
    text = SERVICE.format(name="ok") + "---\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  x: " + "[" * 5000 + "\n"
    model = model_of(text.encode())
    assert service_names(model) == ["ok"]
    [problem] = problems(model)
    assert problem.endswith("nested more than 1000 levels deep; not read (a limit against hostile input)")


def test_merge_keys_keep_their_order_and_read_each_mapping_once():
    text = """\
apiVersion: v1
kind: Service
base: &base {app: base, tier: base, zone: base}
first: &first {<<: *base, app: first}
second: &second {app: second, tier: second}
loop: &loop {<<: *loop, zone: loop}
metadata:
  name: merged
  labels: {<<: [*first, *second, *loop], own: yes}
spec: {ports: [{port: 80}]}
"""
    model = model_of(text.encode())
    assert problems(model) == []
    # own keys first, then each merged mapping in order, depth first
    assert model.services[0].labels == (("app", "first"), ("own", "yes"), ("tier", "base"), ("zone", "base"))


def test_limits_on_file_size_and_document_count(monkeypatch, tmp_path):
    from svcdocs.load import yamldocs
    monkeypatch.setattr(yamldocs, "MAX_FILE_BYTES", 100)
    assert problems(model_of(b"#" * 200)) == ["in.yaml:1: file is larger than 100 bytes; not read (a limit against hostile input)"]
    monkeypatch.setattr(yamldocs, "MAX_FILE_BYTES", 10**6)
    monkeypatch.setattr(yamldocs, "MAX_DOCUMENTS", 2)
    model = model_of("---\n".join(SERVICE.format(name=f"s{i}") for i in range(4)).encode())
    assert service_names(model) == ["s0", "s1"]
    assert problems(model) == ["in.yaml:19: more than 2 documents in one file; the rest is not read"]


def test_a_file_past_the_size_limit_is_not_read_whole(monkeypatch, tmp_path):
    from svcdocs.load import yamldocs
    monkeypatch.setattr(yamldocs, "MAX_FILE_BYTES", 100)
    big = write(tmp_path, "big.yaml", "#" * 10_000)
    read = Source.read
    sizes = []
    monkeypatch.setattr(Source, "read", lambda self, limit=-1: sizes.append(len(read(self, limit))) or read(self, limit))
    assert [str(p) for p in parse(Source(label="big.yaml", path=str(big))).problems] == [
        "big.yaml:1: file is larger than 100 bytes; not read (a limit against hostile input)"]
    assert sizes == [101]


def generated_release(crds: int = 6, dashboards: int = 8, apps: int = 35) -> str:
    """What `helm template` of an operator's chart gives: CRDs with large OpenAPI
    schemas, ConfigMaps holding Grafana dashboards, and Deployments with their
    Services. The defaults make 84 documents, about 640 KB."""
    import json as _json

    import yaml

    def schema(depth: int, width: int) -> dict:
        if depth == 0:
            return {"type": "string", "description": "A field of the resource, as its operator documents it."}
        return {"type": "object", "description": "A group of settings. " * 3,
                "properties": {f"field{i}": schema(depth - 1, width) for i in range(width)}}
    docs = [{
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": f"things{i}.example.com"},
        "spec": {"group": "example.com", "names": {"kind": f"Thing{i}", "plural": f"things{i}"}, "scope": "Namespaced",
                 "versions": [{"name": "v1", "served": True, "storage": True,
                               "schema": {"openAPIV3Schema": schema(3, 6)}}]},
    } for i in range(crds)]
    panels = [{"id": j, "type": "timeseries", "title": f"Requests {j}", "gridPos": {"x": 0, "y": j, "w": 12, "h": 8},
               "targets": [{"expr": f'sum(rate(http_requests_total{{job="app{j}"}}[5m])) by (code)',
                            "legendFormat": "{{code}}"}]} for j in range(110)]
    docs += [{"apiVersion": "v1", "kind": "ConfigMap",
              "metadata": {"name": f"dashboard-{i}", "labels": {"grafana_dashboard": "1"}},
              "data": {f"dashboard-{i}.json": _json.dumps({"title": f"Dashboard {i}", "panels": panels}, indent=1)}}
             for i in range(dashboards)]
    for i in range(apps):
        labels = {"app.kubernetes.io/name": f"app{i}", "app.kubernetes.io/instance": "release"}
        container = {"name": "app", "image": f"registry.example.com/app{i}:1.2.3",
                     "ports": [{"name": "http", "containerPort": 8080}, {"name": "metrics", "containerPort": 9090}],
                     "env": [{"name": f"SETTING_{k}", "value": f"value-{k}"} for k in range(12)],
                     "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}},
                     "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}
        docs.append({"apiVersion": "apps/v1", "kind": "Deployment",
                     "metadata": {"name": f"app{i}", "namespace": "release", "labels": labels},
                     "spec": {"replicas": 2, "selector": {"matchLabels": labels},
                              "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}}}})
        docs.append({"apiVersion": "v1", "kind": "Service",
                     "metadata": {"name": f"app{i}", "namespace": "release", "labels": labels},
                     "spec": {"selector": labels, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}})
    return yaml.safe_dump_all(docs, sort_keys=False)


def test_a_large_generated_release_loads_whole_within_the_limits(tmp_path):
    """The limits leave real input alone: 84 documents in 640 KB, one file."""
    path = tmp_path / "release.yaml"
    path.write_text(generated_release(), encoding="utf-8")
    assert 600_000 < path.stat().st_size < 700_000
    model = build_model(discover([str(path)]).sources)
    assert model.inputs.documents == 84 and model.inputs.problems == ()
    assert len(model.services) == 35 and len(model.workloads) == 35
    assert dict(model.inputs.other_kinds) == {"ConfigMap": 8, "CustomResourceDefinition": 6}


def test_a_site_svcdocs_built_is_never_read_back_in_but_a_marker_alone_proves_nothing(tmp_path):
    write(tmp_path, "svc.yaml", SERVICE.format(name="web"))
    site = tmp_path / "site"
    write(site, "search/search_index.json", '{"docs": []}')
    write_marker(site, site, "project-digest", secret(open_cache()))
    found = discover([str(tmp_path)])
    assert [os.path.basename(s.label) for s in found.sources] == ["svc.yaml"]
    assert found.skipped_files == 1
    write(site, "lb.yaml", SERVICE.format(name="added-later"))  # the proof no longer holds
    found = discover([str(tmp_path)])
    assert [os.path.relpath(s.label, tmp_path) for s in found.sources] == [
        "svc.yaml", "site/lb.yaml", "site/search/search_index.json"]
    write(tmp_path, "copy/.svcdocs-site", (site / ".svcdocs-site").read_text())  # a marker from elsewhere
    write(tmp_path, "copy/lb.yaml", SERVICE.format(name="behind-a-copied-marker"))
    assert "copy/lb.yaml" in [os.path.relpath(s.label, tmp_path) for s in discover([str(tmp_path)]).sources]

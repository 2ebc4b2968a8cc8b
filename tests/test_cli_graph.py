"""`svcdocs graph`: formats, golden output for the samples, exit codes, problems."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT, write

GOLDEN = ROOT / "tests" / "golden"


def test_sample_manifests_graph_matches_golden(cli, monkeypatch, update_golden):
    monkeypatch.chdir(ROOT)
    result = cli("graph", "sample-manifests")
    assert result.exit_code == 0, result.stderr
    golden = GOLDEN / "sample-manifests.graph.json"
    if update_golden:
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8"), "run pytest --update-golden and review the diff"


def test_same_input_gives_byte_identical_output_in_every_format(cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    for fmt in ("json", "dot", "mermaid"):
        first = cli("graph", "sample-manifests", "--format", fmt).stdout
        assert first and first == cli("graph", "sample-manifests", "--format", fmt).stdout


def test_json_follows_the_schema_shape(cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    doc = json.loads(cli("graph", "sample-manifests").stdout)
    assert list(doc) == ["schema", "inputs", "nodes", "edges", "exposure", "effective_exposure", "reachable_from",
                         "entrypoints", "patterns", "findings"]
    assert doc["schema"] == "svcdocs.graph/v1"
    assert {"files", "documents", "problems"} <= set(doc["inputs"])
    assert "Internet" in {n["id"] for n in doc["nodes"]}
    for edge in doc["edges"]:
        assert edge["kind"] in ("routes", "attaches", "selects", "aliases", "calls", "isolates")
    for entry in doc["entrypoints"]:
        assert {"via", "workloads"} <= set(entry)


def test_problems_go_to_stderr_and_the_rest_still_loads(cli, tmp_path):
    write(tmp_path, "good.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: ok}\n")
    write(tmp_path, "bad.yaml", "kind: [\n")
    result = cli("graph", tmp_path)
    assert result.exit_code == 0
    assert f"{tmp_path}/bad.yaml:1: invalid YAML" in result.stderr
    doc = json.loads(result.stdout)
    assert "Service/default/ok" in doc["exposure"]
    assert doc["inputs"]["problems"][0]["file"] == f"{tmp_path}/bad.yaml"


def test_no_manifests_at_all_exits_2_with_one_line(cli, tmp_path):
    write(tmp_path, "bad.yaml", "- just a list\n")
    result = cli("graph", tmp_path)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1].startswith("svcdocs: no Kubernetes manifests found")


def test_missing_path_exits_2_without_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "svcdocs", "graph", str(tmp_path / "nope")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"svcdocs: {tmp_path / 'nope'}: no such file or folder"


def test_stdin_pipe(tmp_path):
    text = "apiVersion: v1\nkind: Service\nmetadata: {name: piped}\nspec: {type: NodePort, ports: [{port: 80}]}\n"
    proc = subprocess.run([sys.executable, "-m", "svcdocs", "graph", "-"], input=text, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["exposure"] == {"Service/default/piped": "node"}


def test_namespace_option(cli, tmp_path):
    write(tmp_path, "s.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n")
    doc = json.loads(cli("graph", tmp_path, "--namespace", "prod").stdout)
    assert list(doc["exposure"]) == ["Service/prod/s"]


INJECTION = """\
apiVersion: v1
kind: Service
metadata:
  name: "x\\"]; evil [label=<b>html</b>"
  namespace: "a\\"b"
spec:
  type: NodePort
  ports: [{port: 80}]
"""


def test_dot_escapes_names_and_never_emits_html_labels(cli, tmp_path):
    write(tmp_path, "s.yaml", INJECTION)
    dot = cli("graph", tmp_path, "--format", "dot").stdout
    assert '\\"]; evil [label=<b>html</b>' in dot
    outside_strings = re.sub(r'"(?:[^"\\]|\\.)*"', '""', dot)
    assert "<" not in outside_strings and "evil" not in outside_strings
    if _has_dot():
        proc = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr


def test_mermaid_escapes_names(cli, tmp_path):
    write(tmp_path, "s.yaml", INJECTION)
    mermaid = cli("graph", tmp_path, "--format", "mermaid").stdout
    assert "<b>" not in mermaid and '"]' not in mermaid.replace('"]\n', "").replace('"]', "", 0)
    assert "#60;b#62;html" in mermaid


def _has_dot() -> bool:
    return any(os.access(os.path.join(d, "dot"), os.X_OK) for d in os.environ.get("PATH", "").split(os.pathsep))


def test_import_layers_hold():
    """cli > render > review > pipeline > rules > analysis > graph > model > load."""
    lint = ROOT / ".venv" / "bin" / "lint-imports"
    command = [str(lint)] if lint.exists() else ["lint-imports"]
    try:
        proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    except FileNotFoundError:
        pytest.skip("import-linter is not installed")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_import_circles():
    """No two modules of svcdocs import each other, however indirectly (the
    router adapters once imported the document reader that dispatches to them)."""
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("svcdocs")
    circles = sorted((a, b) for a in graph.modules for b in graph.find_modules_directly_imported_by(a)
                     if graph.chain_exists(importer=b, imported=a))
    assert circles == []

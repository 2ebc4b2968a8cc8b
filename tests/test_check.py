"""`svcdocs check` and `svcdocs rules`: exit codes, every output format, the
ignore annotation, and the findings on real and generated manifests."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from svcdocs.cli import main
from svcdocs.config import Config
from svcdocs.pipeline import report_for_paths
from svcdocs.rules import RULE_IDS

from conftest import ROOT, write

RULE_FIXTURES = ROOT / "tests" / "rules"
VOTING_APP = "corpus/example-voting-app/k8s-specifications"
ONE_INFO = RULE_FIXTURES / "loadbalancer-open-to-world" / "fail.yaml"  # one info finding, nothing else


def test_sample_manifests_fail_on_errors_by_default(cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = cli("check", "sample-manifests")
    assert result.exit_code == 1
    assert "sample-manifests/shop/search.yaml:81: error dangling-service: Service shop/legacy-search" in result.stdout
    assert cli("check", "sample-manifests", "--fail-on", "never").exit_code == 0


@pytest.mark.parametrize("fail_on, code", [("info", 1), ("warning", 0), ("error", 0), ("never", 0)])
def test_fail_on_is_a_floor(cli, fail_on, code):
    assert cli("check", ONE_INFO, "--fail-on", fail_on).exit_code == code


def test_voting_app_fails_on_warnings_only(cli, shared):
    app = shared / VOTING_APP
    assert cli("check", app, "--fail-on", "warning").exit_code == 1
    assert cli("check", app, "--fail-on", "error").exit_code == 0
    assert cli("check", app).exit_code == 0


def test_no_manifests_exits_2(cli, tmp_path):
    write(tmp_path, "notes.yaml", "just: notes\n")
    result = cli("check", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith("svcdocs: no Kubernetes manifests found")


def test_unknown_format_is_a_usage_error(cli):
    assert cli("check", ONE_INFO, "--format", "xml").exit_code == 2


def test_text_groups_by_file_and_ends_with_a_summary(cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    lines = cli("check", "sample-manifests").stdout.splitlines()
    assert lines[-1] == "11 findings in 7 files: 3 errors, 8 warnings"
    assert lines[0] == ("sample-manifests/ops/fluent-bit.yaml:101: warning no-network-policy: DaemonSet ops/fluent-bit "
                        "runs pods that no NetworkPolicy selects, so anything running in the cluster can connect to them.")
    files = [line.split(":", 1)[0] for line in lines[:-1] if line]
    assert files == sorted(files)
    for previous, line in zip(lines, lines[1:-1]):
        if line and previous:
            assert previous.split(":", 1)[0] == line.split(":", 1)[0], "a blank line between files"
    assert "\x1b[" not in "\n".join(lines), "no colour off a terminal"


def test_text_is_coloured_on_a_terminal():
    result = CliRunner().invoke(main, ["check", str(ONE_INFO)], color=True)
    assert "\x1b[34minfo" in result.stdout


def test_no_findings_says_so(cli, tmp_path):
    write(tmp_path, "s.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n")
    result = cli("check", tmp_path)
    assert (result.exit_code, result.stdout) == (0, "No findings.\n")


def test_json_has_the_same_findings_as_the_graph(cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    doc = json.loads(cli("check", "sample-manifests", "--format", "json").stdout)
    graph = json.loads(cli("graph", "sample-manifests").stdout)
    assert doc["schema"] == "svcdocs.findings/v1"
    assert doc["findings"] == graph["findings"] and len(doc["findings"]) == 11
    assert set(doc["findings"][0]) == {"rule", "severity", "object", "file", "line", "message"}


def test_github_prints_workflow_commands(cli, tmp_path, monkeypatch):
    write(tmp_path, "a, b.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: d}\nspec:\n  type: NodePort\n"
                                 "  ports: [{port: 80}]\n")
    monkeypatch.chdir(tmp_path)
    out = cli("check", ".", "--format", "github").stdout
    assert out == ("::warning file=a%2C b.yaml,line=5,title=svcdocs nodeport-service::Service default/d is type "
                   "NodePort: it opens a port from 30000-32767 on every node, past any load balancer or TLS in "
                   "front of the cluster.\n")
    assert cli("check", ONE_INFO, "--format", "github").stdout.startswith("::notice ")


def test_ignore_annotation_silences_the_named_rules_only(cli, tmp_path):
    write(tmp_path, "lb.yaml", """\
        apiVersion: v1
        kind: Service
        metadata:
          name: lb
          annotations:
            svcdocs.io/ignore: "loadbalancer-open-to-world, nodeport-service"
        spec:
          type: LoadBalancer
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: lb2
          annotations:
            svcdocs.io/ignore: many-loadbalancers
        spec:
          type: LoadBalancer
        """)
    found = {(f["rule"], f["object"]) for f in json.loads(cli("check", tmp_path, "--format", "json").stdout)["findings"]}
    assert found == {("many-loadbalancers", "Service/default/lb"),
                     ("loadbalancer-open-to-world", "Service/default/lb2")}


def test_findings_point_at_the_field_never_at_the_document(shared):
    report = report_for_paths([str(shared / VOTING_APP)], Config())
    nodeports = {f.object: (f.file.rsplit("/", 1)[1], f.line) for f in report.findings if f.rule == "nodeport-service"}
    assert nodeports == {"Service/default/vote": ("vote-service.yaml", 8),
                         "Service/default/result": ("result-service.yaml", 8)}
    assert all(f.line > 1 for f in report.findings)


def test_generated_corpus_reports_exactly_the_dangling_services(shared, tmp_path):
    subprocess.run([sys.executable, str(shared / "bench" / "gen_corpus.py"), "2000", str(tmp_path)], check=True)
    expected = json.loads((tmp_path / "expected.json").read_text())
    (tmp_path / "expected.json").unlink()
    report = report_for_paths([str(tmp_path)], Config())
    assert {f.object for f in report.findings if f.rule == "dangling-service"} == set(expected["dangling"])


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_rules_lists_every_rule_in_each_format(cli, fmt):
    out = cli("rules", "--format", fmt).stdout
    for rule_id in RULE_IDS:
        assert rule_id in out
    if fmt == "json":
        rules = json.loads(out)["rules"]
        assert [r["id"] for r in rules] == list(RULE_IDS)
        assert all(set(r) == {"id", "severity", "summary", "rationale", "fix"} for r in rules)
        assert rules[0] == {**rules[0], "id": "dangling-service", "severity": "error"}
    if fmt == "markdown":
        assert out.startswith("# Rules\n\n| id | severity | flags |\n|---|---|---|\n| [`dangling-service`]")
        assert "**How to fix.**" in out and "```yaml" in out


def test_pre_commit_hooks_run_svcdocs_check():
    yaml = pytest.importorskip("yaml")
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["svcdocs-check"]["entry"] == "svcdocs check --allow-empty"
    assert hooks["svcdocs-check"]["language"] == "python"
    assert hooks["svcdocs-check-all"]["pass_filenames"] is False


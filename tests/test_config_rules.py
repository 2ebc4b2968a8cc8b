"""`.svcdocs.yaml`: disable rules, change severities and thresholds, name
internal ingress classes; a bad config is one line and exit 2."""

from __future__ import annotations

import json

import pytest

from conftest import write

TWO_LOADBALANCERS = """\
apiVersion: v1
kind: Service
metadata: {name: a}
spec: {type: LoadBalancer, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: b}
spec: {type: NodePort, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: c}
spec: {type: LoadBalancer, ports: [{port: 80}]}
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A working directory with manifests in k8s/ and, if given, a .svcdocs.yaml."""
    write(tmp_path, "k8s/services.yaml", TWO_LOADBALANCERS)
    monkeypatch.chdir(tmp_path)

    def configure(text: str | None = None):
        if text is not None:
            write(tmp_path, ".svcdocs.yaml", text)
        return tmp_path
    return configure


def rules_found(cli, *args) -> list[tuple[str, str]]:
    result = cli("check", "k8s", "--format", "json", "--fail-on", "never", *args)
    assert result.exit_code == 0, result.stderr
    return sorted((f["rule"], f["severity"]) for f in json.loads(result.stdout)["findings"])


def test_defaults_without_a_config(cli, project):
    project()
    assert rules_found(cli) == [("loadbalancer-open-to-world", "info")] * 2 + [("many-loadbalancers", "warning")] * 2 \
        + [("nodeport-service", "warning")]


def test_disable_and_severity_from_the_working_directory(cli, project):
    project("disable: [loadbalancer-open-to-world, many-loadbalancers]\nseverity:\n  nodeport-service: error\n")
    assert rules_found(cli) == [("nodeport-service", "error")]
    assert cli("check", "k8s").exit_code == 1


def test_threshold_of_many_loadbalancers(cli, project):
    project("thresholds:\n  many-loadbalancers: 2\n")
    assert ("many-loadbalancers", "warning") not in rules_found(cli)


def test_config_option_names_another_file(cli, project):
    folder = project("disable: [nodeport-service]\n")
    write(folder, "strict.yaml", "severity: {loadbalancer-open-to-world: error}\n")
    found = rules_found(cli, "--config", "strict.yaml")
    assert ("loadbalancer-open-to-world", "error") in found and ("nodeport-service", "warning") in found


def test_internal_ingress_classes_lower_exposure(cli, project):
    folder = project("internal-ingress-classes: [nginx-internal]\n")
    write(folder, "k8s/ingress.yaml", """\
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: tools}
        spec:
          ingressClassName: nginx-internal
          defaultBackend: {service: {name: b, port: {number: 80}}}
        """)
    assert json.loads(cli("graph", "k8s").stdout)["exposure"]["Service/default/b"] == "network"


@pytest.mark.parametrize("text, message", [
    ("disable: [no-such-rule]\n", "disable names unknown rule 'no-such-rule'"),
    ("severity: {nodeport-servic: error}\n", "severity names unknown rule 'nodeport-servic'"),
    ("severity: {nodeport-service: fatal}\n", "severity of nodeport-service must be one of error, warning, info"),
    ("thresholds: {nodeport-service: 3}\n", "rule 'nodeport-service' has no threshold"),
    ("thresholds: {many-loadbalancers: many}\n", "thresholds of many-loadbalancers must be a whole number"),
    ("rules: {}\n", "unknown config key 'rules'"),
    ("disable: [a\n", "config is not valid YAML"),
])
def test_a_bad_config_is_one_line_and_exit_2(cli, project, text, message):
    project(text)
    result = cli("check", "k8s")
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("svcdocs: ./.svcdocs.yaml") and message in result.stderr


def test_a_missing_config_file_is_one_line(cli, project):
    project()
    result = cli("check", "k8s", "--config", "nope.yaml")
    assert result.exit_code == 2 and result.stderr.startswith("svcdocs: nope.yaml: cannot read config")

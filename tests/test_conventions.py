"""The conventions users expect of a command-line tool: colour as NO_COLOR,
FORCE_COLOR and --color say, --quiet, a pre-commit hook that passes on a
commit without manifests, SARIF rules that link their docs page and carry a
security-severity, shell completion."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, SAMPLES, write

from svcdocs.cli.conventions import color_from
from svcdocs.rules import RULES

SVCDOCS = Path(sys.executable).parent / "svcdocs"
ESC = "\x1b["


def run(*args, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run([str(SVCDOCS), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**environment, **(env or {})})


@pytest.mark.parametrize("choice, environ, colour", [
    ("auto", {}, None), ("auto", {"NO_COLOR": "1"}, False), ("auto", {"FORCE_COLOR": "1"}, True),
    ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False), ("auto", {"NO_COLOR": ""}, None),
    ("always", {"NO_COLOR": "1"}, True), ("never", {"FORCE_COLOR": "1"}, False),
])
def test_colour_follows_the_flag_then_no_color_then_force_color(choice, environ, colour):
    assert color_from(choice, environ) is colour


def test_check_is_coloured_only_when_asked(tmp_path):
    """Off a terminal (a pipe, here) there is no colour unless FORCE_COLOR or --color always."""
    assert ESC not in run("check", SAMPLES).stdout
    assert ESC in run("check", SAMPLES, env={"FORCE_COLOR": "1"}).stdout
    assert ESC in run("check", SAMPLES, "--color", "always").stdout
    assert ESC not in run("check", SAMPLES, "--color", "never", env={"FORCE_COLOR": "1"}).stdout
    assert ESC not in run("check", SAMPLES, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    written = tmp_path / "findings.txt"
    run("check", SAMPLES, "--color", "always", "-o", written)
    assert ESC not in written.read_text()  # a file never gets colour


def test_every_command_takes_color_and_quiet(cli):
    for command in ("build", "serve", "check", "diff", "graph", "reach", "rules", "schema"):
        text = cli(command, "--help").stdout
        assert "--color [auto|always|never]" in text and "-q, --quiet" in text, command


def test_quiet_says_only_the_output_and_the_errors(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "k8s/web.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {type: NodePort}\n")
    write(tmp_path, "k8s/broken.yaml", "kind: [\n")
    loud = cli("check", "k8s", "--fail-on", "never")
    assert "k8s/broken.yaml:1" in loud.stderr and "nodeport-service" in loud.stdout
    quiet = cli("check", "k8s", "--fail-on", "never", "--quiet")
    assert quiet.stderr == "" and quiet.stdout == loud.stdout
    graph = cli("graph", "k8s", "-q")
    assert graph.stderr == "" and json.loads(graph.stdout)["inputs"]["problems"]  # still in the JSON
    failing = cli("check", "nope", "-q")
    assert failing.exit_code == 2 and "nope: no such file or folder" in failing.stderr  # errors are said


def test_build_quiet_prints_nothing(tmp_path):
    proc = run("build", SAMPLES, "-o", tmp_path / "site", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "" and proc.stdout == "" and (tmp_path / "site" / "index.html").is_file()


# --- pre-commit -------------------------------------------------------------------------

def _hook(hook_id: str) -> dict:
    return next(h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text()) if h["id"] == hook_id)


def run_hook(hook_id: str, files: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """As pre-commit runs a hook: its entry, then the changed files its `files` pattern matches."""
    import re

    hook = _hook(hook_id)
    matched = [f for f in files if re.search(hook.get("files", ""), f)]
    argv = shlex.split(hook["entry"]) + (matched if hook.get("pass_filenames", True) else []) + hook.get("args", [])
    return subprocess.run([str(SVCDOCS), *argv[1:]], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_pre_commit_hook_passes_on_a_commit_without_manifests(tmp_path):
    write(tmp_path, "mkdocs.yml", "site_name: shop\n")
    write(tmp_path, ".github/workflows/ci.yml", "on: push\njobs: {}\n")
    write(tmp_path, "package.json", '{"name": "shop"}\n')
    proc = run_hook("svcdocs-check", ["mkdocs.yml", ".github/workflows/ci.yml", "package.json", "README.md"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "nothing to check" in proc.stderr


def test_the_pre_commit_hook_still_fails_on_a_bad_manifest(tmp_path):
    write(tmp_path, "k8s/web.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
                                    "spec: {type: ExternalName, externalName: 10.0.0.1}\n")
    write(tmp_path, "mkdocs.yml", "site_name: shop\n")
    proc = run_hook("svcdocs-check", ["k8s/web.yaml", "mkdocs.yml"], tmp_path)
    assert proc.returncode == 1 and "externalname-invalid" in proc.stdout


def test_check_without_allow_empty_still_says_there_is_nothing(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "mkdocs.yml", "site_name: shop\n")
    result = cli("check", "mkdocs.yml")
    assert result.exit_code == 2 and "no Kubernetes manifests found in mkdocs.yml" in result.stderr


# --- SARIF ------------------------------------------------------------------------------

def sarif_rules(cli) -> dict[str, dict]:
    document = json.loads(cli("check", SAMPLES, "--format", "sarif", "--fail-on", "never").stdout)
    return {r["id"]: r for r in document["runs"][0]["tool"]["driver"]["rules"]}


def test_each_sarif_rule_links_its_page_on_the_docs_site(cli):
    import svcdocs

    for rule_id, rule in sarif_rules(cli).items():
        assert rule["helpUri"] == f"{svcdocs.DOCS_URL}reference/rules/{rule_id}.html"
        assert (ROOT / "docs" / "reference" / "rules" / f"{rule_id}.md").is_file()  # the page it names is built


def test_the_rules_about_exposure_carry_a_security_severity(cli):
    rules = sarif_rules(cli)
    scored = {rule_id for rule_id, rule in rules.items() if "security-severity" in rule["properties"]}
    assert scored >= {"sensitive-port-exposed", "nodeport-service", "loadbalancer-open-to-world", "host-network",
                      "host-port", "ingress-without-tls", "no-network-policy"}
    assert not scored & {"dangling-service", "duplicate-object", "many-loadbalancers", "probe-port-mismatch"}
    for rule_id in scored:
        properties = rules[rule_id]["properties"]
        assert 0.0 < float(properties["security-severity"]) <= 10.0  # a string, as code scanning reads it
        assert "security" in properties["tags"]
    assert float(rules["sensitive-port-exposed"]["properties"]["security-severity"]) >= 7.0  # high
    assert len(scored) == sum(1 for r in RULES if r.security_severity)


# --- Shell completion -------------------------------------------------------------------

@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion_scripts_are_printed(shell):
    proc = run(env={"_SVCDOCS_COMPLETE": f"{shell}_source"})
    assert proc.returncode == 0 and "_SVCDOCS_COMPLETE" in proc.stdout


def test_completion_completes_commands_and_choices():
    proc = run(env={"_SVCDOCS_COMPLETE": "bash_complete", "COMP_WORDS": "svcdocs check --format s", "COMP_CWORD": "3"})
    assert "sarif" in proc.stdout
    proc = run(env={"_SVCDOCS_COMPLETE": "bash_complete", "COMP_WORDS": "svcdocs sch", "COMP_CWORD": "1"})
    assert "schema" in proc.stdout

"""`svcdocs check --format sarif`: valid SARIF 2.1.0 with repository-relative locations.

tests/data/sarif-schema-2.1.0.json is the OASIS SARIF 2.1.0 JSON schema (the
final "rtm.5" revision), as shipped in the npm package @microsoft/jest-sarif
(MIT) at lib/schemas/sarif-2.1.0-rtm.5.json.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from svcdocs.rules import RULE_IDS

from conftest import ROOT, write

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
NODEPORT = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  type: NodePort\n  ports: [{port: 80}]\n"


def sarif(cli, *args) -> dict:
    document = json.loads(cli("check", *args, "--format", "sarif").stdout)
    jsonschema.validate(document, SCHEMA, cls=jsonschema.Draft4Validator)
    return document


def test_sample_manifests_sarif_is_valid_and_carries_the_rules(cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    run = sarif(cli, "sample-manifests")["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "svcdocs" and driver["version"]
    assert [r["id"] for r in driver["rules"]] == list(RULE_IDS)
    for rule in driver["rules"]:
        assert rule["help"]["text"] and rule["help"]["markdown"] and rule["shortDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    assert len(run["results"]) == 11
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    fingerprints = [r["partialFingerprints"]["svcdocsFinding/v1"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)


def test_voting_app_sarif_points_at_the_nodeport_lines(cli, shared, tmp_path, monkeypatch):
    shutil.copytree(shared / "corpus" / "example-voting-app", tmp_path / "app")
    monkeypatch.chdir(tmp_path / "app")  # no git repository here: the root is the working directory
    run = sarif(cli, "k8s-specifications")["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (tmp_path / "app").resolve().as_uri() + "/"
    nodeports = [r["locations"][0]["physicalLocation"] for r in run["results"] if r["ruleId"] == "nodeport-service"]
    assert nodeports == [
        {"artifactLocation": {"uri": f"k8s-specifications/{name}-service.yaml", "uriBaseId": "%SRCROOT%"},
         "region": {"startLine": 8}}
        for name in ("result", "vote")
    ]
    for location in nodeports:
        lines = (tmp_path / "app" / location["artifactLocation"]["uri"]).read_text().splitlines()
        assert lines[location["region"]["startLine"] - 1].strip() == "type: NodePort"


def test_locations_are_relative_to_the_git_root_from_a_subfolder(cli, tmp_path, monkeypatch):
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path, "deploy/k8s/web.yaml", NODEPORT)
    monkeypatch.chdir(tmp_path / "deploy")
    result = sarif(cli, "k8s")["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "deploy/k8s/web.yaml"
    github = cli("check", "k8s", "--format", "github").stdout
    assert github.startswith("::warning file=deploy/k8s/web.yaml,line=5,")


def test_a_file_outside_the_root_gets_an_absolute_uri(cli, tmp_path, monkeypatch):
    manifest = write(tmp_path, "outside/web.yaml", NODEPORT)
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    location = sarif(cli, manifest)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": manifest.resolve().as_uri()}


def test_no_findings_is_still_a_valid_log(cli, tmp_path):
    write(tmp_path, "s.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n")
    assert sarif(cli, tmp_path)["runs"][0]["results"] == []


def _findings(count: int, message=lambda i: "m") -> list:
    from svcdocs.rules import Finding
    severities = ("info", "warning", "error")
    return [Finding("nodeport-service", severities[i % 3], f"Service/ns/s{i}", f"f{i // 100}.yaml", i % 100 + 1,
                    message(i)) for i in range(count)]


def test_sarif_keeps_within_code_scanning_results_limit_most_severe_first():
    from svcdocs.render import sarif as sarif_out
    findings = _findings(sarif_out.MAX_RESULTS + 300)
    document = sarif_out.sarif_document(findings, str(ROOT))
    note = sarif_out.fit_code_scanning(document)
    results = document["runs"][0]["results"]
    assert len(results) == sarif_out.MAX_RESULTS
    dropped = len(findings) - len(results)
    levels = [r["level"] for r in results]
    assert levels.count("error") == levels.count("warning") == sum(1 for f in findings if f.severity == "error")
    assert levels.count("note") == sum(1 for f in findings if f.severity == "info") - dropped
    assert results == sorted(results, key=lambda r: int(r["locations"][0]["logicalLocations"][0]
                                                          ["fullyQualifiedName"].rsplit("s", 1)[1]))
    assert f"{len(findings):,} findings" in note and "25,000" in note
    assert document["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"] == note
    jsonschema.validate(document, SCHEMA, cls=jsonschema.Draft4Validator)


def test_sarif_keeps_within_code_scanning_size_limit(monkeypatch):
    import gzip
    import random
    from svcdocs.render import sarif as sarif_out
    monkeypatch.setattr(sarif_out, "MAX_GZIPPED", 400_000)  # the real 10 MB takes 25,000 findings of 600 KB each
    rng = random.Random(1)
    findings = _findings(2_000, lambda i: "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(500)))
    document = sarif_out.sarif_document(findings, str(ROOT))
    assert sarif_out.fit_code_scanning(document)
    kept = len(document["runs"][0]["results"])
    assert 0 < kept < len(findings)
    assert len(gzip.compress(sarif_out.dumps(document).encode())) <= 400_000


def test_sarif_within_the_limits_is_left_as_it_is():
    from svcdocs.render import sarif as sarif_out
    document = sarif_out.sarif_document(_findings(10), str(ROOT))
    assert sarif_out.fit_code_scanning(document) is None and "invocations" not in document["runs"][0]

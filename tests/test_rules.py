"""Every rule against its fixtures, and the meta-test that keeps the catalogue whole.

tests/rules/<rule-id>/ holds `fail.yaml`, `pass.yaml` and `expected.txt`: the
`file:line: rule-id: message` of every finding of that rule on fail.yaml.
pass.yaml must give no finding of that rule.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import svcdocs.rules
from svcdocs.config import Config
from svcdocs.pipeline import report_for_paths
from svcdocs.rules import RULE_IDS, RULES, SEVERITY_ORDER

FIXTURES = Path(__file__).parent / "rules"
NOT_RULES = {"context"}  # helper modules of the rules package


def findings_of(rule_id: str, fixture: str, monkeypatch) -> list[str]:
    monkeypatch.chdir(FIXTURES / rule_id)
    report = report_for_paths([fixture], Config())
    assert not report.model.inputs.problems, "fixtures must load cleanly"
    return [f"{f.file}:{f.line}: {f.rule}: {f.message}" for f in report.findings if f.rule == rule_id]


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_failing_fixture_gives_the_expected_findings(rule_id, monkeypatch):
    expected = (FIXTURES / rule_id / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert findings_of(rule_id, "fail.yaml", monkeypatch) == expected


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_passing_fixture_gives_no_finding_of_its_rule(rule_id, monkeypatch):
    assert findings_of(rule_id, "pass.yaml", monkeypatch) == []


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_every_rule_has_fixtures_and_docs(rule):
    folder = FIXTURES / rule.id
    for name in ("fail.yaml", "pass.yaml", "expected.txt"):
        assert (folder / name).is_file(), f"{rule.id} has no tests/rules/{rule.id}/{name}"
    assert (folder / "expected.txt").read_text(encoding="utf-8").strip(), f"{rule.id}: fail.yaml must fail"
    assert rule.severity in SEVERITY_ORDER
    for field in ("summary", "rationale", "fix", "example", "use_instead"):
        assert getattr(rule, field).strip(), f"{rule.id} has no {field.upper()}"
    assert rule.fix.rstrip().endswith("."), f"{rule.id}: the fix sentence must end with a period"
    assert rule.summary.endswith(".") and rule.rationale.endswith(".")


def test_every_rule_module_is_in_the_catalogue_once():
    modules = {m.name for m in pkgutil.iter_modules(svcdocs.rules.__path__)} - NOT_RULES
    ids = {importlib.import_module(f"svcdocs.rules.{m}").ID for m in modules}
    assert ids == set(RULE_IDS) and len(RULE_IDS) == len(set(RULE_IDS))
    assert {m.replace("_", "-") for m in modules} == ids, "a rule module is named after its id"


def test_every_fixture_folder_belongs_to_a_rule():
    assert {p.name for p in FIXTURES.iterdir() if p.is_dir()} == set(RULE_IDS)


def test_messages_are_one_sentence():
    for rule_id in RULE_IDS:
        for line in (FIXTURES / rule_id / "expected.txt").read_text(encoding="utf-8").splitlines():
            message = line.split(": ", 2)[2]
            assert message.endswith(".") and ". " not in message, line


def test_messages_name_a_few_objects_and_count_the_rest():
    from svcdocs.rules.context import listed
    assert listed(["a", "b"]) == "a, b"
    assert listed([f"w{i}" for i in range(8)]) == "w0, w1, w2, w3, w4 and 3 more"


# How many rules the catalogue holds: the one number to change when rules are added.
EXPECTED_RULES = 21


def test_every_output_lists_every_rule_from_the_same_modules(cli, tmp_path):
    import json

    from svcdocs.render import rules_doc, sarif
    assert len(RULES) == EXPECTED_RULES
    listed = [line.split(" ", 1)[0] for line in cli("rules").stdout.splitlines() if line and not line.startswith(" ")]
    assert listed == list(RULE_IDS)
    assert [r["id"] for r in json.loads(cli("rules", "--format", "json").stdout)["rules"]] == list(RULE_IDS)
    markdown = cli("rules", "--format", "markdown").stdout
    assert [line for line in markdown.splitlines() if line.startswith("## ")] == [f"## {r}" for r in RULE_IDS]
    driver = sarif.sarif_document([], str(tmp_path))["runs"][0]["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == list(RULE_IDS)
    for rule, metadata in zip(RULES, driver["rules"]):
        assert metadata["help"]["markdown"] == rules_doc.rule_markdown(rule)
        assert metadata["shortDescription"]["text"] == rule.summary


@pytest.mark.parametrize("rule_id, severities", [
    # internet; node, network (the number alone), node, internet (the number alone)
    ("sensitive-port-exposed", ["error", "warning", "warning", "warning", "warning"]),
    ("probe-port-mismatch", ["error", "info"]),  # a name that cannot resolve; a number that may be a health port
    ("dangling-service", ["error", "error", "error", "info"]),  # the last selects by labels CloudNativePG sets
    ("unresolved-target-port", ["error", "warning", "warning", "info"]),  # the last: its env names the port
])
def test_weaker_cases_of_a_rule_lower_its_severity(rule_id, severities, monkeypatch):
    monkeypatch.chdir(FIXTURES / rule_id)
    report = report_for_paths(["fail.yaml"], Config())
    assert [f.severity for f in report.findings if f.rule == rule_id] == severities

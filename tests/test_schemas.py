"""The JSON Schemas shipped in the package: valid draft 2020-12 schemas, that
real outputs of every command validate against (with `jsonschema`, as a
consumer would), that `svcdocs schema NAME` prints; and the config's own
validator, which agrees with `jsonschema` and says every error in a line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, SAMPLES, write

from svcdocs import schemas
from svcdocs.config import parse_config
from svcdocs.errors import SvcdocsError

jsonschema = pytest.importorskip("jsonschema")
referencing = pytest.importorskip("referencing")

REVIEWS = ROOT / "tests" / "review"


def validator(name: str):
    """A jsonschema validator of NAME, its references to the other schemas resolved by their $id."""
    registry = referencing.Registry().with_resources(
        (schemas.load(n)["$id"], referencing.Resource.from_contents(schemas.load(n))) for n in schemas.NAMES)
    return jsonschema.Draft202012Validator(schemas.load(name), registry=registry)


def valid(name: str, document) -> None:
    problems = sorted(validator(name).iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not problems, "\n".join(f"{list(e.absolute_path)}: {e.message[:300]}" for e in problems[:10])


@pytest.mark.parametrize("name", schemas.NAMES)
def test_each_schema_is_a_valid_draft_2020_12_schema_named_by_its_address(name):
    schema = schemas.load(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == f"https://svcdocs.github.io/svcdocs/schemas/{name}.json"
    assert schema["title"] and schema["description"]


def test_svcdocs_schema_prints_each_schema_and_lists_them(cli):
    for name in schemas.NAMES:
        result = cli("schema", name)
        assert result.exit_code == 0 and json.loads(result.stdout) == schemas.load(name)
    listed = cli("schema").stdout.splitlines()
    assert [line.split()[0] for line in listed] == list(schemas.NAMES)
    assert cli("schema", "nope").exit_code == 2


# --- Real outputs validate -------------------------------------------------------------

def test_the_graph_of_the_samples_validates(cli):
    valid("graph", json.loads(cli("graph", SAMPLES).stdout))
    valid("graph", json.loads((ROOT / "tests" / "golden" / "sample-manifests.graph.json").read_text()))


@pytest.mark.parametrize("fixture", ["istio", "contour", "traefik", "gateway-api", "knative", "openshift", "nginx",
                                     "gke", "kube-prometheus", "bank-of-anthos"])
def test_the_graphs_of_real_projects_validate(cli, fixture):
    """Routers, operators, mesh gateways: the nodes and entry points of every family."""
    document = json.loads(cli("graph", ROOT / "tests" / "fixtures" / fixture, "--render", "none").stdout)
    valid("graph" if document["schema"] == "svcdocs.graph/v1" else "environments", document)


def test_check_rules_and_reach_validate(cli):
    valid("findings", json.loads(cli("check", SAMPLES, "--format", "json").stdout))
    valid("rules", json.loads(cli("rules", "--format", "json").stdout))
    valid("reach", json.loads(cli("reach", SAMPLES, "--format", "json").stdout))
    explained = json.loads(cli("reach", SAMPLES, "--format", "json", "--explain", "--focus", "data/postgres").stdout)
    assert explained and all("explanation" in pair for pair in explained)
    valid("reach", explained)


@pytest.mark.parametrize("case", sorted(p.name for p in REVIEWS.iterdir() if (p / "head").is_dir()))
def test_every_review_validates(cli, case, monkeypatch):
    monkeypatch.chdir(REVIEWS / case)
    valid("review", json.loads(cli("diff", "base", "head", "--format", "json").stdout))


def test_several_environments_validate(cli, tmp_path, monkeypatch):
    """--env names environments of plain folders: no kustomize needed."""
    for side in ("base", "head"):
        shutil.copytree(REVIEWS / "cluster-to-loadbalancer" / side / "shop", tmp_path / side / "dev")
        shutil.copytree(REVIEWS / "new-ingress-path" / side / "shop", tmp_path / side / "prod")
    monkeypatch.chdir(tmp_path)
    graph = json.loads(cli("graph", "head", "--env", "head/dev", "--env", "head/prod").stdout)
    assert graph["schema"] == "svcdocs.environments/v1" and len(graph["environments"]) == 2
    valid("environments", graph)
    findings = json.loads(cli("check", "head", "--env", "head/dev", "--env", "head/prod", "--format", "json",
                              "--fail-on", "never").stdout)
    assert all("environment" in f for f in findings["findings"])
    valid("findings", findings)
    review = json.loads(cli("diff", "base", "head", "--env", "dev", "--env", "prod", "--format", "json").stdout)
    assert review["schema"] == "svcdocs.review-environments/v1"
    valid("review-environments", review)


def test_a_document_that_breaks_its_schema_is_caught(cli):
    document = json.loads(cli("graph", SAMPLES).stdout)
    del document["entrypoints"][0]["via"]
    document["exposure"]["Service/shop/cart"] = "everywhere"
    errors = list(validator("graph").iter_errors(document))
    assert {tuple(e.absolute_path) for e in errors} >= {("entrypoints", 0), ("exposure", "Service/shop/cart")}


# --- The config's validator -------------------------------------------------------------

GOOD = [
    {}, None, {"disable": "no-network-policy"}, {"disable": ["a", "b"], "severity": {"nodeport-service": "error"}},
    {"thresholds": {"many-loadbalancers": 0}}, {"render": []}, {"render": ["kustomize", "helm"]},
    {"environments": {"prod": "overlays/prod"}}, {"environments": ["prod=overlays/prod", "apps/*"]},
    {"fail-on-unmodelled": False}, {"exclude": ["docs/**", "mkdocs.yml"]},
    {"router-kinds": [{"apiVersion": "a.io/v1", "kind": "X", "service": "spec.to.name", "public": False}]},
]
BAD = [
    {"rules": {}}, {"disable": {"a": 1}}, {"disable": [1]}, {"severity": {"x": "fatal"}}, {"severity": ["error"]},
    {"thresholds": {"x": -1}}, {"thresholds": {"x": True}}, {"thresholds": {"x": "many"}}, {"render": ["ninja"]},
    {"fail-on-unmodelled": "yes"}, {"environments": {"prod": ["a"]}}, {"exclude": [""]}, {"exclude": {"a": "b"}},
    {"router-kinds": [{"apiVersion": "v1", "kind": "X", "service": "a"}]},
    {"router-kinds": [{"apiVersion": "a.io/v1", "kind": "X"}]},
    {"router-kinds": [{"apiVersion": "a.io/v1", "kind": "X", "service": "spec[0].name"}]},
    {"router-kinds": [{"apiVersion": "a.io/v1", "kind": "", "service": "a", "host": "b"}]},
]


@pytest.mark.parametrize("config", GOOD + BAD)
def test_the_config_validator_agrees_with_jsonschema(config):
    expected = validator("config").is_valid(config)
    assert not schemas.errors(config, schemas.load("config")) == expected
    assert expected == (config in GOOD)


_VALUES = st.recursive(st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(
    ["", "a", "error", "helm", "kustomize", "a.io/v1", "spec.name", "x[0]", "prod=a"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
        ["a", "apiVersion", "kind", "service", "public", "hosts", "error"]), inner, max_size=3), max_leaves=8)
_KEYS = st.sampled_from([*schemas.load("config")["properties"], "rules"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS, _VALUES, max_size=4))
def test_the_config_validator_agrees_with_jsonschema_on_any_config(config):
    """Floats aside: JSON Schema counts 2.0 as an integer, the config does not."""
    assert (not schemas.errors(config, schemas.load("config"))) == validator("config").is_valid(config)


def test_every_error_of_a_config_is_one_line_with_its_key_path(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "k8s/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")
    write(tmp_path, ".svcdocs.yaml", """\
        disable: no-network-policy
        severity: {nodeport-service: fatal, host-port: [warning]}
        thresholds: {many-loadbalancers: -2}
        render: [kustomize, ninja]
        exclude: {docs: true}
        colour: never
        """)
    result = cli("check", "k8s")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "svcdocs: ./.svcdocs.yaml: severity of nodeport-service must be one of error, warning, info, not 'fatal'",
        "svcdocs: ./.svcdocs.yaml: severity of host-port must be one of error, warning, info, not a list",
        "svcdocs: ./.svcdocs.yaml: thresholds of many-loadbalancers must be a whole number of at least 0, not '-2'",
        "svcdocs: ./.svcdocs.yaml: render[1] must be one of kustomize, helm, not 'ninja'",
        "svcdocs: ./.svcdocs.yaml: exclude must be a glob or a list of globs, not a mapping",
        "svcdocs: ./.svcdocs.yaml: unknown config key 'colour'; known keys: " + ", ".join(
            schemas.load("config")["properties"]),
    ]


def test_a_config_error_never_shows_a_values_whole_text():
    with pytest.raises(SvcdocsError) as raised:
        parse_config({"render": ["x" * 10_000], "severity": {"y" * 10_000: "fatal"}})
    assert all(len(line) < 300 for line in raised.value.lines) and len(raised.value.lines) == 2


def test_the_config_keys_are_the_schemas():
    from svcdocs.config import KEYS
    assert tuple(KEYS) == tuple(schemas.load("config")["properties"])

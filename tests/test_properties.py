"""Property: whatever the bytes, loading and building the graph never raise, and
every document is modelled, counted as another kind, or reported unusable."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svcdocs.analysis import analyze
from svcdocs.config import Config
from svcdocs.graph import build_graph
from svcdocs.load import Source
from svcdocs.model import build_model
from svcdocs.render.graph_json import dumps, graph_document
from svcdocs.pipeline import Report
from svcdocs.rules import run_rules

from conftest import SAMPLES

SEED_DOCUMENTS = [
    doc for path in sorted(SAMPLES.rglob("*.yaml")) for doc in path.read_text(encoding="utf-8").split("\n---\n")
]

KEYS = ["apiVersion", "kind", "metadata", "name", "namespace", "labels", "spec", "type", "selector", "ports",
        "port", "targetPort", "template", "containers", "env", "value", "rules", "http", "paths", "backend",
        "service", "parentRefs", "backendRefs", "podSelector", "matchExpressions", "items", "<<"]
KINDS = ["Service", "Deployment", "Ingress", "HTTPRoute", "Gateway", "NetworkPolicy", "List", "Pod", "CronJob",
         "StatefulSet", "Namespace", "Endpoints", "EndpointSlice", "TCPRoute", "ConfigMap"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
                    st.text(max_size=20), st.sampled_from(KINDS + ["None", "NodePort", "LoadBalancer", "http"]))
values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), children, max_size=5)),
    max_leaves=40,
)


def build(data: bytes) -> Report:
    model = build_model([Source(label="fuzz.yaml", data=data, size=len(data))])
    graph = build_graph(model)
    analysis = analyze(graph)
    return Report(model, graph, analysis, run_rules(graph, analysis, Config()))


def assert_accounted(report: Report) -> None:
    inputs = report.model.inputs
    objects = sum(1 for _ in report.model.objects()) + len(report.model.duplicates)
    other = sum(n for _, n in inputs.other_kinds)
    assert inputs.documents == objects + other + inputs.unusable
    dumps(graph_document(report))  # and every output is renderable


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(values, min_size=1, max_size=4))
def test_random_structures(documents):
    text = yaml.safe_dump_all(documents, allow_unicode=True)
    assert_accounted(build(text.encode("utf-8", "surrogatepass")))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEED_DOCUMENTS), st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 40),
                                                           st.binary(max_size=6)), max_size=6))
def test_mutated_real_manifests(seed, edits):
    data = bytearray(seed.encode())
    for position, cut, insert in edits:
        position %= len(data) + 1
        data[position:position + cut] = insert
    assert_accounted(build(bytes(data)))


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes(data):
    assert_accounted(build(data))

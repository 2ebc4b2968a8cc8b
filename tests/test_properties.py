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


def assert_accounted(report: Report, data: bytes = b"") -> None:
    inputs = report.model.inputs
    objects = sum(1 for _ in report.model.objects()) + len(report.model.duplicates)
    other = sum(n for _, n in inputs.other_kinds)
    assert inputs.documents == objects + other + inputs.unusable
    lines = len(data.decode("utf-8", "replace").splitlines()) + 1  # every kind of line break
    for problem in inputs.problems:  # each one `file:line: reason`, at a line of the file
        assert problem.file == "fuzz.yaml" and 1 <= problem.line <= lines and problem.reason
    dumps(graph_document(report))  # and every output is renderable


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(values, min_size=1, max_size=4))
def test_random_structures(documents):
    raw = yaml.safe_dump_all(documents, allow_unicode=True).encode("utf-8", "surrogatepass")
    assert_accounted(build(raw), raw)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEED_DOCUMENTS), st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 40),
                                                           st.binary(max_size=6)), max_size=6))
def test_mutated_real_manifests(seed, edits):
    data = bytearray(seed.encode())
    for position, cut, insert in edits:
        position %= len(data) + 1
        data[position:position + cut] = insert
    assert_accounted(build(bytes(data)), bytes(data))


# YAML that means something: anchors, aliases and merge keys (which can make a
# mapping merge itself), tags, flow collections, templates, tabs, BOM, NUL.
TOKENS = ["&a ", "&b ", "*a", "*b", "<<: *a\n", "<<: [*a, *b]\n", "  <<: *a\n", "{<<: *a}", "!!python/object/apply:os.system ",
          "!custom ", "{{ .Values.x }}", "[", "]", "{", "}", "- ", ": ", "\t", "\n", "---\n", "\ufeff", "\x00", "'", '"',
          "kind: List\nitems:\n", "metadata:\n  name: x\n"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEED_DOCUMENTS), st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 8),
                                                           st.sampled_from(TOKENS)), min_size=1, max_size=6))
def test_manifests_mutated_with_yaml_syntax(seed, edits):
    data = seed
    for position, cut, token in edits:
        position %= len(data) + 1
        data = data[:position] + token + data[position + cut:]
    raw = data.encode("utf-8")
    assert_accounted(build(raw), raw)


@st.composite
def merged_services(draw) -> str:
    """A Service whose metadata and spec merge (`<<`) mappings that merge each
    other, themselves included: aliases make a graph of them, not a tree."""
    count = draw(st.integers(1, 8))
    lines = ["apiVersion: v1", "kind: Service"]
    for i in range(count):
        merged = ", ".join(f"*m{j}" for j in draw(st.lists(st.integers(0, i), max_size=3)))
        lines.append(f"m{i}: &m{i} {{<<: [{merged}], k{i}: v{i}}}")
    metadata, spec = draw(st.integers(0, count - 1)), draw(st.integers(0, count - 1))
    lines += [f"metadata: {{name: merged, <<: *m{metadata}}}", f"spec: {{<<: [*m{spec}], ports: [{{port: 80}}]}}"]
    return "\n".join(lines) + "\n"


@settings(max_examples=100, deadline=None)
@given(merged_services())
def test_merge_keys_through_aliases(text):
    report = build(text.encode())
    assert [s.name for s in report.model.services] == ["merged"]
    assert_accounted(report, text.encode())


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes(data):
    assert_accounted(build(data), data)

"""The Compare page's matching: per name, not per page. An object is matched
across environments by kind and name (without each environment's own prefix
and suffix); the namespace counts only for a name that one environment holds
in several namespaces, and only for that name."""

from __future__ import annotations

from svcdocs.compare import compare
from svcdocs.config import Config
from svcdocs.load.environments import Environment
from svcdocs.load.sources import Source
from svcdocs.pipeline import report_for_sources

NAMES = ("web", "api", "db", "cache", "queue", "search", "auth")


def manifests(namespace: str, names=NAMES, type: str = "ClusterIP") -> str:
    docs = []
    for name in names:
        docs.append(f"""apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  type: {type}
  selector: {{app: {name}}}
  ports: [{{port: 80}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers: [{{name: {name}, image: {name}:1}}]
""")
    return "---\n".join(docs)


def environment(name: str, *texts: str, prefix: str = ""):
    sources = tuple(Source(label=f"{name}/{i}.yaml", data=text.encode()) for i, text in enumerate(texts))
    return Environment(name, name, "kustomization", sources, name_prefix=prefix), \
        report_for_sources(sources, Config())


def test_identical_overlays_in_their_own_namespaces_match():
    found = compare([environment("dev", manifests("shop-dev")), environment("prod", manifests("shop-prod"))])
    assert (found.differing, len(found.rows)) == (0, 14)
    assert {row.namespace for row in found.rows} == {""}


def test_one_environment_holding_every_name_twice_leaves_the_others_matched():
    """The issue's case: a third environment holds each name in two namespaces
    (a bundle beside its sources); dev and prod still match row by row."""
    doubled = environment("bundle", manifests("shop"), manifests("default"))
    found = compare([environment("dev", manifests("shop-dev")), environment("prod", manifests("shop-prod")),
                     doubled])
    matched = [row for row in found.rows if row.cells[0].present and row.cells[1].present]
    assert len(matched) == 14
    assert all(not row.namespace for row in matched)
    assert all((row.cells[0].level, row.cells[0].detail) == (row.cells[1].level, row.cells[1].detail)
               for row in matched)
    # the bundle's own objects: a row per namespace, each held by the bundle alone
    qualified = [row for row in found.rows if row.namespace]
    assert sorted({row.namespace for row in qualified}) == ["default", "shop"]
    assert len(qualified) == 28 and all(not row.cells[0].present and row.cells[2].present for row in qualified)


def test_an_ambiguous_name_qualifies_that_name_only():
    twice = manifests("shop", ("web", "api")) + "---\n" + manifests("tools", ("web",))
    found = compare([environment("dev", twice), environment("prod", manifests("shop", ("web", "api")))])
    by_key = {(row.kind, row.namespace, row.name): row for row in found.rows}
    # api is held once everywhere: one row, unqualified
    assert not by_key[("Service", "shop", "api")].differs
    # web: prod's single web joins dev's web of its own namespace
    web = by_key[("Service", "shop", "web")]
    assert all(c.present for c in web.cells) and not web.differs
    tools = by_key[("Service", "tools", "web")]
    assert [c.present for c in tools.cells] == [True, False]


def test_a_real_difference_still_shows_and_entries_match_by_name():
    dev = environment("dev", manifests("shop-dev", ("web",)))
    prod = environment("prod", manifests("shop-prod", ("web",), type="NodePort"))
    found = compare([dev, prod])
    assert found.differing == 2  # the Service, and the workload it exposes
    service = next(row for row in found.rows if row.kind == "Service")
    assert service.differs and [c.present for c in service.cells] == [True, True]
    assert [(e.way, e.service) for e in found.entries] == [("NodePort", "web")]


def test_name_prefixes_are_matched_away():
    found = compare([environment("dev", manifests("shop")),
                     environment("prod", manifests("shop", [f"prod-{n}" for n in NAMES]), prefix="prod-")])
    assert (found.differing, len(found.rows)) == (0, 14)

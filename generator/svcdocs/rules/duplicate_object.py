"""duplicate-object: the same kind, namespace and name defined twice."""

from __future__ import annotations

from svcdocs.rules.context import Context, Hit, named

ID = "duplicate-object"
SEVERITY = "error"
SUMMARY = ("The same kind, namespace and name defined twice in what is deployed together; the later one "
           "in sorted file order is used.")
RATIONALE = (
    "Kubernetes keeps one object per kind, namespace and name: whichever definition is applied last "
    "replaces the other. Two definitions in one set of manifests mean one of them is silently lost, "
    "and which one depends on the order in which files are applied. svcdocs uses the later one in "
    "sorted file order and reports it. Where an environment's apps are deployed apart (entry "
    "kustomizations grouped by their layout, top-level folders of plain manifests that nothing ties "
    "together), the same object in two of them is only noted (severity info): nothing applies both, "
    "and if someone does, the later wins."
)
FIX = "Delete one of the definitions, or give them different names or namespaces."
EXAMPLE = """\
# shop/api.yaml
kind: Service
metadata: {name: api, namespace: shop}
---
# shop/api-v2.yaml
kind: Service
metadata: {name: api, namespace: shop}
"""
USE_INSTEAD = """\
# shop/api.yaml
kind: Service
metadata: {name: api, namespace: shop}
---
# shop/api-v2.yaml
kind: Service
metadata: {name: api-v2, namespace: shop}
"""


def check(ctx: Context):
    for duplicate in ctx.model.duplicates:
        obj = ctx.graph.nodes[duplicate.id]
        first, later = ctx.apps.get(duplicate.first_source), ctx.apps.get(duplicate.source)
        if first is not None and later is not None and first != later:
            yield Hit(obj, duplicate.line,
                      f"{named(obj)} is defined in both {first} and {later}, which are deployed apart; "
                      f"if both are applied, the later wins.", severity="info", file=duplicate.file)
            continue
        yield Hit(obj, duplicate.line,
                  f"{named(obj)} is defined again here after {duplicate.first_file}:{duplicate.first_line}, "
                  f"so one definition silently replaces the other when both are applied.",
                  file=duplicate.file)

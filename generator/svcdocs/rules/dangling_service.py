"""dangling-service: a Service whose selector matches no pod."""

from __future__ import annotations

from svcdocs.rules.context import Context, Hit, named

ID = "dangling-service"
SEVERITY = "error"
SUMMARY = "A Service whose selector matches no workload's pod template labels in its namespace."
RATIONALE = (
    "A Service sends traffic only to pods that carry every label of its selector. When no pod "
    "template in the namespace does, the Service has no endpoints: clients resolve its name and "
    "then hang or get connection refused, and nothing in the cluster reports an error. It usually "
    "means a label was renamed on the workload but not on the Service, or the workload was removed."
)
FIX = ("Make the selector match the labels of the workload's pod template "
       "(spec.template.metadata.labels), or delete the Service if nothing should serve it.")
EXAMPLE = """\
kind: Service
metadata: {name: search, namespace: shop}
spec:
  selector: {app: search-v1}   # no pod template carries app=search-v1
"""
USE_INSTEAD = """\
kind: Service
metadata: {name: search, namespace: shop}
spec:
  selector: {app: search}      # the labels of the Deployment's pod template
"""


def check(ctx: Context):
    for service in ctx.model.services:
        if service.selector and service.type != "ExternalName" and not ctx.graph.selected_workloads(service):
            labels = ", ".join(f"{k}={v}" for k, v in service.selector)
            yield Hit(service, service.selector_line,
                      f"{named(service)} selects {labels}, which no pod template in namespace "
                      f"{service.namespace} carries, so it has no endpoints and its clients get no answer.")

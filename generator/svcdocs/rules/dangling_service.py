"""dangling-service: a Service whose selector matches no pod."""

from __future__ import annotations

from svcdocs.graph import CONTROLLER_LABEL_KEYS
from svcdocs.graph.labels import POD_NAME
from svcdocs.model.operators import OPERATOR_LABEL_KEYS
from svcdocs.rules.context import Context, Hit, named

ID = "dangling-service"
SEVERITY = "error"
SUMMARY = "A Service whose selector matches no workload's pod template labels in its namespace."
RATIONALE = (
    "A Service sends traffic only to pods that carry every label of its selector. When no pod "
    "template in the namespace does, the Service has no endpoints: clients resolve its name and "
    "then hang or get connection refused, and nothing in the cluster reports an error. It usually "
    "means a label was renamed on the workload but not on the Service, or the workload was removed. "
    "Pods that operators make (Prometheus, CloudNativePG, Elasticsearch, Kafka...) count, with the labels "
    "their operators document; a selector on labels that only a controller or an operator sets, when "
    "nothing in the input makes such pods, is reported as info: the pods may come from elsewhere."
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
    stateful = _stateful_sets(ctx)
    for service in ctx.model.services:
        if service.selector and service.type != "ExternalName" and not ctx.graph.selected_workloads(service):
            yield _hit(service, stateful)


def _hit(service, stateful) -> Hit:
    labels = ", ".join(f"{k}={v}" for k, v in service.selector)
    selector = dict(service.selector)
    pod = selector.get(POD_NAME)
    if pod is not None:
        base, _, ordinal = pod.rpartition("-")
        found = stateful.get((service.namespace, base))
        if found is not None and ordinal.isdigit():
            maker, replicas = found
            return Hit(service, service.selector_line,
                       f"{named(service)} selects pod {pod}, but StatefulSet {base}{maker} runs {replicas} "
                       f"{'replica' if replicas == 1 else 'replicas'} ({_ordinals(base, replicas)}), "
                       f"so it has no endpoints and its clients get no answer.")
    makers = sorted({OPERATOR_LABEL_KEYS.get(k) or "Kubernetes" for k in selector
                     if k in OPERATOR_LABEL_KEYS or k in CONTROLLER_LABEL_KEYS})
    if makers:
        keys = ", ".join(k for k in selector if k in OPERATOR_LABEL_KEYS or k in CONTROLLER_LABEL_KEYS)
        return Hit(service, service.selector_line,
                   f"{named(service)} selects {labels}, which no pod template in namespace {service.namespace} "
                   f"carries, but {keys} {'is a label' if ',' not in keys else 'are labels'} that "
                   f"{' and '.join(makers)} {'sets' if len(makers) == 1 else 'set'} on the pods "
                   f"{'it makes' if len(makers) == 1 else 'they make'}, so the pods may come from a resource "
                   f"outside the input.", severity="info")
    return Hit(service, service.selector_line,
               f"{named(service)} selects {labels}, which no pod template in namespace "
               f"{service.namespace} carries, so it has no endpoints and its clients get no answer.")


def _stateful_sets(ctx: Context) -> dict[tuple[str, str], tuple[str, int]]:
    """(namespace, StatefulSet name) -> who makes it (for an operator's) and its replicas."""
    found = {}
    for workload in ctx.model.workloads:
        for group in workload.groups():
            if group.controller == "StatefulSet":
                maker = "" if workload.kind == "StatefulSet" else f" (made for {named(workload)})"
                found[(workload.namespace, group.name)] = (maker, 1 if group.replicas is None else group.replicas)
    return found


def _ordinals(base: str, replicas: int) -> str:
    if replicas == 0:
        return "no pods"
    if replicas == 1:
        return f"{base}-0"
    return f"{base}-0 to {base}-{replicas - 1}"

"""statefulset-service-name: a StatefulSet whose serviceName is no headless Service of its pods."""

from __future__ import annotations

from svcdocs.model import object_id
from svcdocs.rules.context import Context, Hit, named

ID = "statefulset-service-name"
SEVERITY = "warning"
SUMMARY = "A StatefulSet whose serviceName names no headless Service in its namespace that selects its pods."
RATIONALE = (
    "A StatefulSet gives each pod a stable DNS name, <pod>.<serviceName>.<namespace>.svc, through the "
    "headless Service that its serviceName names. When that Service does not exist, is not headless "
    "(clusterIP: None) or does not select the pods, the names do not resolve: members of a database or "
    "broker cluster cannot find each other, and clients that address one pod fail."
)
FIX = "Create a headless Service (clusterIP: None) with that name whose selector matches the pod template, or set serviceName to the one that exists."
EXAMPLE = """\
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db-headless   # no Service of that name
"""
USE_INSTEAD = """\
kind: Service
metadata: {name: db-headless}
spec:
  clusterIP: None
  selector: {app: db}
"""


def check(ctx: Context):
    for workload in ctx.model.workloads:
        if workload.kind != "StatefulSet" or not workload.service_name:
            continue
        service = ctx.graph.get(object_id("Service", workload.namespace, workload.service_name))
        if service is None:
            problem = f"which is not a Service in namespace {workload.namespace}"
        elif not getattr(service, "headless", False):
            problem = "which is not headless (clusterIP: None)"
        elif workload.id not in {w.id for w in ctx.graph.selected_workloads(service)}:
            problem = "which does not select its pods"
        else:
            continue
        yield Hit(workload, workload.service_name_line or workload.name_line,
                  f"{named(workload)} names Service {workload.service_name} as its serviceName, {problem}, "
                  f"so its pods get no stable DNS names.")

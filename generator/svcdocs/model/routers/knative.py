"""Knative Serving (serving.knative.dev).

- `Service` (v1): both a workload (its template's containers, ports and
  probes; its pods carry `serving.knative.dev/service: <name>`) and a way in
  of its own at `<name>.<namespace>.<domain>`, the domain being the cluster's
  setting. It is public unless labelled `networking.knative.dev/visibility:
  cluster-local` (or the older `serving.knative.dev/visibility`). `traffic`
  splits requests between revisions. Its id is
  `Service.serving.knative.dev/ns/name`, since a Kubernetes Service owns
  `Service/ns/name`.
- `DomainMapping` (v1beta1, v1alpha1): publishes the domain it is named after
  for a Knative Service (or a Kubernetes Service), even a cluster-local one,
  with TLS when `spec.tls` names a certificate.
"""

from __future__ import annotations

from svcdocs.model.pods import pod_template
from svcdocs.model.objects import BackendRef, RoutedWorkload, Router, Way
from svcdocs.model.reader import Reader
from svcdocs.model.routers.parts import label

GROUP = "serving.knative.dev"
SERVICE = f"Service.{GROUP}"
VISIBILITY = ("networking.knative.dev/visibility", "serving.knative.dev/visibility")


def _opens(meta: dict) -> str:
    private = any(label(meta, key) == "cluster-local" for key in VISIBILITY)
    return "cluster" if private else "internet"


def service(r: Reader, root: dict, meta: dict) -> RoutedWorkload:
    spec = r.mapping(root.get("spec"), "spec")
    name, namespace = meta["name"], meta["namespace"]
    pod = pod_template(r, spec.get("template"), "spec.template", meta,
                       ((f"{GROUP}/service", name), (f"{GROUP}/configuration", name)))
    traffic = []
    for i, _, f in r.mappings(spec.get("traffic"), "spec.traffic"):
        revision = r.string(f.get("revisionName"), f"spec.traffic[{i}].revisionName")
        traffic.append((revision or "latest", r.integer(f.get("percent"), f"spec.traffic[{i}].percent", 0, 100),
                        r.string(f.get("tag"), f"spec.traffic[{i}].tag")))
    itself = BackendRef(SERVICE, namespace, name, meta["name_line"])
    router = Router(**meta, ways=(Way(line=meta["line"], backends=(itself,), protocol="HTTP"),), opens=_opens(meta))
    return RoutedWorkload(**meta, **pod, router=router, traffic=tuple(traffic))


def domain_mapping(r: Reader, root: dict, meta: dict) -> Router:
    spec = r.mapping(root.get("spec"), "spec")
    ref = r.mapping(spec.get("ref"), "spec.ref")
    name_node = ref.get("name")
    target = r.string(name_node, "spec.ref.name")
    kind = r.string(ref.get("kind"), "spec.ref.kind") or "Service"
    group = (r.string(ref.get("apiVersion"), "spec.ref.apiVersion") or f"{GROUP}/v1").rpartition("/")[0]
    backends = ()
    if target:
        backends = (BackendRef(kind if group == "" else f"{kind}.{group}",
                               r.string(ref.get("namespace"), "spec.ref.namespace") or meta["namespace"], target,
                               r.line(name_node)),)
    tls = r.mapping(spec.get("tls"), "spec.tls")
    way = Way(line=meta["line"], hosts=(meta["name"],), host_line=meta["name_line"], paths=("/",),
              backends=backends, protocol="HTTP", tls=bool(r.string(tls.get("secretName"), "spec.tls.secretName")),
              tls_line=r.key_line(root.get("spec"), "tls"))
    return Router(**meta, ways=(way,), opens=_opens(meta))


BUILDERS = {(GROUP, "Service"): service, (GROUP, "DomainMapping"): domain_mapping}
QUIET = {(GROUP, kind) for kind in ("Revision", "Configuration")}  # pods, not ways in (a Route is one)

"""Ingress (networking.k8s.io/v1, and the older extensions/v1beta1 and
networking.k8s.io/v1beta1 spellings): rules of host and paths, a default
backend, and the hosts each `spec.tls` entry covers.

A backend may name another object than a Service (`resource`): a Kong
KongServiceFacade, which svcdocs follows to its Service, or a kind svcdocs
does not read, which the Ingress keeps in `resources` so that it is said.

TLS comes from `spec.tls`, and from where the clouds' controllers take it
(`model/routers/cloud_tls.py`): certificates on the load balancer itself, a
GKE ManagedCertificate or a KongIngress override that the Ingress names.
"""

from __future__ import annotations

import yaml
from yaml import MappingNode, ScalarNode

from svcdocs.model.objects import (
    Backend, BackendRef, Ingress, IngressPath, IngressRule, IngressTLS, ResourceBackend, Way,
)
from svcdocs.model.reader import Reader
from svcdocs.model.routers import cloud_tls

GROUPS = ("networking.k8s.io", "extensions")
CLASS_ANNOTATION = "kubernetes.io/ingress.class"
NGINX_ANNOTATIONS = "nginx.ingress.kubernetes.io/"


def ingress(r: Reader, root: dict, meta: dict) -> Ingress:
    spec = r.mapping(root.get("spec"), "spec")
    class_node = spec.get("ingressClassName")
    class_name = r.string(class_node, "spec.ingressClassName")
    if class_name is None:
        class_name = dict(meta["annotations"]).get(CLASS_ANNOTATION)
    default = spec.get("defaultBackend", spec.get("backend"))
    rules, resources = [], []
    for i, item, f in r.mappings(spec.get("rules"), "spec.rules"):
        host = r.string(f.get("host"), f"spec.rules[{i}].host")
        http = r.mapping(f.get("http"), f"spec.rules[{i}].http")
        paths = []
        for j, pitem, p in r.mappings(http.get("paths"), f"spec.rules[{i}].http.paths"):
            what = f"spec.rules[{i}].http.paths[{j}].backend"
            path = r.string(p.get("path"), "path")
            backend = _backend(r, p.get("backend"), what)
            if backend is not None:
                paths.append(IngressPath(backend=backend, line=r.line(pitem), path=path,
                                         path_type=r.string(p.get("pathType"), "pathType")))
            elif (resource := _resource(r, p.get("backend"), what, host or None, path or "/")) is not None:
                resources.append(resource)
        rules.append(IngressRule(line=r.line(item), host=host or None, host_line=r.line(f["host"]) if host else 0,
                                 paths=tuple(paths)))
    tls = tuple(
        IngressTLS(line=r.line(item), hosts=r.strings(f.get("hosts"), f"spec.tls[{i}].hosts"),
                   secret_name=r.string(f.get("secretName"), f"spec.tls[{i}].secretName"))
        for i, item, f in r.mappings(spec.get("tls"), "spec.tls")
    )
    default_backend = _backend(r, default, "spec.defaultBackend") if default is not None else None
    if default is not None and default_backend is None:
        resource = _resource(r, default, "spec.defaultBackend", None, None)
        resources += [resource] if resource is not None else []
    cloud = cloud_tls.ingress_tls(meta, class_name)
    return Ingress(
        **meta,
        snippets=_snippets(r, root),
        class_name=class_name,
        class_line=r.line(class_node) if class_node is not None else 0,
        default_backend=default_backend,
        rules=tuple(rules),
        tls=tls,
        resources=tuple(resources),
        tls_sources=cloud.sources,
        ways=tuple(_ways(meta["namespace"], default_backend, rules, tls, tuple(resources), cloud)),
    )


def _snippets(r: Reader, root: dict) -> tuple[tuple[str, int], ...]:
    """ingress-nginx `*-snippet` annotations, by key and line (their NGINX
    configuration is not kept)."""
    annotations = r.mapping(root.get("metadata"), "metadata").get("annotations")
    if not isinstance(annotations, MappingNode):
        return ()
    return tuple(sorted((k.value, r.line(k)) for k, _ in annotations.value
                        if isinstance(k, ScalarNode) and k.value.startswith(NGINX_ANNOTATIONS)
                        and k.value.endswith("-snippet")))


def _backend(r: Reader, node: yaml.Node | None, what: str) -> Backend | None:
    """networking.k8s.io/v1 `service: {name, port}`, or v1beta1 `serviceName`/`servicePort`."""
    f = r.mapping(node, what)
    if "service" in f:
        service = r.mapping(f["service"], f"{what}.service")
        name_node, port = service.get("name"), r.mapping(service.get("port"), f"{what}.service.port")
        port_node = port.get("number", port.get("name"))
    elif "serviceName" in f:
        name_node, port_node = f["serviceName"], f.get("servicePort")
    else:
        return None  # a `resource` backend (_resource), or nothing
    name = r.string(name_node, f"{what} service name")
    if not name:
        return None
    return Backend(
        service=name,
        line=r.line(name_node),
        port=r.port_or_name(port_node, f"{what} port"),
        port_line=r.line(port_node) if port_node is not None else 0,
    )


def _resource(r: Reader, node: yaml.Node | None, what: str, host: str | None,
              path: str | None) -> ResourceBackend | None:
    """A `resource` backend: the object it names, in the Ingress's namespace."""
    resource = r.mapping(r.mapping(node, what).get("resource"), f"{what}.resource")
    name_node = resource.get("name")
    name, kind = r.string(name_node, f"{what}.resource.name"), r.string(resource.get("kind"), f"{what}.resource.kind")
    if not name or not kind:
        return None
    return ResourceBackend(group=r.string(resource.get("apiGroup"), f"{what}.resource.apiGroup") or "", kind=kind,
                           name=name, line=r.line(name_node), host=host, path=path)


def _ways(namespace: str, default: Backend | None, rules: list[IngressRule], tls: tuple[IngressTLS, ...],
          resources: tuple[ResourceBackend, ...], cloud: cloud_tls.CloudTLS):
    """The default backend (any host, no path), then each rule path; a path
    left out serves `/`. A resource backend is a way to the object it names
    (a KongServiceFacade hands it on to its Service)."""
    def ref(backend: Backend) -> BackendRef:
        return BackendRef("Service", namespace, backend.service, backend.line, backend.port, backend.port_line)

    def secure(host: str | None) -> bool | None:
        return cloud.secure(covered(tls, host), host)

    if default is not None:
        yield Way(line=default.line, backends=(ref(default),), protocol="HTTP", tls=secure(None))
    for rule in rules:
        for path in rule.paths:
            yield Way(line=path.line, hosts=(rule.host,) if rule.host else (), host_line=rule.host_line,
                      paths=(path.path or "/",), backends=(ref(path.backend),), protocol="HTTP",
                      tls=secure(rule.host))
    for resource in resources:
        yield Way(line=resource.line, hosts=(resource.host,) if resource.host else (), paths=(resource.path,)
                  if resource.path else (), backends=(BackendRef(resource.kind, namespace, resource.name,
                                                                 resource.line),),
                  protocol="HTTP", tls=secure(resource.host))


def covered(tls: tuple[IngressTLS, ...], host: str | None) -> bool:
    """Whether a `spec.tls` entry covers the host. An entry without hosts
    covers every host (the controller's default certificate); `*.example.com`
    covers one label under example.com."""
    for entry in tls:
        if not entry.hosts:
            return True
        if host is None:
            continue
        host = host.lower()
        for name in (h.lower() for h in entry.hosts):
            if name == host or (name.startswith("*.") and host.partition(".")[2] == name[2:] and "." in host):
                return True
    return False


BUILDERS = {(group, "Ingress"): ingress for group in GROUPS}

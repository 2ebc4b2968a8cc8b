"""HAProxy Kubernetes Ingress Controller (ingress.v3.haproxy.org, and the
older ingress.v1.haproxy.org and core.haproxy.org groups).

- `TCP`: a list of TCP services, each a frontend whose `binds` open ports on
  the controller's pods (a list in v1, a map by name in v3), forwarding to
  `service` and, through backend switching rules, to `services`; with TLS
  when a bind sets `ssl`. Its class is the `ingress.class` annotation.

`Backend`, `Defaults`, `Global`, `Frontend` and `ValidationRules` tune
HAProxy's configuration and route nothing by themselves (model/kinds.py).
"""

from __future__ import annotations

from yaml import MappingNode, SequenceNode

from svcdocs.model.objects import Router, Way
from svcdocs.model.reader import Reader
from svcdocs.model.routers.parts import backend, class_of, unique

GROUPS = ("ingress.v3.haproxy.org", "ingress.v1.haproxy.org", "core.haproxy.org")
CONTROLLER = "haproxy"
CLASS_ANNOTATIONS = ("ingress.class", "kubernetes.io/ingress.class")
MAX_SERVICES = 256


def tcp(r: Reader, root: dict, meta: dict) -> Router:
    namespace = meta["namespace"]
    spec = root.get("spec")
    items = spec.value if isinstance(spec, SequenceNode) else []
    ways = []
    for i, item in enumerate(items[:MAX_SERVICES]):
        what = f"spec[{i}]"
        f = r.mapping(item, what)
        frontend = r.mapping(f.get("frontend"), f"{what}.frontend")
        binds = _binds(r, frontend.get("binds"), f"{what}.frontend.binds")
        backends = [b for b in [backend(r, r.mapping(f.get("service"), f"{what}.service"), f"{what}.service",
                                        namespace, weight_key=None)] if b is not None]
        backends += [b for j, _, s in r.mappings(f.get("services"), f"{what}.services")
                     if (b := backend(r, s, f"{what}.services[{j}]", namespace, weight_key=None)) is not None]
        secure = any(r.flag(b.get("ssl")) for b in binds)
        ports = unique(p for b in binds if (p := r.integer(b.get("port"), f"{what}.frontend.binds port")) is not None)
        for port in ports or (None,):
            ways.append(Way(line=r.line(item), backends=tuple(backends), protocol="TLS" if secure else "TCP",
                            port=port, tls=secure))
    return Router(**meta, class_name=class_of(meta, None, *CLASS_ANNOTATIONS), ways=tuple(ways),
                  controller=CONTROLLER)


def _binds(r: Reader, node, what: str) -> list[dict]:
    """v1: a list of binds; v3: a map of bind name to bind."""
    if isinstance(node, MappingNode):
        return [r.mapping(value, f"{what}.{getattr(key, 'value', '')}") for key, value in node.value]
    return [f for _, _, f in r.mappings(node, what)]


BUILDERS = {(group, "TCP"): tcp for group in GROUPS}

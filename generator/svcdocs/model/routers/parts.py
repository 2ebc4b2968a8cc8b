"""What every router family builds its routers from: backends read from
their nodes, and the level a router opens by itself."""

from __future__ import annotations

import yaml

from svcdocs.model.objects import BackendRef, Pairs
from svcdocs.model.reader import Reader

MAX_WEIGHT = 1_000_000


def backend(r: Reader, f: dict[str, yaml.Node], what: str, namespace: str, *, kind: str = "Service",
            name_key: str = "name", port_key: str | None = "port", weight_key: str | None = "weight",
            namespace_key: str | None = None, target_port: bool = False) -> BackendRef | None:
    """A backend read from the mapping `f`: its name, port (a number or a
    name), weight and, where the family allows one, namespace."""
    name_node = f.get(name_key)
    name = r.string(name_node, f"{what}.{name_key}")
    if not name:
        return None
    port_node = f.get(port_key) if port_key else None
    namespace_node = f.get(namespace_key) if namespace_key else None
    return BackendRef(
        kind=kind,
        namespace=r.string(namespace_node, f"{what}.{namespace_key}") or namespace,
        name=name,
        line=r.line(name_node),
        port=r.port_or_name(port_node, f"{what}.{port_key}"),
        port_line=r.line(port_node) if port_node is not None else 0,
        weight=r.integer(f.get(weight_key), f"{what}.{weight_key}", 0, MAX_WEIGHT) if weight_key else None,
        target_port=target_port,
    )


def label(meta: dict, key: str) -> str | None:
    return dict(meta["labels"]).get(key)


def annotation(meta: dict, key: str) -> str | None:
    return dict(meta["annotations"]).get(key)


def class_of(meta: dict, spec_class: str | None, *annotation_keys: str) -> str | None:
    """The class a controller picks its objects by: the spec's field, else
    the first of the annotations that is set."""
    if spec_class:
        return spec_class
    annotations: Pairs = meta["annotations"]
    found = dict(annotations)
    return next((found[k] for k in annotation_keys if found.get(k)), None)


def unique(items) -> tuple:
    """Items in their first order, each once."""
    return tuple(dict.fromkeys(items))

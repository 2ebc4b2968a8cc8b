"""`.svcdocs.yaml`: disable rules, change severities and thresholds, name
internal ingress (and gateway) classes.

```yaml
disable: [no-network-policy]
severity:
  nodeport-service: error
thresholds:
  many-loadbalancers: 2      # flag internet LoadBalancers when there are more than 2
internal-ingress-classes: [nginx-internal]
environments:                # what --env names; paths from this file's folder
  - prod=overlays/prod
  - apps/*                   # each matching folder its own environment
router-kinds:                # routers svcdocs does not know, read from simple field paths
  - apiVersion: example.com/v1
    kind: WebRoute
    hosts: spec.hosts
    rules: spec.rules
    path: path
    service: backend.service
    port: backend.port
    public: true
```

Rule ids are checked against the catalogue by the rules stage; here only the
shape of the file is checked. A bad file is one clear error.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import yaml

from svcdocs.errors import SvcdocsError

CONFIG_NAMES = (".svcdocs.yaml", ".svcdocs.yml")
SEVERITIES = ("error", "warning", "info")
KEYS = ("disable", "severity", "thresholds", "internal-ingress-classes", "router-kinds", "environments")


@dataclass(frozen=True)
class Config:
    path: str | None = None
    disable: frozenset[str] = frozenset()
    severity: dict[str, str] = field(default_factory=dict)
    thresholds: dict[str, int] = field(default_factory=dict)
    internal_classes: frozenset[str] = frozenset()
    router_kinds: tuple[RouterKind, ...] = ()
    environments: tuple[str, ...] = ()  # `NAME=PATH` or `PATH`, as --env takes them


def load_config(path: str | None = None, directory: str = ".") -> Config:
    """The config at `path`, or the one in `directory`, or the defaults."""
    if path is None:
        path = next((os.path.join(directory, n) for n in CONFIG_NAMES if os.path.isfile(os.path.join(directory, n))), None)
        if path is None:
            return Config()
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except OSError as e:
        raise SvcdocsError(f"{path}: cannot read config: {e.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        line = getattr(getattr(e, "problem_mark", None), "line", None)
        where = f"{path}:{line + 1}" if line is not None else path
        raise SvcdocsError(f"{where}: config is not valid YAML") from None
    return parse_config(data, path)


def parse_config(data: object, path: str = ".svcdocs.yaml") -> Config:
    if data is None:
        return Config(path=path)
    if not isinstance(data, dict):
        raise SvcdocsError(f"{path}: config must be a mapping with keys {', '.join(KEYS)}")
    unknown = sorted(str(k) for k in data if k not in KEYS)
    if unknown:
        raise SvcdocsError(f"{path}: unknown config key {unknown[0]!r}; known keys: {', '.join(KEYS)}")
    severity = _mapping(data, "severity", path)
    for rule, value in severity.items():
        if value not in SEVERITIES:
            raise SvcdocsError(f"{path}: severity of {rule} must be one of {', '.join(SEVERITIES)}, not {value!r}")
    thresholds = _mapping(data, "thresholds", path)
    for rule, value in thresholds.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise SvcdocsError(f"{path}: threshold of {rule} must be a whole number, not {value!r}")
    return Config(
        path=path,
        disable=frozenset(_strings(data, "disable", path)),
        severity={str(k): v for k, v in severity.items()},
        thresholds={str(k): v for k, v in thresholds.items()},
        internal_classes=frozenset(_strings(data, "internal-ingress-classes", path)),
        router_kinds=parse_router_kinds(data.get("router-kinds"), path),
        environments=_environments(data, path),
    )


def _environments(data: dict, path: str) -> tuple[str, ...]:
    """A list of `NAME=PATH` or `PATH` strings, or a mapping of NAME to PATH."""
    value = data.get("environments") or []
    if isinstance(value, dict):
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise SvcdocsError(f"{path}: environments must map names to paths")
        return tuple(f"{k}={v}" for k, v in value.items())
    return tuple(_strings(data, "environments", path))


def _mapping(data: dict, key: str, path: str) -> dict:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise SvcdocsError(f"{path}: {key} must be a mapping of rule id to value")
    return value


def _strings(data: dict, key: str, path: str) -> list[str]:
    value = data.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SvcdocsError(f"{path}: {key} must be a list of names")
    return value


# --- router-kinds: routers svcdocs does not know, described as data -------------

ROUTER_KIND_KEYS = ("apiVersion", "kind", "hosts", "rules", "path", "service", "port", "public")
FIELD_PATH = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*")


@dataclass(frozen=True)
class RouterKind:
    """Where a router kind keeps its hosts, paths and backends, as field
    paths (names split at dots; a list met on the way is read item by item).
    With `rules`, each item of that list is one way in, and `path`, `service`
    and `port` are read from the item; without it, from the document."""

    group: str
    kind: str
    service: tuple[str, ...]
    hosts: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    path: tuple[str, ...] = ()
    port: tuple[str, ...] = ()
    public: bool = True


def parse_router_kinds(value: object, path: str) -> tuple[RouterKind, ...]:
    """`router-kinds`: a list of mappings. Only names and dotted field paths
    are read; nothing in them is ever evaluated."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise SvcdocsError(f"{path}: router-kinds must be a list of mappings")
    kinds = []
    for i, item in enumerate(value):
        where = f"{path}: router-kinds[{i}]"
        if not isinstance(item, dict):
            raise SvcdocsError(f"{where} must be a mapping with keys {', '.join(ROUTER_KIND_KEYS)}")
        unknown = sorted(str(k) for k in item if k not in ROUTER_KIND_KEYS)
        if unknown:
            raise SvcdocsError(f"{where}: unknown key {unknown[0]!r}; known keys: {', '.join(ROUTER_KIND_KEYS)}")
        api_version, kind = item.get("apiVersion"), item.get("kind")
        if not isinstance(api_version, str) or "/" not in api_version or not isinstance(kind, str) or not kind:
            raise SvcdocsError(f"{where} needs apiVersion (group/version) and kind")
        public = item.get("public", True)
        if not isinstance(public, bool):
            raise SvcdocsError(f"{where}: public must be true or false")
        fields = {key: _field_path(item.get(key), f"{where}.{key}") for key in ("hosts", "rules", "path", "service", "port")}
        if not fields["service"]:
            raise SvcdocsError(f"{where} needs service: the field path of the backend Service's name")
        kinds.append(RouterKind(group=api_version.rpartition("/")[0], kind=kind, public=public, **fields))
    return tuple(kinds)


def _field_path(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, str) or not FIELD_PATH.fullmatch(value):
        raise SvcdocsError(f"{where} must be a field path such as spec.rules.backend.name (names and dots only)")
    return tuple(value.split("."))

"""`.svcdocs.yaml`: disable rules, change severities and thresholds, name
internal ingress (and gateway) classes, choose the renderers, and say which
kinds the review may let pass.

```yaml
disable: [no-network-policy]
severity:
  nodeport-service: error
thresholds:
  many-loadbalancers: 2      # flag internet LoadBalancers when there are more than 2
internal-ingress-classes: [nginx-internal]
render: [kustomize, helm]    # default: [kustomize]; helm runs only when named here or with --render
inert-kinds: [Certificate]   # kinds that open no way in: adding one does not fail --fail-on-exposure
fail-on-unmodelled: true     # --fail-on-exposure fails on unread files and unmodelled objects (default)
environments:                # what --env names; paths from this file's folder
  - prod=overlays/prod
  - apps/*                   # each matching folder its own environment
exclude: [docs/**, mkdocs.yml]  # paths not read, as --exclude (globs from this file's folder)
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
shape of the file is checked. The file is read with the manifest loader's
limits (size, nesting, aliases never expanded), and a bad file is one clear
error that names the key, never a value's whole text.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import yaml
from yaml.constructor import SafeConstructor

from svcdocs.errors import SvcdocsError
from svcdocs.load import Source, parse
from svcdocs.load.sources import DEFAULT_RENDER, RENDERERS

CONFIG_NAMES = (".svcdocs.yaml", ".svcdocs.yml")
SEVERITIES = ("error", "warning", "info")
KEYS = ("disable", "severity", "thresholds", "internal-ingress-classes", "render", "inert-kinds",
        "fail-on-unmodelled", "router-kinds", "environments", "exclude")
MAX_DEPTH = 8  # the config is three levels deep at most
MAX_SHOWN = 60


@dataclass(frozen=True)
class Config:
    path: str | None = None
    disable: frozenset[str] = frozenset()
    severity: dict[str, str] = field(default_factory=dict)
    thresholds: dict[str, int] = field(default_factory=dict)
    internal_classes: frozenset[str] = frozenset()
    render: frozenset[str] = DEFAULT_RENDER
    inert_kinds: frozenset[str] = frozenset()
    fail_on_unmodelled: bool = True
    router_kinds: tuple[RouterKind, ...] = ()
    environments: tuple[str, ...] = ()  # `NAME=PATH` or `PATH`, as --env takes them
    exclude: tuple[str, ...] = ()  # globs from the config file's folder, as --exclude takes them


def config_path(path: str | None = None, directory: str = ".") -> str | None:
    """The config file in use: `path`, or the one in `directory`, or None."""
    if path is not None:
        return path
    return next((os.path.join(directory, n) for n in CONFIG_NAMES if os.path.isfile(os.path.join(directory, n))),
                None)


def load_config(path: str | None = None, directory: str = ".") -> Config:
    """The config at `path`, or the one in `directory`, or the defaults."""
    path = config_path(path, directory)
    if path is None:
        return Config()
    if not os.path.isfile(path):
        raise SvcdocsError(f"{path}: cannot read config: " + ("not a file" if os.path.exists(path)
                                                                else "no such file"))
    return config_from_source(Source(label=path, path=path))


def config_from_source(source: Source) -> Config:
    """A config read from a file or from bytes (a file as of a git revision)."""
    parsed = parse(source)
    if parsed.problems:
        problem = parsed.problems[0]
        if problem.reason.startswith("not a mapping"):
            raise SvcdocsError(f"{source.label}: config must be a mapping with keys {', '.join(KEYS)}")
        reason = problem.reason.removeprefix("invalid YAML: ")
        raise SvcdocsError(f"{problem.file}:{problem.line}: config is not valid YAML: {reason}"
                           if reason != problem.reason else f"{problem.file}:{problem.line}: config: {reason}")
    if len(parsed.documents) > 1:
        raise SvcdocsError(f"{source.label}: config must be one YAML document")
    if not parsed.documents:
        return Config(path=source.label)
    return parse_config(_data(parsed.documents[0].node, source.label), source.label)


def _data(root: yaml.Node, path: str) -> object:
    """The node as plain data: each node made once however many aliases name
    it (so an alias bomb costs what its text costs), no deeper than MAX_DEPTH."""
    made: dict[int, object] = {}
    scalars = SafeConstructor()

    def value(node: yaml.Node, depth: int) -> object:
        if id(node) in made:
            return made[id(node)]
        if depth > MAX_DEPTH:
            raise SvcdocsError(f"{path}:{node.start_mark.line + 1}: config nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, yaml.ScalarNode):
            try:
                result = scalars.construct_object(node)
            except yaml.YAMLError:
                result = node.value
        elif isinstance(node, yaml.SequenceNode):
            result = []
            made[id(node)] = result
            result.extend(value(item, depth + 1) for item in node.value)
        else:
            result = {}
            made[id(node)] = result
            for k, v in node.value:
                if not isinstance(k, yaml.ScalarNode):
                    raise SvcdocsError(f"{path}:{k.start_mark.line + 1}: config keys must be names")
                result[k.value] = value(v, depth + 1)
        made[id(node)] = result
        return result
    return value(root, 0)


def parse_config(data: object, path: str = ".svcdocs.yaml") -> Config:
    if data is None:
        return Config(path=path)
    if not isinstance(data, dict):
        raise SvcdocsError(f"{path}: config must be a mapping with keys {', '.join(KEYS)}")
    check_schema(data, path)
    unknown = sorted(str(k) for k in data if k not in KEYS)
    if unknown:
        raise SvcdocsError(f"{path}: unknown config key {_shown(unknown[0])}; known keys: {', '.join(KEYS)}")
    severity = _mapping(data, "severity", path)
    for rule, value in severity.items():
        if value not in SEVERITIES:
            raise SvcdocsError(f"{path}: severity of {_name(rule)} must be one of {', '.join(SEVERITIES)}, "
                               f"not {_described(value)}")
    thresholds = _mapping(data, "thresholds", path)
    for rule, value in thresholds.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise SvcdocsError(f"{path}: threshold of {_name(rule)} must be a whole number, not {_described(value)}")
    render = _strings(data, "render", path) if "render" in data else sorted(DEFAULT_RENDER)
    for renderer in render:
        if renderer not in RENDERERS:
            raise SvcdocsError(f"{path}: render must list renderers from {', '.join(RENDERERS)}, "
                               f"not {_shown(renderer)}")
    fail = data.get("fail-on-unmodelled", True)
    if not isinstance(fail, bool):
        raise SvcdocsError(f"{path}: fail-on-unmodelled must be true or false, not {_described(fail)}")
    return Config(
        path=path,
        disable=frozenset(_strings(data, "disable", path)),
        severity={str(k): v for k, v in severity.items()},
        thresholds={str(k): v for k, v in thresholds.items()},
        internal_classes=frozenset(_strings(data, "internal-ingress-classes", path)),
        render=frozenset(render),
        inert_kinds=frozenset(_strings(data, "inert-kinds", path)),
        fail_on_unmodelled=fail,
        router_kinds=parse_router_kinds(data.get("router-kinds"), path),
        environments=_environments(data, path),
        exclude=tuple(_strings(data, "exclude", path)),
    )


def check_schema(data: dict, path: str) -> None:
    """Every error against the config's JSON Schema (`svcdocs schema config`),
    one line each: the key path, what was expected, what is there. The entries
    of router-kinds are checked by parse_router_kinds, whose messages say more."""
    from svcdocs import schemas

    shape = {k: [] if k == "router-kinds" and isinstance(v, list) else v for k, v in data.items()}
    found = schemas.errors(shape, schemas.load("config"))
    if found:
        lines = [f"{path}: {_schema_error(e)}" for e in found]
        raise SvcdocsError(*lines)


def _schema_error(error) -> str:
    where = _key_path(error.path)
    if error.unknown is not None:
        known = error.expected.removeprefix("one of the keys ")
        return (f"unknown config key {_shown(error.unknown)}; known keys: {known}" if not where
                else f"{where}: unknown key {_shown(error.unknown)}; known keys: {known}")
    if error.expected.startswith("the key"):
        return f"{where or 'config'} needs {error.expected.removeprefix('the keys ').removeprefix('the key ')}"
    return f"{where or 'config'} must be {error.expected}, not {_described(error.value)}"


def _key_path(path: tuple) -> str:
    """`severity of nodeport-service`, `disable[2]`, `router-kinds[0].service`."""
    if not path:
        return ""
    text = str(path[0])
    for i, part in enumerate(path[1:], 1):
        if isinstance(part, int):
            text += f"[{part}]"
        elif i == 1:
            text = f"{text} of {_name(part)}"
        else:
            text += f".{_name(part)}"
    return text


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
        raise SvcdocsError(f"{path}: {key} must be a mapping of rule id to value, not {_described(value)}")
    return value


def _strings(data: dict, key: str, path: str) -> list[str]:
    value = data.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SvcdocsError(f"{path}: {key} must be a list of names")
    return value


def _name(text: object) -> str:
    """A rule id or key from the config in an error, cut when long."""
    text = str(text)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"


def _shown(text: object) -> str:
    """A name from the config in an error: quoted, and cut when long."""
    text = str(text)
    return repr(text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…")


def _described(value: object) -> str:
    """A bad value in an error: its type for a structure (whose text could be
    anything, and huge), itself for a short scalar."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return _shown(value)


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
            raise SvcdocsError(f"{where}: unknown key {_shown(unknown[0])}; known keys: {', '.join(ROUTER_KIND_KEYS)}")
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

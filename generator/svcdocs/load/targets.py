"""Deployment targets: which units of a repository are deployed together.

Discovery (`load.environments`) finds units: each entry kustomization, chart,
folder a GitOps pointer leads to, and plain folder. Here they are grouped into
environments, each one what is deployed together to one cluster (or one
cluster and namespace scope):

- a **GitOps root** (a unit holding pointers into the repository that no other
  unit points at) and everything it reaches: one environment per Flux root (its
  cluster folder), and one per Argo CD destination cluster, split by the
  environment named in the Applications' folders (`envs/<env>`,
  `overlays/<env>`) when several go to one cluster;
- **entry kustomizations** no pointer reaches, grouped by the environment their
  layout names (`**/overlays/<env>`, `envs/<env>`, `environments/<env>`,
  `clusters/<env>`); one outside such a layout, and a chart, is its own;
- the **plain folders** no pointer reaches: one environment, whose folders are
  apps deployed apart.

Names are short (`production`), longer only where two would collide.
"""

from __future__ import annotations

import shlex
from collections import deque
from dataclasses import dataclass, field

from svcdocs.load.gitops import IN_CLUSTER

LAYOUTS = ("overlays", "envs", "environments", "clusters", "env")  # a folder of one folder per environment
FLUX_BOOTSTRAP = "flux-system"
MANY = 8  # past this many environments, the home page says how they were found


@dataclass(frozen=True, slots=True)
class Edge:
    """A pointer from one unit to another."""

    target: int
    cluster: str = ""  # an Argo CD Application's destination cluster; "" for Flux (the same cluster)


@dataclass(frozen=True, slots=True)
class Unit:
    """What discovery found, as grouping sees it."""

    path: str  # repository-relative
    origin: str  # kustomization | chart | folder | plain
    edges: tuple[Edge, ...] = ()
    home: str = ""  # the folder of the files that hold its pointers (a root that reads its parent folder)


@dataclass
class Target:
    """One environment: its units, in the order they are reached."""

    name: str
    path: str  # the cluster folder, the layout's folders (a glob), the unit's path
    how: str  # flux | argo | layout | own | plain
    members: list[int] = field(default_factory=list)
    apart: bool = False  # its units are deployed apart: nothing applies them together
    longer: tuple[str, ...] = ()  # longer names, tried in turn when this one collides
    cluster: str = ""  # an Argo CD destination cluster

def group(units: list[Unit], plain_name: str = "plain manifests") -> list[Target]:
    """The environments of `units`: GitOps roots first, then the rest."""
    reached: set[int] = set()
    closures = _roots(units)
    targets = _flux(units, closures, reached) + _argo(units, closures, reached)
    targets += _by_layout(units, reached, plain_name)
    _unique_names(targets)
    return targets


def _roots(units: list[Unit]) -> dict[int, dict[int, set[str]]]:
    """Units holding pointers to others that nothing points at; then, of what
    is left (pointers in a circle), the first of each circle: each with its
    closure (`_closure`), in that order."""
    pointed = {e.target for i, u in enumerate(units) for e in u.edges if e.target != i}
    roots = {i: _closure(units, i) for i, u in enumerate(units)
             if i not in pointed and any(e.target != i for e in u.edges)}
    seen = set().union(*roots.values()) if roots else set()
    for i, unit in enumerate(units):
        if i not in seen and any(e.target != i for e in unit.edges):
            roots[i] = _closure(units, i)
            seen |= roots[i].keys()
    return roots


def _closure(units: list[Unit], root: int) -> dict[int, set[str]]:
    """Every unit `root` reaches, each with the destination clusters it is reached for."""
    found: dict[int, set[str]] = {root: {""}}
    todo = deque([root])
    while todo:
        at = todo.popleft()
        for edge in units[at].edges:
            clusters = {edge.cluster} if edge.cluster else found[at]
            known = found.setdefault(edge.target, set())
            if not clusters <= known:
                known |= clusters
                todo.append(edge.target)
    return found


def _is_argo(units: list[Unit], closure: dict[int, set[str]]) -> bool:
    return any(e.cluster for i in closure for e in units[i].edges)


def _flux(units: list[Unit], closures: dict[int, dict[int, set[str]]], reached: set[int]) -> list[Target]:
    """One environment per Flux root: its cluster folder and all it reaches."""
    targets = []
    for root, closure in closures.items():
        if _is_argo(units, closure):
            continue
        folder = units[root].path
        if folder in ("", ".") and units[root].home:
            folder = units[root].home
        if folder.rsplit("/", 1)[-1] == FLUX_BOOTSTRAP and "/" in folder:
            folder = folder.rsplit("/", 1)[0]
        targets.append(Target(_last(folder), folder, "flux", list(closure), longer=_longer(folder)))
        reached |= set(closure)
    for target in targets:  # what lies in a cluster folder is the cluster's (its flux-system, too)
        for i, unit in enumerate(units):
            if i not in reached and target.path not in ("", ".") and unit.path.startswith(target.path + "/"):
                target.members.append(i)
                reached.add(i)
    return targets


def _argo(units: list[Unit], closures: dict[int, dict[int, set[str]]], reached: set[int]) -> list[Target]:
    """One environment per Argo CD destination cluster (whatever root made its
    Applications), split by environment name when its folders name several."""
    by_cluster: dict[str, list[int]] = {}
    roots_of: dict[str, list[int]] = {}
    for root, closure in closures.items():
        if not _is_argo(units, closure):
            continue
        clusters = sorted({c for cs in closure.values() for c in cs if c})
        home = [IN_CLUSTER] if IN_CLUSTER in clusters else clusters  # where the root's own files go
        for unit, seen in closure.items():
            for cluster in (sorted(c for c in seen if c) or home):
                members = by_cluster.setdefault(cluster, [])
                if unit not in members:
                    members.append(unit)
        for cluster in clusters:
            roots_of.setdefault(cluster, []).append(root)
        reached |= set(closure)
    targets = []
    for cluster, members in sorted(by_cluster.items()):
        split = _split_by_env(units, members)
        if len(split) < 2:
            path = ", ".join(dict.fromkeys(units[r].path for r in roots_of.get(cluster, [])))
            targets.append(Target(cluster, path, "argo", members, longer=(f"{cluster} ({path})",), cluster=cluster))
            continue
        for env, (glob, scoped) in split.items():
            targets.append(Target(env, glob, "argo", scoped, longer=(f"{cluster}/{env}", *_longer(glob)),
                                  cluster=cluster))
    return targets


def _split_by_env(units: list[Unit], members: list[int]) -> dict[str, tuple[str, list[int]]]:
    """The members of one cluster by the environment their folder names (with
    those that name none in each); {} when they name fewer than two."""
    named = {i: env_name(units[i].path) for i in members}
    envs = sorted({e for e in named.values() if e}, key=stage_order)
    if len(envs) < 2:
        return {}
    split = {}
    for env in envs:
        scoped = [i for i in members if named[i] in (env, "")]
        split[env] = (_glob([units[i].path for i in scoped if named[i] == env]), scoped)
    return split


def _by_layout(units: list[Unit], reached: set[int], plain_name: str) -> list[Target]:
    """What no pointer reaches: entry kustomizations grouped by the environment
    their layout names, the others each on its own, plain folders together."""
    layout: dict[str, list[int]] = {}
    own, plain = [], []
    for i, unit in enumerate(units):
        if i in reached:
            continue
        env = env_name(unit.path) if unit.origin == "kustomization" else ""
        if env:
            layout.setdefault(env, []).append(i)
        elif unit.origin == "plain":
            plain.append(i)
        else:
            own.append(i)
    targets = []
    for env, members in layout.items():
        glob = _glob([units[i].path for i in members])
        targets.append(Target(env, glob, "layout", members, apart=len(members) > 1, longer=_longer(glob)))
    targets += [Target(units[i].path, units[i].path, "own", [i]) for i in own]
    if plain:
        targets.append(Target(plain_name, "", "plain", plain, apart=True))
    return targets


def env_name(path: str) -> str:
    """The environment a layout names: `src/cart/k8s/overlays/production` ->
    `production`, `envs/dev` -> `dev`; "" outside such a layout."""
    parts = path.split("/")
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] in LAYOUTS and (parts[i] != "clusters" or i == len(parts) - 2):
            return parts[i + 1]
    return ""


def _glob(paths: list[str]) -> str:
    """One path standing for several: where they differ, `*` for one folder
    (when all are as deep) or `**` for any number."""
    paths = sorted(dict.fromkeys(paths))
    split = [p.split("/") for p in paths]
    if len(paths) < 2:
        return paths[0] if paths else ""
    if len({len(s) for s in split}) == 1:
        return "/".join(parts[0] if len(set(parts)) == 1 else "*" for parts in zip(*split))
    shortest = min(len(s) for s in split)
    head = 0
    while head < shortest and len({s[head] for s in split}) == 1:
        head += 1
    tail = 0
    while tail < shortest - head and len({s[-1 - tail] for s in split}) == 1:
        tail += 1
    return "/".join(split[0][:head] + ["**"] + (split[0][len(split[0]) - tail:] if tail else []))


def _last(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1] or path


def _longer(path: str) -> tuple[str, ...]:
    parts = [p for p in path.split("/") if p]
    return tuple("/".join(parts[-k:]) for k in range(2, len(parts) + 1))


def _unique_names(targets: list[Target]) -> None:
    """Each name once: those that collide take their longer names, in turn."""
    for _ in range(64):
        seen: dict[str, list[Target]] = {}
        for target in targets:
            seen.setdefault(target.name, []).append(target)
        clashes = [t for same in seen.values() if len(same) > 1 for t in same if t.how != "plain"]
        if not clashes:
            return
        for target in clashes:
            longer = [n for n in target.longer if n != target.name and len(n) > len(target.name)]
            target.name = longer[0] if longer else f"{target.name} ({target.path or target.how})"
            target.longer = tuple(longer[1:])


# How teams name the stages a change goes through, earliest first: environments
# that share a folder are listed in this order, the others by name.
STAGES = ("local", "dev", "develop", "development", "test", "testing", "qa", "int", "integration", "uat",
          "stage", "stg", "staging", "preprod", "pre-prod", "canary", "prod", "prd", "production", "live")


def stage_order(name: str) -> tuple:
    """A name's folders, each a stage (in the order a change goes through them) or a name."""
    def stage(part: str) -> int:
        first = part.lower().split("-", 1)[0]  # prod-eu: a prod
        return STAGES.index(part.lower()) if part.lower() in STAGES else \
            STAGES.index(first) if first in STAGES else len(STAGES)
    return tuple((stage(s), s) for s in name.split("/"))


# --- How they were found ---------------------------------------------------------------------

_HOW = {
    "flux": "Flux cluster folder",
    "argo": "Argo CD destination cluster",
    "layout": "environment name of a layout (overlays/<env>, envs/<env>)",
    "own": "entry kustomization or chart outside such a layout",
}


def found_by(targets: list[Target]) -> str:
    """How the environments were found, one sentence."""
    counts: dict[str, int] = {}
    for target in targets:
        counts[target.how] = counts.get(target.how, 0) + 1
    parts = [f"{counts[how]} by {what}" for how, what in _HOW.items() if how in counts]
    if "plain" in counts:
        parts.append("1 of the plain manifests outside them")
    return f"{sum(counts.values())} environments: " + ", ".join(parts) + "."


def env_pattern(paths: list[str]) -> str:
    """The --env option that reads environments at these paths as fewer: one
    per folder of their common parent, or that parent as one."""
    paths = [p for p in paths if p and p != "." and "," not in p]
    if not paths:
        return ""
    split = [p.split("/") for p in paths]
    common: list[str] = []
    for parts in zip(*split):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    common = common[:min(len(s) for s in split) - 1] if any(len(s) == len(common) for s in split) else common
    below = {s[len(common)] for s in split if len(s) > len(common)}
    parent = "/".join(common)
    if 2 <= len(below) <= MANY and not any("*" in b for b in below):
        return "--env " + shlex.quote(f"{parent}/*" if parent else "*")
    return "--env " + shlex.quote(f"{_last(parent) if parent else 'all'}={parent or '.'}")

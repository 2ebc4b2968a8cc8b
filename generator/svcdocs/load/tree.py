"""The walk of a folder that finds its kustomization roots and charts: the
folder walk of `load.walk`, each file inside a root or a chart its own."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from svcdocs.load.exclude import Excludes
from svcdocs.load.kustomizations import Kustomization, read_kustomization
from svcdocs.load.kustomize_check import unlisted
from svcdocs.load.problems import Unread
from svcdocs.load.sources import KUSTOMIZATIONS, Source, display_path
from svcdocs.load.walk import walk as walk_folder


def shown_path(path: str) -> str:
    """A walked path as the user would write it, with `/` between folders."""
    return display_path(os.path.normpath(path)).replace(os.sep, "/")


@dataclass
class Tree:
    folder: str  # as given
    plain: list[Source] = field(default_factory=list)  # files outside every root and chart, in walk order
    skipped: int = 0
    unread: list[Unread] = field(default_factory=list)  # files kubectl would apply that svcdocs does not read
    roots: dict[str, Kustomization] = field(default_factory=dict)  # real path -> its kustomization
    charts: list[str] = field(default_factory=list)  # chart folders, as walked

    def entries(self) -> list[Kustomization]:
        """Roots that no other root of the tree includes; components never are."""
        included = {os.path.realpath(r.target) for k in self.roots.values() for r in k.includes}
        return [k for real, k in self.roots.items() if real not in included and k.kind != "Component"]

    def unused_components(self) -> list[Kustomization]:
        included = {os.path.realpath(r.target) for k in self.roots.values() for r in k.includes}
        return [k for real, k in self.roots.items() if real not in included and k.kind == "Component"]


def walk(folder: str, exclude: Excludes = Excludes()) -> Tree:
    """The folder walk of `load.walk` (every file `kubectl apply -R` would read,
    in its order, the files not read named), which also finds kustomization
    roots and charts; what lies inside one is its own."""
    tree = Tree(folder)
    walked = walk_folder(folder, exclude)
    tree.skipped, tree.unread = walked.skipped, walked.unread
    owner: dict[str, str] = {}  # folder -> "kustomization" | "chart" | "" (plain); parents come first
    for current, names in walked.folders:
        current = os.path.normpath(current)
        inherited = owner.get(_parent(current), "") if current != os.path.normpath(folder) else ""
        names = set(names)
        if inherited == "chart":
            owner[current] = "chart"
        elif any(k in names for k in KUSTOMIZATIONS):
            owner[current] = "kustomization"
            tree.roots[os.path.realpath(current)] = read_kustomization(current, shown_path(current))
        elif "Chart.yaml" in names:
            owner[current] = "chart"
            if inherited != "kustomization":  # a chart inside a kustomization is its helmCharts' own
                tree.charts.append(current)
        else:
            owner[current] = inherited
    tree.plain = [s for s in walked.sources if not owner.get(_parent(s.label), "")]
    tree.unread += unlisted(walked)  # files below a kustomization that it does not list
    return tree


def _parent(path: str) -> str:
    return os.path.normpath(os.path.dirname(os.path.normpath(path)) or ".")

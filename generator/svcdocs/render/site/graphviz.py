"""A DiagramSpec drawn with the `diagrams` package and Graphviz's `dot`, as an
SVG that sits inline in a page.

`diagrams` builds the Graphviz source (icons, default looks, clusters), but
never renders: `SourceOnlyDiagram` only collects it, and `dot -Tsvg` runs here,
several at a time. The SVG is then made self-contained and deterministic: no
comments or titles (they carry Graphviz's version and the DOT names), ids
prefixed per diagram, and each icon, which Graphviz links by its absolute path
on this machine, embedded once as a `<symbol>` that every node `<use>`s.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import subprocess
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Callable

import diagrams
import graphviz
from diagrams import Cluster, Diagram, Edge, Node, setdiagram
from diagrams.gcp.compute import Run
from diagrams.gcp.network import LoadBalancing
from diagrams.generic.network import VPN, Router
from diagrams.generic.place import Datacenter
from diagrams.k8s.compute import RS, STS, Cronjob, DaemonSet, Deployment, Job, Pod
from diagrams.k8s.others import CRD
from diagrams.k8s.group import NS
from diagrams.k8s.infra import Node as ClusterNode
from diagrams.k8s.network import Ing, Service
from diagrams.onprem.network import Envoy, Internet, Istio, Nginx, Traefik

from svcdocs.errors import SvcdocsError
from svcdocs.render import palette
from svcdocs.render.escape import visible
from svcdocs.render.palette import EDGE, GHOST, GHOST_TEXT, LEVEL_COLOURS, NEUTRAL
from svcdocs.render.site import figure
from svcdocs.render.site import spec as s
from svcdocs.render.site.names import url_from
from svcdocs.render.site.spec import diagram as spec_diagram

# Part of every cache key, with `dot -V`: the source of what makes a drawn
# block (this module, its colours, the figure around it, how a wide diagram
# is split), so a change to how diagrams are drawn never reuses an old one.
RENDERER_VERSION = hashlib.sha256(b"".join(Path(module.__file__).read_bytes()
                                           for module in (palette, figure, spec_diagram))
                                  + Path(__file__).read_bytes()).hexdigest()[:16]

ICONS = {
    "Internet": Internet, "Network": VPN, "Nodes": ClusterNode, "Namespace": NS, "External": Datacenter,
    "Ingress": Ing, "Gateway": Router, "HTTPRoute": Ing, "GRPCRoute": Ing, "TLSRoute": Ing, "TCPRoute": Ing,
    "UDPRoute": Ing, "Service": Service, "Deployment": Deployment, "StatefulSet": STS, "DaemonSet": DaemonSet,
    "ReplicaSet": RS, "ReplicationController": RS, "Pod": Pod, "Job": Job, "CronJob": Cronjob,
    # The router families (model/routers/), by the kind part of their ids.
    "ListenerSet": Router, "XListenerSet": Router,
    "Gateway.networking.istio.io": Istio, "VirtualService": Istio, "ServiceEntry": Istio,
    "HTTPProxy": Envoy,
    "IngressRoute": Traefik, "IngressRouteTCP": Traefik, "IngressRouteUDP": Traefik, "TraefikService": Traefik,
    "Route": Ing,
    "Service.serving.knative.dev": Run, "DomainMapping": Ing,
    "VirtualServer": Nginx, "VirtualServerRoute": Nginx, "TransportServer": Nginx,
    "MultiClusterIngress": LoadBalancing, "MultiClusterService": Service,
}
# How a Service's type shows besides its label: a double border for a load
# balancer, a heavy one for a port on every node, dashed without a cluster IP.
TYPE_LOOKS = {
    "LoadBalancer": {"peripheries": "2"},
    "NodePort": {"penwidth": "4"},
    "headless": {"style": "rounded,filled,dashed"},
    "ExternalName": {"style": "rounded,filled,dotted", "penwidth": "2.5"},
}
EDGE_LOOKS = {
    "entry": {"penwidth": "2.5"},
    "routes": {"penwidth": "1.8"},
    "attaches": {"penwidth": "1.8"},
    "selects": {"penwidth": "1.3"},
    "calls": {"style": "dashed", "penwidth": "1.2"},
    "aliases": {"style": "dotted", "penwidth": "1.8"},
    "reaches": {"penwidth": "1.5"},
}
NODE_WIDTH = 1.8  # inches; labels wrap to fit
LINE_CHARS = 20
NAME_LINES = 3
EDGE_LINE_CHARS = 60
ICON_PT = 48  # the icon's size in the SVG, whatever room Graphviz made for it
ICON_TOP_PT = 5
# The widest drawing that stays readable fitted to a laptop's page (about
# 1,330 pixels of column at 1,400): its 12-point text at 60% or more. Wider,
# it is laid out top to bottom, and split where that is still too wide.
READABLE_WIDTH_PT = 1650
# A summary of fan-out ("150 workloads") that many Services share would stack
# them in one tall column: past FAN_EDGES edges on one side, they are spread
# over STAGGER columns instead, as Graphviz's `unflatten -l` does.
FAN_EDGES = 12
STAGGER = 5
GRAPH_ATTRS = {"pad": "0.3", "label": "", "ranksep": "0.8", "nodesep": "0.35"}
# What every node shares; `target=_top` leaves an <object> or frame, should one hold the SVG.
NODE_ATTRS = {"style": "rounded,filled", "penwidth": "2", "fontsize": "12", "width": str(NODE_WIDTH),
              "imagepos": "tc", "target": "_top"}
ICON_INCHES = (ICON_PT + ICON_TOP_PT + 4) / 72
# What `dot` is given to lay out, at most. Its time grows with the crossings
# of many edges: a namespace where 40 workloads each call 40 Services (1,640
# edges) ran past 10 minutes, 150 calls between 150 boxes take under a
# second. Past MAX_CALLS_DRAWN, a diagram leaves its calls out (the pages
# list them); past MAX_EDGES_DRAWN, it is not drawn. Both are decided from
# the spec, so the same input draws the same site; DOT_TIMEOUT_S only stops
# what these bounds did not foresee.
MAX_CALLS_DRAWN = 150
MAX_EDGES_DRAWN = 600
DOT_TIMEOUT_S = 60


class TooLarge(Exception):
    """A diagram dot could not lay out in time."""


class SourceOnlyDiagram(Diagram):
    """A Diagram that builds the Graphviz source and never renders or writes a file."""

    def __exit__(self, exc_type, exc_value, traceback):
        setdiagram(None)


def dot_id(object_id: str) -> str:
    """A node name that is stable, readable and safe in DOT and as an XML id."""
    readable = re.sub(r"[^A-Za-z0-9]+", "_", object_id).strip("_")[:60]
    digest = hashlib.sha1(object_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{readable}_{digest}"


def text(value: str) -> str:
    """A label or tooltip that Graphviz takes literally: never an HTML-like
    label, no escape sequences, control and bidi characters made visible."""
    return graphviz.escape(visible(value))


def label(lines: list[str]) -> str:
    return graphviz.nohtml("\\n".join(text(line) for line in lines))


def wrap(value: str, width: int, max_lines: int) -> list[str]:
    """Break at `-`, `.`, `/` or a space where possible; cut with `…` past `max_lines`."""
    lines, line = [], ""
    for token in re.findall(r"[^-./ ]*[-./ ]?", value):
        while len(token) > width:
            if line:
                lines.append(line)
                line = ""
            lines.append(token[:width])
            token = token[width:]
        if len(line) + len(token) > width:
            lines.append(line)
            line = ""
        line += token
    if line:
        lines.append(line)
    lines = [part.rstrip() for part in lines if part.strip()] or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:width - 1] + "…"
    return lines


def to_dot(spec: s.DiagramSpec, direction: str = "LR") -> str:
    """The Graphviz source of a diagram, left to right or top to bottom (TB);
    deterministic for the same spec. Each node has the class `n<i>` (its
    place in the spec) and each edge its kind and `s<i> t<j>`, so that the
    site's script finds the paths into a box."""
    with SourceOnlyDiagram("", direction=direction, show=False, graph_attr=GRAPH_ATTRS, node_attr=NODE_ATTRS,
                           edge_attr={"fontsize": "11"}) as diagram:
        made: dict[str, Node] = {}
        index = {node.id: i for i, node in enumerate(spec.nodes)}
        for node in spec.nodes:
            if not node.cluster:
                made[node.id] = _node(node, spec.page, index[node.id])
        for cluster in spec.clusters:
            with Cluster(text(cluster.label), graph_attr=_cluster_attrs(cluster, spec.page)) as c:
                c.dot.name = "cluster_" + dot_id("namespace/" + cluster.id)
                for node in spec.nodes:
                    if node.cluster == cluster.id:
                        made[node.id] = _node(node, spec.page, index[node.id])
        if spec.grid:
            _grid(diagram, s.grid_rows(spec))
        clusters = {n.id: n.cluster for n in spec.nodes}
        lengths = {} if spec.grid else _staggered(spec)
        for i, edge in enumerate(spec.edges):
            attrs = _edge_attrs(edge)
            attrs["class"] = f"{edge.kind} s{index[edge.source]} t{index[edge.target]}"
            if spec.grid or (edge.kind == "calls" and clusters[edge.source]
                             and clusters[edge.source] == clusters[edge.target]):
                attrs.update(minlen="0", weight="0")  # chains of calls do not stretch the layout
            elif i in lengths:
                attrs["minlen"] = str(lengths[i])
            made[edge.source] >> Edge(**attrs) >> made[edge.target]
    diagram.dot.graph_attr["splines"] = "spline"
    return diagram.dot.source


def _staggered(spec: s.DiagramSpec) -> dict[int, int]:
    """The length (in ranks) of each edge on a side of a summary node with
    more than FAN_EDGES edges, 1 to STAGGER in turn."""
    summaries = {n.id for n in spec.nodes if n.kind == "More"}
    sides: dict[tuple[str, str], list[int]] = {}
    for i, edge in enumerate(spec.edges):
        if edge.target in summaries:
            sides.setdefault(("in", edge.target), []).append(i)
        if edge.source in summaries:
            sides.setdefault(("out", edge.source), []).append(i)
    lengths: dict[int, int] = {}
    for found in sides.values():
        if len(found) > FAN_EDGES:
            for k, i in enumerate(found):
                lengths[i] = 1 + k % STAGGER
    return lengths


def _grid(diagram: Diagram, rows: list[list[str]]) -> None:
    """Rows of nodes, top to bottom, held in place by invisible edges."""
    diagram.dot.graph_attr.update(rankdir="TB", ranksep="0.3")
    for row in rows:
        with diagram.dot.subgraph() as same:
            same.attr(rank="same")
            for left, right in zip(row, row[1:]):
                same.edge(dot_id(left), dot_id(right), style="invis")
    for upper, lower in zip(rows, rows[1:]):
        diagram.dot.edge(dot_id(upper[0]), dot_id(lower[0]), style="invis")


def _node(node: s.Node, page: str, index: int) -> Node:
    name = node.label[0] if node.label else ""
    lines = wrap(name, LINE_CHARS, NAME_LINES) + [wrap(line, LINE_CHARS, 1)[0] for line in node.label[1:]]
    stroke, fill = GHOST if node.look == "ghost" else LEVEL_COLOURS.get(node.level or "", NEUTRAL)
    attrs = {
        "id": dot_id(node.id), "tooltip": label([line for line in (node.tooltip or name, node.why) if line]),
        "shape": "box", "color": stroke, "fillcolor": fill, "fontcolor": stroke,
        "height": f"{ICON_INCHES + 0.08 + 0.19 * len(lines):.2f}",
        "class": f"n{index} level-{node.level or 'none'}",
    }
    if node.look == "ghost":
        attrs.update(style="rounded,filled,dashed", penwidth="1.5", fontcolor=GHOST_TEXT)
    else:
        attrs.update(TYPE_LOOKS.get(node.look, {}))
    if node.link:
        attrs["URL"] = url_from(page, *node.link)
    icon = ICONS.get(node.kind, Node if node.kind == "More" else CRD)  # other kinds: custom resources
    if icon is Node:
        attrs["height"] = f"{0.3 + 0.19 * len(lines):.2f}"
        attrs["labelloc"] = "c"
    return icon(label(lines), nodeid=dot_id(node.id), **attrs)


def _cluster_attrs(cluster: s.Cluster, page: str) -> dict[str, str]:
    attrs = {"label": text(cluster.label), "tooltip": text(cluster.label), "fontsize": "13", "margin": "14"}
    if cluster.ghost:
        attrs.update(bgcolor="#F7F9FA", style="rounded,dashed", fontcolor=GHOST_TEXT)
    if cluster.link:
        attrs.update(URL=url_from(page, *cluster.link), target="_top")
    return attrs


def _edge_attrs(edge: s.Edge) -> dict[str, str]:
    colour, text_colour = (LEVEL_COLOURS[edge.level][0],) * 2 if edge.level else (EDGE, GHOST_TEXT)
    lines = [part for line in edge.label for part in wrap(line, EDGE_LINE_CHARS, 2)]
    attrs = {"color": colour, "fontcolor": text_colour, **EDGE_LOOKS[edge.kind]}
    if lines:
        attrs["label"] = label(lines)
    if edge.tooltip:
        attrs["tooltip"] = text(edge.tooltip)
    return attrs


def drawable(spec: s.DiagramSpec) -> tuple[s.DiagramSpec | None, str]:
    """The diagram as it can be drawn (None: not at all), and a note saying what it leaves out."""
    calls = sum(1 for e in spec.edges if e.kind == "calls")
    note = ""
    if calls > MAX_CALLS_DRAWN:
        spec = replace(spec, edges=tuple(e for e in spec.edges if e.kind != "calls"))
        note = (f"The {calls:,} calls found in environment variables are not drawn here, too many to lay out; "
                "the tables below list them.")
    if len(spec.edges) > MAX_EDGES_DRAWN:
        return None, too_large_note(spec)
    return spec, note


def too_large_note(spec: s.DiagramSpec) -> str:
    return (f"This diagram is too large to draw ({len(spec.nodes):,} boxes, {len(spec.edges):,} arrows); "
            "the tables below list the same.")


# --- dot, and the SVG that comes out ------------------------------------------------

@lru_cache(maxsize=1)
def dot_version(dot: str) -> str:
    """`dot -V` (on stderr); part of the cache key, since layouts change between versions."""
    found = subprocess.run([dot, "-V"], capture_output=True, text=True, check=False)
    return (found.stderr or found.stdout).strip()


def draw(spec: s.DiagramSpec, dot: str,
         started: Callable[[subprocess.Popen], None] = lambda process: None) -> list[tuple[s.DiagramSpec, str]]:
    """The diagram's SVG, left to right. One wider than READABLE_WIDTH_PT is
    laid out top to bottom when that is narrower, and split into parts when
    that is too wide as well (each part in the narrower of the two)."""
    svg = render_svg(to_dot(spec), spec.key, dot, started)
    if spec.grid or width_pt(svg) <= READABLE_WIDTH_PT:
        return [(spec, svg)]
    best = _narrower(svg, render_svg(to_dot(spec, "TB"), spec.key, dot, started))
    parts = s.split(spec, math.ceil(width_pt(best) / READABLE_WIDTH_PT)) if width_pt(best) > READABLE_WIDTH_PT else []
    if len(parts) < 2:
        return [(spec, best)]
    drawn = []
    for part in parts:
        svg = render_svg(to_dot(part), part.key, dot, started)
        if width_pt(svg) > READABLE_WIDTH_PT:
            svg = _narrower(svg, render_svg(to_dot(part, "TB"), part.key, dot, started))
        drawn.append((part, svg))
    return drawn


def width_pt(svg: str) -> float:
    return float(_SIZE.search(svg).group(1))


def _narrower(wide: str, tall: str) -> str:
    return tall if width_pt(tall) < width_pt(wide) else wide


def render_svg(source: str, prefix: str, dot: str,
               started: Callable[[subprocess.Popen], None] = lambda process: None) -> str:
    """Run `dot -Tsvg` (at most DOT_TIMEOUT_S) and make the result inline-able.
    `started` is given the process, so that an interrupted build can stop it."""
    try:
        process = subprocess.Popen([dot, "-Tsvg"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
    except OSError as e:
        raise SvcdocsError(f"cannot run Graphviz {dot}: {e.strerror}") from None
    started(process)
    try:
        stdout, stderr = process.communicate(source.encode("utf-8"), timeout=DOT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise TooLarge(prefix) from None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if process.returncode != 0:
        reason = stderr.decode("utf-8", "replace").strip().splitlines()
        raise SvcdocsError(f"Graphviz dot failed on diagram {prefix}: {reason[-1] if reason else process.returncode}")
    return postprocess(stdout.decode("utf-8"), prefix)


_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.S)
_COMMENT = re.compile(r"<!--.*?-->\n?", re.S)
_TITLE = re.compile(r"<title>[^<]*</title>\n?")
_ID = re.compile(r'\bid="([^"]*)"')
_IMAGE = re.compile(r"<image\b([^>]*)/>")
_ATTR = re.compile(r'([\w:-]+)="([^"]*)"')
_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def postprocess(svg: str, prefix: str) -> str:
    """Self-contained, deterministic SVG: each icon embedded once, ids prefixed,
    no prolog, comments or titles, free to shrink on a narrow screen, and an
    image labelled by the text alternative of its figure (`<prefix>-alt`)."""
    svg = _PROLOG.sub("", svg, count=1)
    svg = _COMMENT.sub("", svg)
    svg = _TITLE.sub("", svg)
    svg = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    icons: dict[str, str] = {}
    svg = _IMAGE.sub(lambda m: _use(m.group(1), prefix, icons), svg)
    if "<image" in svg:
        raise SvcdocsError(f"diagram {prefix}: Graphviz wrote an image element svcdocs cannot embed")
    defs = "".join(_symbol(path, symbol) for path, symbol in sorted(icons.items(), key=lambda kv: kv[1]))
    svg = _SIZE.sub(lambda m: _sized(m, prefix), svg, count=1)
    if defs:
        svg = svg.replace("\n<g ", f"\n<defs>{defs}</defs>\n<g ", 1)
    return svg.strip() + "\n"


def _sized(m: re.Match, prefix: str) -> str:
    """Fitted to the page's width (the script then lets the reader zoom in).
    Not a stop of its own for the Tab key (Chromium makes one of it): its boxes are."""
    return (f'<svg width="{m.group(1)}pt" height="{m.group(2)}pt" role="img" aria-labelledby="{prefix}-alt" '
            f'tabindex="-1" style="max-width:100%;height:auto"')


def _use(attributes: str, prefix: str, icons: dict[str, str]) -> str:
    """A `<use>` of the icon's symbol, drawn ICON_PT wide at the top centre of
    the place Graphviz gave the image (which fills the node's width)."""
    found = dict(_ATTR.findall(attributes))
    path = found.get("xlink:href") or found.get("href") or ""
    symbol = icons.setdefault(path, f"{prefix}-icon-{len(icons)}")
    centre = float(found["x"]) + float(found["width"].removesuffix("px")) / 2
    x, y = centre - ICON_PT / 2, float(found["y"]) + ICON_TOP_PT
    return f'<use xlink:href="#{symbol}" x="{x:.2f}" y="{y:.2f}" width="{ICON_PT}" height="{ICON_PT}"/>'


def _symbol(path: str, symbol: str) -> str:
    uri, width, height = _icon(path)
    return (f'<symbol id="{symbol}" viewBox="0 0 {width} {height}" preserveAspectRatio="xMidYMin meet">'
            f'<image xlink:href="{uri}" width="{width}" height="{height}"/></symbol>')


@lru_cache(maxsize=None)
def _icon(path: str) -> tuple[str, int, int]:
    """A PNG icon of the diagrams package as a data URI, with its size."""
    icon_root = Path(diagrams.__file__).resolve().parent.parent / "resources"
    resolved = Path(path).resolve()
    if icon_root not in resolved.parents:
        raise SvcdocsError(f"diagram icon outside the diagrams package: {path}")
    data = resolved.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SvcdocsError(f"diagram icon is not a PNG: {path}")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii"), width, height

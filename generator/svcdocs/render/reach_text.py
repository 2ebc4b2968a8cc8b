"""`svcdocs reach --format txt|json|csv|md|dot`: the allowed connections, as
netpol-analyzer's `list` prints them, with `--explain`'s reasons.

dot groups the workloads by namespace. Past MAX_DOT_WORKLOADS workloads it
draws classes of equivalent workloads (those the policies treat alike, in one
namespace) instead of each workload, so the drawing grows with what the
policies tell apart.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

from svcdocs.analysis.reach import Connection, Reachability
from svcdocs.analysis.reach.explain import Reason, explain
from svcdocs.analysis.reach.ports import NONE, text, union
from svcdocs.render.escape import dot_string, markdown_text, visible

MAX_DOT_WORKLOADS = 300
DOT_NAMES = 3  # workload names shown on a class's node


def render(fmt: str, pairs: list[Connection], reach: Reachability, explained: bool = False,
           focused: bool = False) -> str:
    reasons = {id(c): explain(reach.engine, c) for c in pairs} if explained else {}
    if fmt == "dot":
        return to_dot(pairs, reach, every_workload=not focused)
    return _FORMATS[fmt](pairs, reasons)


def reason_text(reason: Reason) -> str:
    """One line: which policy (kind, name, file and line) and rule decide a side of a pair."""
    if reason.side == "route":
        return f"route: {reason.subject} sends traffic to {reason.detail}"
    if reason.policy is None:
        if reason.action == "open":
            return f"{reason.side}: open: no policy selects {reason.subject} for {reason.side}"
        return f"{reason.side}: allowed: no policy decides it: {text(reason.conn)}"
    where = f"{policy_name(reason.policy)} ({reason.policy.file}:{reason.policy.line})"
    if reason.rule is None:
        if reason.stage_end == "Pass":
            return (f"{reason.side}: passed on by {where}: it selects {reason.subject} and no rule of its tier "
                    f"decides this: {text(reason.conn)}")
        tail = f": {text(reason.conn)}" if reason.conn != NONE else ""
        return f"{reason.side}: denied by {where}: it selects {reason.subject} and no rule admits this{tail}"
    verb = {"Allow": "allowed by", "Deny": "denied by", "Pass": "passed on to the next tier by"}[reason.action]
    named = f" {reason.rule_name!r}" if reason.rule_name else ""
    narrowed = f" (a {reason.layer7} rule narrows it at layer 7)" if reason.layer7 else ""
    return (f"{reason.side}: {verb} {where}, {reason.side} rule {reason.rule}{named} "
            f"(line {reason.rule_line}): {text(reason.conn)}{narrowed}")


def policy_name(policy) -> str:
    """`NetworkPolicy shop/web`, `AdminNetworkPolicy deny-all`, `NetworkPolicy.projectcalico.org shop/db`."""
    kind = f"{policy.kind}.{policy.group}" if policy.group else policy.kind
    return f"{kind} {policy.namespace}/{policy.name}" if policy.namespace else f"{kind} {policy.name}"


def to_txt(pairs: list[Connection], reasons: dict[int, list[Reason]]) -> str:
    lines = []
    for c in pairs:
        lines.append(visible(f"{c.src.name} => {c.dst.name} : {text(c.conn)}"))
        lines += [visible("    " + reason_text(r)) for r in reasons.get(id(c), ())]
    return "".join(line + "\n" for line in lines)


def to_json(pairs: list[Connection], reasons: dict[int, list[Reason]]) -> str:
    items = []
    for c in pairs:
        item = {"src": c.src.name, "dst": c.dst.name, "conn": text(c.conn)}
        if reasons:
            item["explanation"] = [reason_text(r) for r in reasons[id(c)]]
        items.append(item)
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def to_csv(pairs: list[Connection], reasons: dict[int, list[Reason]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["src", "dst", "conn"] + (["explanation"] if reasons else []))
    for c in pairs:
        row = [c.src.name, c.dst.name, text(c.conn)]
        if reasons:
            row.append("; ".join(reason_text(r) for r in reasons[id(c)]))
        writer.writerow([visible(v) for v in row])
    return out.getvalue()


def to_md(pairs: list[Connection], reasons: dict[int, list[Reason]]) -> str:
    head = "| src | dst | conn |" + (" explanation |" if reasons else "")
    lines = [head, "|-----|-----|------|" + ("-------------|" if reasons else "")]
    for c in pairs:
        cells = [c.src.name, c.dst.name, text(c.conn)]
        row = "| " + " | ".join(markdown_text(v) for v in cells) + " |"
        if reasons:
            row += " " + "<br>".join(markdown_text(reason_text(r)) for r in reasons[id(c)]) + " |"
        lines.append(row)
    return "\n".join(lines) + "\n"


def to_dot(pairs: list[Connection], reach: Reachability, every_workload: bool = True) -> str:
    """Namespaces as clusters, workloads (or classes of them) as boxes, outside
    ranges and the ingress controller as ovals, connections as labelled edges;
    workloads without a connection too, unless `every_workload` is False."""
    engine = reach.engine
    by_class = len(engine.pods) > MAX_DOT_WORKLOADS
    node_of: dict[str, str] = {}
    members: dict[str, list[str]] = defaultdict(list)
    cluster_of: dict[str, str | None] = {}
    for pod in engine.pods:
        node = f"class/{pod.namespace}/{engine.pod_class(pod).id}" if by_class else pod.endpoint
        node_of[pod.endpoint] = node
        if pod.endpoint not in members[node]:
            members[node].append(pod.endpoint)
        cluster_of[node] = pod.namespace
    edges: dict[tuple[str, str], tuple] = {}
    for c in pairs:
        source = node_of.get(c.src.name, c.src.name)
        target = node_of.get(c.dst.name, c.dst.name)
        for end in (source, target):
            cluster_of.setdefault(end, None)
        edges[(source, target)] = union(edges.get((source, target), NONE), c.conn)
    lines = ["digraph reach {", '  rankdir="LR";', '  node [shape="box", style="rounded"];']
    namespaces: dict[str | None, list[str]] = defaultdict(list)
    connected = {end for pair in edges for end in pair}
    for node, namespace in cluster_of.items():
        if node in connected or (every_workload and namespace is not None):
            namespaces[namespace].append(node)
    for namespace in sorted(namespaces, key=lambda n: (n is None, n or "")):
        indent = "    " if namespace is not None else "  "
        if namespace is not None:
            lines.append(f"  subgraph {dot_string('cluster_' + namespace)} {{")
            lines.append(f"    label={dot_string('namespace ' + namespace)};")
        for node in sorted(namespaces[namespace]):
            lines.append(f"{indent}{dot_string(node)} [{_dot_node(node, members.get(node), by_class)}];")
        if namespace is not None:
            lines.append("  }")
    for (source, target), conn in sorted(edges.items()):
        lines.append(f"  {dot_string(source)} -> {dot_string(target)} [label={dot_string(text(conn))}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_node(node: str, names: list[str] | None, by_class: bool) -> str:
    if names is None:  # an address range or the ingress controller
        return f'label={dot_string(node)}, shape="oval"'
    if not by_class:
        return f"label={dot_string(node.split('/', 1)[-1])}"
    shown = [n.split("/", 1)[-1] for n in names[:DOT_NAMES]]
    more = f"\\nand {len(names) - DOT_NAMES} more" if len(names) > DOT_NAMES else ""
    count = f"{len(names)} workload{'s' * (len(names) != 1)}"
    return "label=" + '"' + "\\n".join(dot_string(p)[1:-1] for p in (count, *shown)) + more + '"'


_FORMATS = {"txt": to_txt, "json": to_json, "csv": to_csv, "md": to_md}

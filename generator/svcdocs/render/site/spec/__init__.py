"""What each diagram of the site shows, as data: nodes, edges, clusters.

A `DiagramSpec` is built from the report alone and rendered by one function to
Graphviz SVG and by another to Mermaid; the tests compare specs, not pixels.
Labels here are raw text from the manifests; each renderer escapes them.

One module per kind of diagram, none above `MAX_NODES` nodes however large
the input:

- `overview`: the Internet (and private network, cluster nodes) leading into
  each namespace, with how (Ingress hosts, LoadBalancers, NodePorts), the calls
  between namespaces and the names outside the cluster;
- `entrypoints`: source -> Ingress or Gateway and route -> Service -> workloads;
- `namespace`: one per namespace, its Services, workloads, routers and entry
  points, with the neighbours in other namespaces that call or are called,
  drawn faded;
- `reachability`: one per namespace with NetworkPolicies, who reaches its
  workloads and whom they reach.

They share `diagram` (the data, and how a spec is assembled), `builder` (a
node per object, the edges that lead in) and `fanout`: selectors that match
many workloads would make Services x workloads edges, so the workloads of a
Service that selects more than FANOUT are drawn as one node ("150
workloads", shared by the Services that select exactly those), and the
Services of a workload that more than FANIN select as one node, so that a
diagram's nodes and edges grow with the objects, not with the edges.

NetworkPolicies are not drawn as edges (a default deny selects every pod):
a workload that a policy selects says `isolated`, and the cluster label counts
the policies.
"""

from __future__ import annotations

from svcdocs.pipeline import Report
from svcdocs.render.site.names import SiteMap
from svcdocs.render.site.spec.builder import Builder, entry_label, first_hops, kind_label, port_chain, route_label
from svcdocs.render.site.spec.diagram import (MAX_NODES, SOURCE_KINDS, SOURCES, Cluster, DiagramSpec, Edge, Node,
                                              grid_rows, split)
from svcdocs.render.site.spec.entrypoints import exposure_diagrams
from svcdocs.render.site.spec.fanout import FANIN, FANOUT
from svcdocs.render.site.spec.namespace import namespace_diagrams
from svcdocs.render.site.spec.overview import overview_diagram
from svcdocs.render.site.spec.reachability import reach_diagram

__all__ = ["FANIN", "FANOUT", "MAX_NODES", "SOURCE_KINDS", "SOURCES", "Builder", "Cluster", "DiagramSpec", "Edge",
           "Node", "entry_label", "first_hops", "grid_rows", "kind_label", "port_chain", "route_label",
           "site_diagrams", "split"]


def site_diagrams(report: Report, sitemap: SiteMap) -> tuple[DiagramSpec, ...]:
    b = Builder(report, sitemap)
    specs = [overview_diagram(b), *exposure_diagrams(b)]
    # Without a single policy (of any kind) every pod reaches every pod: a diagram
    # per namespace would only draw that, again and again (the page's table says it).
    policies = bool(report.model.network_policies or report.model.policies)
    for namespace in sorted(sitemap.namespaces):
        if policies and namespace in b.report.analysis.reach.namespaces_with_workloads:
            specs.append(reach_diagram(b, namespace))
        specs += namespace_diagrams(b, namespace)
    return tuple(specs)


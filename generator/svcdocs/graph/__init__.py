"""Graph: the objects as nodes, and typed edges between them.

Edges: `routes` (Ingress or route to Service, with host, path and port),
`attaches` (a router to what it hangs on: a Gateway or listener, the router
that delegates to it, a mesh Service), `selects` (Service to workload, with
`port -> targetPort -> containerPort`), `configures` (an Istio Gateway to the
proxy pods its selector picks, with its server ports), `aliases`
(ExternalName Service or Istio ServiceEntry to an `External/<dns-name>`
node), `calls` (workload to a Service that an env value names; the variable
names are kept, never the value) and `isolates` (NetworkPolicy to workload).
Besides the edges, `hops` are every router's ways resolved across objects
(graph/routing.py): what the analysis and the rules read routing from.
"""

from svcdocs.graph.build import build_graph
from svcdocs.graph.labels import CONTROLLER_LABEL_KEYS, LabelIndex
from svcdocs.graph.routing import Hop, Routing
from svcdocs.graph.types import EDGE_KINDS, INTERNET, Edge, Graph, PortMapping, Synthetic

__all__ = ["CONTROLLER_LABEL_KEYS", "EDGE_KINDS", "INTERNET", "Edge", "Graph", "Hop", "LabelIndex", "PortMapping",
           "Routing", "Synthetic", "build_graph"]

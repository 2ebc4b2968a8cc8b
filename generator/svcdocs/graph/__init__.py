"""Graph: the objects as nodes, and typed edges between them.

Edges: `routes` (Ingress or route to Service, with host, path and port),
`attaches` (route to its parent Gateway), `selects` (Service to workload, with
`port -> targetPort -> containerPort`), `aliases` (ExternalName Service to an
`External/<dns-name>` node), `calls` (workload to a Service that an env value
names; the variable names are kept, never the value) and `isolates`
(NetworkPolicy to workload).
"""

from svcdocs.graph.build import build_graph
from svcdocs.graph.labels import CONTROLLER_LABEL_KEYS, LabelIndex
from svcdocs.graph.types import EDGE_KINDS, INTERNET, Edge, Graph, PortMapping, Synthetic

__all__ = ["CONTROLLER_LABEL_KEYS", "EDGE_KINDS", "INTERNET", "Edge", "Graph", "LabelIndex", "PortMapping",
           "Synthetic", "build_graph"]

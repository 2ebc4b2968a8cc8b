"""Load: paths, stdin and rendered kustomizations or charts into YAML documents.

This is the lowest stage. It knows files and YAML, nothing of Kubernetes kinds
beyond what it needs to skip kustomize and Helm configuration. Every document it
reads is either returned (with its file and first line) or reported as a
`Problem`; nothing is dropped silently.
"""

from svcdocs.load.sources import Discovered, Source, discover
from svcdocs.load.yamldocs import Document, Parsed, Problem, parse

__all__ = ["Discovered", "Document", "Parsed", "Problem", "Source", "discover", "parse"]

"""Load: paths, stdin and rendered kustomizations or charts into YAML documents.

This is the lowest stage. It knows files and YAML, nothing of Kubernetes kinds
beyond what it needs to skip kustomize and Helm configuration. Every document it
reads is either returned (with its file and first line) or reported as a
`Problem`, and every file `kubectl apply -R -f` would read is either read or
named as `Unread`; nothing is dropped silently.
"""

from svcdocs.load.discover import discover
from svcdocs.load.problems import Problem, Unread
from svcdocs.load.sources import Discovered, LoadOptions, Rendering, Source
from svcdocs.load.yamldocs import Document, Parsed, parse

__all__ = ["Discovered", "Document", "LoadOptions", "Parsed", "Problem", "Rendering", "Source", "Unread",
           "discover", "parse"]

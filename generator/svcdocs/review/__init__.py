"""Review: what a change to the manifests does to the architecture (`svcdocs diff`).

`review(base, head)` compares two reports: exposure raised or lowered, entry
points added and removed, objects and edges added, removed or changed, findings
new and resolved, and the changed part of the graph for a diagram.
"""

from svcdocs.review.content import FieldChange
from svcdocs.review.coverage import INERT_KINDS, RenderingChange, UnmodelledChange, UnreadChange, Unseen, unseen_changes
from svcdocs.review.diff import Change, EdgeChange, EntryPointChange, ExposureChange, FindingChange, Review, review
from svcdocs.review.part import ENTRY, ChangedPart, PartEdge, PartNode
from svcdocs.review.reach import ReachChange
from svcdocs.review.verdict import verdict

__all__ = [
    "ENTRY", "INERT_KINDS", "Change", "ChangedPart", "EdgeChange", "EntryPointChange", "ExposureChange",
    "FieldChange", "FindingChange", "PartEdge", "PartNode", "ReachChange", "RenderingChange", "Review",
    "UnmodelledChange", "UnreadChange", "Unseen", "review", "unseen_changes", "verdict",
]

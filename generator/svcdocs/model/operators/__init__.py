"""Custom resources that make pods: workloads whose pods an operator makes.

One module per operator family maps its resources onto the groups of pods the
operator makes, with the labels its documentation gives them; `fallback`
recognises the pod label map of any other custom resource. Downstream stages
see workloads, never families. Adding a family is one module here, listed in
`FAMILIES`.
"""

from __future__ import annotations

from svcdocs.model.operators import (
    cloudnativepg, crunchy, eck, fallback, mongodb, prometheus, rabbitmq, strimzi, zalando,
)
from svcdocs.model.operators.common import Made

FAMILIES = (prometheus, cloudnativepg, eck, strimzi, rabbitmq, zalando, crunchy, mongodb)
_MAKERS = {key: maker for family in FAMILIES for key, maker in family.KINDS.items()}

# Label keys that the known operators set on the pods they make, and which
# operator: a selector that uses one selects pods no manifest describes.
OPERATOR_LABEL_KEYS: dict[str, str] = {key: family.OPERATOR for family in FAMILIES for key in sorted(family.LABEL_KEYS)}

__all__ = ["FAMILIES", "OPERATOR_LABEL_KEYS", "Made", "pods_made"]


def pods_made(r, root: dict, meta: dict, group: str | None) -> Made | None:
    """What an operator makes from this custom resource, or None."""
    maker = _MAKERS.get((group, meta["kind"]))
    if maker is not None:
        return maker(r, root, meta)
    return fallback.pods_made(r, root, meta, group)

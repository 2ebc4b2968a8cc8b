"""The one sentence on policies svcdocs reads but does not apply, said at the
top of `reach`, `check` and the site: what they allow or deny is in no answer."""

from __future__ import annotations

from svcdocs.render.escape import visible


def unapplied(kinds: tuple[tuple[str, int], ...]) -> str:
    """`3 objects of policy kinds that svcdocs does not apply (AuthorizationPolicy
    (security.istio.io) 2, Server (policy.linkerd.io) 1): ...`, or "" for none."""
    if not kinds:
        return ""
    count = sum(n for _, n in kinds)
    listed = ", ".join(f"{visible(kind)} {n}" for kind, n in kinds)
    objects = "1 object" if count == 1 else f"{count:,} objects"
    return (f"{objects} of policy kinds that svcdocs does not apply ({listed}): the connections they allow or deny "
            f"are not in reach, in the ways in or in the policy rules")


def parts_not_applied(policies) -> list[str]:
    """One line per part of a policy that svcdocs reads but does not apply
    (a Cilium `fromRequires`, a Calico host-endpoint policy)."""
    found = []
    for policy in policies:
        kind = f"{policy.kind}.{policy.group}" if policy.group else policy.kind
        name = f"{policy.namespace}/{policy.name}" if policy.namespace else policy.name
        found += [f"{visible(policy.file)}:{policy.line}: {kind} {visible(name)}: {visible(note)}" for note in policy.notes]
    return found

"""What a pull request may put on helm's command line, checked as Helm checks it.

Everything svcdocs passes to helm comes after the flags and a `--`, or inside
one `--flag=value` argument, so no text from a manifest can become a flag. The
names themselves are still checked first, so that a refusal says what is wrong
in the user's terms: a release name is what Helm accepts (a DNS-1123 subdomain
of at most 53 characters), a namespace a DNS-1123 label, and a chart reference
never starts with `-`.
"""

from __future__ import annotations

import hashlib
import re

MAX_RELEASE = 53  # Helm's limit: a release name goes into labels and resource names
_RELEASE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_NAMESPACE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_CHART_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+-]*")
_URL = re.compile(r"(https?|oci)://[^\s\x00-\x1f\x7f]+")
MAX_SHOWN = 80


class Refused(ValueError):
    """A name helm must not be given; the message says why."""


def shown(text: str) -> str:
    return repr(text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…")


def release_name(name: str) -> str:
    """`name` when Helm accepts it as a release name; else Refused."""
    if not name:
        raise Refused("the release has no name")
    if len(name) > MAX_RELEASE:
        raise Refused(f"release name {shown(name)} is {len(name)} characters long; Helm allows at most {MAX_RELEASE}")
    if not _RELEASE.fullmatch(name):
        raise Refused(f"release name {shown(name)} is not one Helm accepts (lowercase letters, digits, '-' "
                      "and '.', starting and ending with a letter or digit)")
    return name


def flux_release_name(name: str, target_namespace: str = "") -> str:
    """The release name helm-controller gives a HelmRelease without
    `releaseName`: `[targetNamespace-]name`, shortened as Flux shortens it
    when longer than Helm allows (40 characters, a dash, 12 of its digest)."""
    full = f"{target_namespace}-{name}" if target_namespace else name
    if len(full) <= MAX_RELEASE:
        return full
    return f"{full[:40]}-{hashlib.sha256(full.encode()).hexdigest()[:12]}"


def namespace(name: str) -> str:
    if name and (len(name) > 63 or not _NAMESPACE.fullmatch(name)):
        raise Refused(f"namespace {shown(name)} is not a Kubernetes namespace name")
    return name


def chart_name(name: str) -> str:
    """A chart's name in a chart repository (`podinfo`)."""
    if not name or not _CHART_NAME.fullmatch(name):
        raise Refused(f"chart {shown(name)} is not a chart name svcdocs passes to helm")
    return name


def chart_path(path: str) -> str:
    """A chart folder as written in a manifest: never anything helm could take for a flag."""
    if not path.strip() or path.lstrip().startswith("-") or any(c in path for c in "\0\n\r"):
        raise Refused(f"chart {shown(path)} is not a path svcdocs passes to helm")
    return path


def repository_url(url: str) -> str:
    """A chart repository's URL: https://, http:// or oci://, one word."""
    if not _URL.fullmatch(url):
        raise Refused(f"chart repository {shown(url)} is not an http(s):// or oci:// URL")
    return url


def version(text: str) -> str:
    """A version or a constraint (`6.9.3`, `>=1.0.0 <2`, `6.x`): no control characters, never a flag."""
    if text.startswith("-") or any(ord(c) < 32 for c in text) or len(text) > 200:
        raise Refused(f"chart version {shown(text)} is not a version or a constraint")
    return text

"""What the browser tests share: one build of each site for the whole run,
made when a test first asks for it (whichever test module that is)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Callable

from conftest import ROOT

_BUILT: dict[str, Path] = {}


def site(tmp_path_factory, name: str, make: Callable[[Path], None]) -> Path:
    """The folder of the site called `name`, built by `make(folder)` the first
    time any test of the run asks for it."""
    if name not in _BUILT:
        out = tmp_path_factory.mktemp(f"e2e-{name}") / "site"
        make(out)
        _BUILT[name] = out
    return _BUILT[name]


def generated_manifests(tmp_path_factory, services: int = 200) -> Path:
    """`services` Services, 50 to a namespace, from the project's own corpus
    generator (bench/corpus.py: Ingresses, LoadBalancers, NodePorts,
    ExternalNames, StatefulSets, NetworkPolicies)."""
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    out = tmp_path_factory.mktemp(f"corpus-{services}")
    corpus.generate(services, str(out))
    return out

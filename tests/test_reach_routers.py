"""Ways in through a custom router: the traffic comes from the router's own
controller pods when the input holds them (an Istio Gateway's are the pods its
selector picks), and the NetworkPolicies decide whether it gets in."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "reach" / "istio-mesh-gateway.yaml"  


@pytest.mark.parametrize("admitted, state, level", [("gw", "open", "internet"), ("other", "blocked", "cluster")])
def test_an_istio_gateway_carries_the_virtualservice_traffic_from_its_own_pods(graph_json, admitted, state, level):
    doc = graph_json(FIXTURE.read_text(encoding="utf-8").replace("GATEWAY_POD", admitted))
    entry = next(e for e in doc["entrypoints"] if e["via"] == "VirtualService/shop/web")
    assert entry["service"] == "Service/shop/web" and entry["policy"] == state
    assert doc["exposure"]["Deployment/shop/web"] == "internet"
    assert doc["effective_exposure"]["Deployment/shop/web"] == level

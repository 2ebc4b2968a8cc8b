"""unresolved-target-port on Istio gateway-injected pods: the proxy listens on
the ports of the Istio Gateway servers that select the pod, as the gateway's
Service translates them (issue 12 meets issue 11's Istio Gateway model)."""

from __future__ import annotations

GATEWAY_PODS = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingressgateway, namespace: istio-ingress}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata:
      annotations: {inject.istio.io/templates: gateway}
      labels: {istio: ingressgateway}
    spec:
      containers:
        - name: istio-proxy
          image: auto
          ports: [{name: status-port, containerPort: 15021}]
---
apiVersion: v1
kind: Service
metadata: {name: ingressgateway, namespace: istio-ingress}
spec:
  selector: {istio: ingressgateway}
  ports:
    - {name: status-port, port: 15021}
    - {name: http2, port: 80, targetPort: 8080}
    - {name: https, port: 443, targetPort: 8443}
%s"""
ISTIO_GATEWAY = """
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: web, namespace: istio-ingress}
spec:
  selector: {istio: ingressgateway}
  servers:
    - port: {number: 80, name: http, protocol: HTTP}
      hosts: ["*"]
    - port: {number: 443, name: https, protocol: HTTPS}
      hosts: ["*"]
      tls: {mode: SIMPLE, credentialName: web-cert}
"""


def _stale(report) -> list[str]:
    return [f.message for f in report.findings if f.rule == "unresolved-target-port"]


TCP_PORT = "    - {name: tcp, port: 31400, targetPort: 31400}\n"


def test_server_ports_translated_by_the_gateway_service_are_declared(manifests):
    assert _stale(manifests(GATEWAY_PODS % "" + ISTIO_GATEWAY)) == []


def test_a_service_port_that_no_server_listens_on_is_stale(manifests):
    messages = _stale(manifests(GATEWAY_PODS % TCP_PORT + ISTIO_GATEWAY))
    assert len(messages) == 1 and "targetPort 31400" in messages[0]


def test_without_an_istio_gateway_the_proxy_ports_are_unknown(manifests):
    assert _stale(manifests(GATEWAY_PODS % TCP_PORT)) == []

"""What the kinds svcdocs does not read are for, so that each is said where
it belongs: a router (a way in svcdocs cannot see: the `router-kinds`
advice), a policy (which decides who may connect: the policy notice), mesh
routing (traffic between workloads inside the cluster, never a way in), or
configuration that routes nothing (plugins, consumers, TLS and upstream
settings, certificates, controllers' own settings), counted quietly.

The table is by API group and kind, with a role for a whole group where all
its kinds do the same. A kind that no row names is judged by its content: it
looks like routing only when its spec names hosts and a backend (a field
such as `host`, `hosts`, `hostname`, `domains` or `fqdn`, and one such as
`service`, `serviceName`, `backend`, `backendRefs` or `upstream`). Only the
names of fields are read, never their values.
"""

from __future__ import annotations

import yaml
from yaml import MappingNode, SequenceNode

ROUTER = "router"  # opens ways in from outside, and svcdocs does not read it
MESH = "mesh"  # routes between workloads of the cluster; opens no way in
POLICY = "policy"  # decides who may connect
CONFIG = "config"  # routes nothing by itself
ROLES = (ROUTER, MESH, POLICY, CONFIG)

# Whole groups whose every kind has one role.
GROUP_ROLES: dict[str, str] = {
    "cert-manager.io": CONFIG,
    "acme.cert-manager.io": CONFIG,
    "trust.cert-manager.io": CONFIG,
    "external-secrets.io": CONFIG,
    "generators.external-secrets.io": CONFIG,
    "bitnami.com": CONFIG,  # SealedSecret
    "secrets-store.csi.x-k8s.io": CONFIG,
    "monitoring.coreos.com": CONFIG,  # the workloads among them are read as operator workloads first
    "autoscaling.k8s.io": CONFIG,
    "keda.sh": CONFIG,
    "security.istio.io": POLICY,  # AuthorizationPolicy, PeerAuthentication, RequestAuthentication
    "telemetry.istio.io": CONFIG,
    "extensions.istio.io": CONFIG,
    "policy.networking.k8s.io": POLICY,  # AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy
    "projectcalico.org": POLICY,
    "crd.projectcalico.org": POLICY,
    "access.smi-spec.io": POLICY,  # TrafficTarget
    "specs.smi-spec.io": CONFIG,  # HTTPRouteGroup, TCPRoute: what a TrafficTarget or TrafficSplit matches
    "split.smi-spec.io": MESH,  # TrafficSplit
    "linkerd.io": CONFIG,  # ServiceProfile
    "link.l5d.io": CONFIG,
    "configuration.konghq.com": CONFIG,  # KongPlugin, KongConsumer, KongUpstreamPolicy, ...: TCPIngress and UDPIngress are read
    "incubator.ingress-controller.konghq.com": CONFIG,  # KongServiceFacade is read
    "apisix.apache.org": CONFIG,  # ApisixUpstream, ApisixPluginConfig, ApisixConsumer, GatewayProxy, ...: ApisixRoute and ApisixTls are read
    "getambassador.io": CONFIG,  # Module, AuthService, RateLimitService, TLSContext, resolvers: Mapping, TCPMapping, Host, Listener are read
    "ingress.v1.haproxy.org": CONFIG,  # Backend, Defaults, Global: TCP is read
    "ingress.v3.haproxy.org": CONFIG,  # Backend, Defaults, Global, Frontend, ValidationRules: TCP is read
    "core.haproxy.org": CONFIG,
    "cloud.google.com": CONFIG,  # BackendConfig
    "networking.internal.knative.dev": CONFIG,  # Knative's own Ingresses and ServerlessServices, made from the Services read
    "gloo.solo.io": CONFIG,  # Upstream, Settings
    "enterprise.gloo.solo.io": CONFIG,
    "gateway.envoyproxy.io": CONFIG,  # EnvoyProxy, ClientTrafficPolicy, BackendTrafficPolicy, SecurityPolicy, ...
    "kuma.io": CONFIG,
    "appmesh.k8s.aws": MESH,  # VirtualNode, VirtualRouter, VirtualService (VirtualGateway and GatewayRoute below)
    "vpcresources.k8s.aws": CONFIG,
    "networking.k8s.aws": POLICY,  # PolicyEndpoint, made by the AWS network policy agent
    "snapshot.storage.k8s.io": CONFIG,
    "argoproj.io": CONFIG,  # Application, ApplicationSet, AppProject, Rollout (a Rollout is read as a workload first)
    "source.toolkit.fluxcd.io": CONFIG,
    "kustomize.toolkit.fluxcd.io": CONFIG,
    "helm.toolkit.fluxcd.io": CONFIG,
    "notification.toolkit.fluxcd.io": CONFIG,
    "image.toolkit.fluxcd.io": CONFIG,
}

# Kinds whose role differs from their group's, or whose group has no row.
KIND_ROLES: dict[tuple[str, str], str] = {
    # Kinds of the router families that route nothing themselves.
    ("networking.k8s.io", "IngressClass"): CONFIG,
    ("extensions", "IngressClass"): CONFIG,
    ("config.istio.io", "ProxyConfig"): CONFIG,
    ("k8s.nginx.org", "Policy"): CONFIG,
    ("k8s.nginx.org", "GlobalConfiguration"): CONFIG,
    ("networking.istio.io", "DestinationRule"): CONFIG,
    ("networking.istio.io", "Sidecar"): CONFIG,
    ("networking.istio.io", "EnvoyFilter"): CONFIG,
    ("networking.istio.io", "WorkloadEntry"): CONFIG,
    ("networking.istio.io", "WorkloadGroup"): CONFIG,
    ("networking.istio.io", "ProxyConfig"): CONFIG,
    # Linkerd: its routes attach to a Server, inside the mesh.
    ("policy.linkerd.io", "Server"): POLICY,
    ("policy.linkerd.io", "ServerAuthorization"): POLICY,
    ("policy.linkerd.io", "AuthorizationPolicy"): POLICY,
    ("policy.linkerd.io", "MeshTLSAuthentication"): POLICY,
    ("policy.linkerd.io", "NetworkAuthentication"): POLICY,
    ("policy.linkerd.io", "EgressNetwork"): POLICY,
    ("policy.linkerd.io", "HTTPLocalRateLimitPolicy"): CONFIG,
    ("policy.linkerd.io", "HTTPRoute"): MESH,
    ("policy.linkerd.io", "GRPCRoute"): MESH,
    # Cilium: policies, address pools and announcements, and L7 proxy configuration.
    ("cilium.io", "CiliumNetworkPolicy"): POLICY,
    ("cilium.io", "CiliumClusterwideNetworkPolicy"): POLICY,
    ("cilium.io", "CiliumCIDRGroup"): POLICY,
    ("cilium.io", "CiliumLoadBalancerIPPool"): CONFIG,
    ("cilium.io", "CiliumBGPPeeringPolicy"): CONFIG,
    ("cilium.io", "CiliumBGPClusterConfig"): CONFIG,
    ("cilium.io", "CiliumBGPPeerConfig"): CONFIG,
    ("cilium.io", "CiliumBGPAdvertisement"): CONFIG,
    ("cilium.io", "CiliumL2AnnouncementPolicy"): CONFIG,
    ("cilium.io", "CiliumEgressGatewayPolicy"): CONFIG,
    ("cilium.io", "CiliumLocalRedirectPolicy"): CONFIG,
    ("cilium.io", "CiliumNodeConfig"): CONFIG,
    ("cilium.io", "CiliumEnvoyConfig"): ROUTER,
    ("cilium.io", "CiliumClusterwideEnvoyConfig"): ROUTER,
    # Routers of other projects, which svcdocs does not read.
    ("gateway.solo.io", "VirtualService"): ROUTER,
    ("gateway.solo.io", "RouteTable"): ROUTER,
    ("gateway.solo.io", "Gateway"): ROUTER,
    ("gateway.solo.io", "MatchableHttpGateway"): ROUTER,
    ("gateway.solo.io", "VirtualHostOption"): CONFIG,
    ("gateway.solo.io", "RouteOption"): CONFIG,
    ("appmesh.k8s.aws", "VirtualGateway"): ROUTER,
    ("appmesh.k8s.aws", "GatewayRoute"): ROUTER,
    ("elbv2.k8s.aws", "TargetGroupBinding"): ROUTER,  # a Service behind a load balancer made elsewhere
    ("elbv2.k8s.aws", "IngressClassParams"): CONFIG,
    ("consul.hashicorp.com", "IngressGateway"): ROUTER,
    ("consul.hashicorp.com", "APIGateway"): ROUTER,
    ("consul.hashicorp.com", "ServiceIntentions"): POLICY,
    ("consul.hashicorp.com", "ServiceRouter"): MESH,
    ("consul.hashicorp.com", "ServiceSplitter"): MESH,
    ("consul.hashicorp.com", "ServiceResolver"): MESH,
    ("consul.hashicorp.com", "TerminatingGateway"): MESH,
    ("consul.hashicorp.com", "ServiceDefaults"): CONFIG,
    ("consul.hashicorp.com", "ProxyDefaults"): CONFIG,
    ("consul.hashicorp.com", "Mesh"): CONFIG,
    ("networking.x-k8s.io", "Gateway"): ROUTER,  # Gateway API's first alpha
    ("networking.x-k8s.io", "HTTPRoute"): ROUTER,
    ("networking.x-k8s.io", "TCPRoute"): ROUTER,
    ("networking.x-k8s.io", "TLSRoute"): ROUTER,
    ("networking.x-k8s.io", "UDPRoute"): ROUTER,
    ("networking.x-k8s.io", "GatewayClass"): CONFIG,
    ("networking.x-k8s.io", "BackendPolicy"): CONFIG,
    ("getambassador.io", "KubernetesEndpointResolver"): CONFIG,
    ("getambassador.io", "DevPortal"): CONFIG,
    ("gateway.getambassador.io", "Mapping"): ROUTER,
}

HOST_FIELDS = frozenset({"host", "hosts", "hostname", "hostnames", "domain", "domains", "fqdn", "virtualhost",
                         "virtualhosts", "sni", "servername", "servernames"})
BACKEND_FIELDS = frozenset({"service", "servicename", "services", "serviceref", "backend", "backends",
                            "backendref", "backendrefs", "upstream", "upstreams", "destination", "destinations",
                            "forwardto", "targetref"})
MAX_FIELDS = 2_000  # fields looked at in one object: enough for any router, bounded for a hostile one
MAX_DEPTH = 8


def role_of(group: str | None, kind: str) -> str | None:
    """The role the table gives a kind, or None when it names neither the kind nor its group."""
    return KIND_ROLES.get((group or "", kind)) or GROUP_ROLES.get(group or "")


def looks_like_routing(spec: yaml.Node | None) -> bool:
    """Whether a spec names hosts and a backend: field names only, at most
    MAX_FIELDS of them, no deeper than MAX_DEPTH."""
    names: set[str] = set()
    pending = [(spec, 0)] if spec is not None else []
    seen = 0
    while pending and seen < MAX_FIELDS:
        node, depth = pending.pop()
        if depth > MAX_DEPTH:
            continue
        if isinstance(node, MappingNode):
            for key, value in node.value:
                seen += 1
                if isinstance(key, yaml.ScalarNode):
                    names.add(key.value.lower())
                pending.append((value, depth + 1))
        elif isinstance(node, SequenceNode):
            pending.extend((item, depth + 1) for item in node.value[:MAX_FIELDS])
    return bool(names & HOST_FIELDS) and bool(names & BACKEND_FIELDS)

"""Load balancer schemes: whether a cloud gives a load balancer a public or a
private address, by what its documentation says of the annotations, the
class, and the default when nothing is said.

One table for Services of type LoadBalancer (`SERVICE_SCHEMES`) and one for
the Ingress and Gateway classes whose controller is the cloud's own load
balancer (`CLASS_SCHEMES`). Each row cites the provider's documentation. The
first row that applies decides; a Service that no row claims is public, as
every cloud's in-tree controller makes it by default.
"""

from __future__ import annotations

from dataclasses import dataclass

from svcdocs.model.objects import Pairs

PUBLIC, PRIVATE = "internet", "network"

AWS_LB_TYPE = "service.beta.kubernetes.io/aws-load-balancer-type"
AWS_LB_SCHEME = "service.beta.kubernetes.io/aws-load-balancer-scheme"
AWS_LB_INTERNAL = "service.beta.kubernetes.io/aws-load-balancer-internal"
AWS_NLB_CLASS = "service.k8s.aws/nlb"
ALB_SCHEME = "alb.ingress.kubernetes.io/scheme"
APPGW_PRIVATE_IP = "appgw.ingress.kubernetes.io/use-private-ip"


@dataclass(frozen=True, slots=True)
class Scheme:
    """One documented way to choose a load balancer's address.

    The row applies when `key` is set (or, with `when`, when that
    annotation has one of those values, or `classes` names the Service's
    loadBalancerClass); its level is PRIVATE for the `private` values (None:
    any value but "false"), PUBLIC for the `public` values, else `default`
    (None: the row says nothing, the next one decides)."""

    provider: str
    key: str
    private: frozenset[str] | None = frozenset({"true"})
    public: frozenset[str] = frozenset()
    default: str | None = None
    when: tuple[str, frozenset[str]] | None = None
    classes: frozenset[str] = frozenset()

    def applies(self, annotations: dict[str, str], load_balancer_class: str | None) -> bool:
        if load_balancer_class is not None and load_balancer_class in self.classes:
            return True
        if self.when is not None:
            key, values = self.when
            return annotations.get(key, "").strip().lower() in values
        return self.key in annotations

    def level(self, annotations: dict[str, str]) -> str | None:
        value = annotations.get(self.key)
        if value is None:
            return self.default
        value = value.strip().lower()
        if value in self.public:
            return PUBLIC
        if (self.private is None and value != "false") or (self.private is not None and value in self.private):
            return PRIVATE
        return self.default if self.public else PUBLIC


SERVICE_SCHEMES: tuple[Scheme, ...] = (
    # AWS Load Balancer Controller, NLB (`aws-load-balancer-type: external`, or the older `nlb-ip`, or
    # loadBalancerClass service.k8s.aws/nlb): internal unless the scheme is internet-facing.
    # https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/nlb/
    # https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/#lb-scheme
    Scheme("AWS Load Balancer Controller", AWS_LB_SCHEME, private=frozenset({"internal"}),
           public=frozenset({"internet-facing"}), default=PRIVATE,
           when=(AWS_LB_TYPE, frozenset({"external", "nlb-ip"})), classes=frozenset({AWS_NLB_CLASS})),
    # AWS in-tree (cloud-provider-aws): internet-facing unless aws-load-balancer-internal is set (any value
    # but "false").
    # https://cloud-provider-aws.sigs.k8s.io/service_controller/#annotations
    # https://kubernetes.io/docs/reference/labels-annotations-taints/#service-beta-kubernetes-io-aws-load-balancer-internal
    Scheme("AWS", AWS_LB_INTERNAL, private=None),
    # The scheme annotation, read as the in-tree controller's users write it.
    Scheme("AWS", AWS_LB_SCHEME, private=frozenset({"internal"})),
    # GKE: an internal passthrough Network Load Balancer.
    # https://cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer-parameters#lb_type
    # https://cloud.google.com/kubernetes-engine/docs/how-to/internal-load-balancing
    Scheme("GKE", "networking.gke.io/load-balancer-type", private=frozenset({"internal"})),
    Scheme("GKE (before 1.17)", "cloud.google.com/load-balancer-type", private=frozenset({"internal"})),
    # Azure (AKS): an internal load balancer.
    # https://learn.microsoft.com/azure/aks/internal-lb
    Scheme("Azure", "service.beta.kubernetes.io/azure-load-balancer-internal"),
    # Alibaba Cloud (ACK): address type intranet.
    # https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/user-guide/add-annotations-to-the-yaml-file-of-a-service-to-configure-clb-instances
    Scheme("Alibaba Cloud", "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type",
           private=frozenset({"intranet"})),
    # Oracle Cloud (OKE): load balancer and network load balancer.
    # https://docs.oracle.com/en-us/iaas/Content/ContEng/Tasks/contengcreatingloadbalancers-subtopic.htm
    Scheme("Oracle Cloud", "service.beta.kubernetes.io/oci-load-balancer-internal"),
    Scheme("Oracle Cloud", "oci-network-load-balancer.oraclecloud.com/internal"),
    # IBM Cloud Kubernetes Service: a private load balancer.
    # https://cloud.ibm.com/docs/containers?topic=containers-cs_network_planning
    Scheme("IBM Cloud", "service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type",
           private=frozenset({"private"})),
    # OpenStack (cloud-provider-openstack, Octavia).
    # https://github.com/kubernetes/cloud-provider-openstack/blob/master/docs/openstack-cloud-controller-manager/expose-applications-using-loadbalancer-type-service.md
    Scheme("OpenStack", "service.beta.kubernetes.io/openstack-internal-load-balancer"),
    # Huawei Cloud (CCE): a private network load balancer.
    # https://support.huaweicloud.com/intl/en-us/usermanual-cce/cce_10_0014.html
    Scheme("Huawei Cloud", "service.beta.kubernetes.io/cce-load-balancer-internal-vpc"),
    # Tencent Cloud (TKE): an internal CLB in the subnet named.
    # https://www.tencentcloud.com/document/product/457/36834
    Scheme("Tencent Cloud", "service.kubernetes.io/qcloud-loadbalancer-internal-subnetid", private=None),
    # Hetzner Cloud: no public network on the load balancer.
    # https://github.com/hetznercloud/hcloud-cloud-controller-manager/blob/main/docs/reference/load_balancer_annotations.md
    Scheme("Hetzner Cloud", "load-balancer.hetzner.cloud/disable-public-network"),
    # DigitalOcean: an internal load balancer (network INTERNAL).
    # https://docs.digitalocean.com/products/kubernetes/how-to/configure-load-balancers/
    Scheme("DigitalOcean", "service.beta.kubernetes.io/do-loadbalancer-network", private=frozenset({"internal"})),
)


@dataclass(frozen=True, slots=True)
class ClassScheme:
    """An Ingress or Gateway class whose controller is the cloud's load
    balancer: by its class name or its controller's, the level its `key`
    annotation gives (as a Scheme's), else `default`."""

    provider: str
    classes: frozenset[str]
    controllers: frozenset[str] = frozenset()
    scheme: Scheme | None = None
    default: str = PUBLIC

    def matches(self, class_name: str | None, controller: str | None) -> bool:
        return class_name in self.classes or (controller is not None and controller in self.controllers)

    def level(self, annotations: dict[str, str]) -> str:
        found = self.scheme.level(annotations) if self.scheme is not None else None
        return found or self.default


CLASS_SCHEMES: tuple[ClassScheme, ...] = (
    # AWS Load Balancer Controller, Ingress (an ALB): internal unless the scheme is internet-facing.
    # https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#scheme
    ClassScheme("AWS Load Balancer Controller", frozenset({"alb"}), frozenset({"ingress.k8s.aws/alb"}),
                Scheme("AWS Load Balancer Controller", ALB_SCHEME, private=frozenset({"internal"}),
                       public=frozenset({"internet-facing"}), default=PRIVATE), default=PRIVATE),
    # GKE Ingress: class gce-internal is an internal Application Load Balancer, gce an external one.
    # https://cloud.google.com/kubernetes-engine/docs/how-to/internal-load-balance-ingress
    # https://cloud.google.com/kubernetes-engine/docs/concepts/ingress#controller_summary
    ClassScheme("GKE", frozenset({"gce-internal"}), default=PRIVATE),
    ClassScheme("GKE", frozenset({"gce"})),
    # GKE Gateway classes: internal (regional) and external ones.
    # https://cloud.google.com/kubernetes-engine/docs/concepts/gateway-api#gatewayclass
    ClassScheme("GKE", frozenset({"gke-l7-rilb", "gke-l7-rilb-mc", "gke-l7-regional-internal-managed",
                                  "gke-l7-regional-internal-managed-mc", "gke-l4-rilb", "gke-l4-rilb-mc"}),
                default=PRIVATE),
    ClassScheme("GKE", frozenset({"gke-l7-global-external-managed", "gke-l7-global-external-managed-mc",
                                  "gke-l7-gxlb", "gke-l7-gxlb-mc", "gke-l7-regional-external-managed",
                                  "gke-l7-regional-external-managed-mc"})),
    # Azure Application Gateway Ingress Controller: public unless use-private-ip.
    # https://azure.github.io/application-gateway-kubernetes-ingress/annotations/#use-private-ip
    ClassScheme("Azure Application Gateway", frozenset({"azure/application-gateway", "azure-application-gateway"}),
                frozenset({"azure/application-gateway"}), Scheme("Azure Application Gateway", APPGW_PRIVATE_IP)),
)

ANNOTATIONS = frozenset({AWS_LB_TYPE} | {s.key for s in SERVICE_SCHEMES}
                        | {c.scheme.key for c in CLASS_SCHEMES if c.scheme is not None})


def service_scheme(annotations: Pairs, load_balancer_class: str | None = None) -> tuple[str, str | None]:
    """A LoadBalancer Service's level (PUBLIC or PRIVATE), and the provider
    whose documented scheme decided it (None: no row applied, public)."""
    found = dict(annotations)
    for scheme in SERVICE_SCHEMES:
        if scheme.applies(found, load_balancer_class):
            level = scheme.level(found)
            if level is not None:
                return level, scheme.provider
    return PUBLIC, None


def class_scheme(class_name: str | None, controller: str | None, annotations: Pairs) -> tuple[str, str] | None:
    """The level of a router whose class is a cloud load balancer's, and the
    provider; None when its class is no cloud's."""
    for row in CLASS_SCHEMES:
        if row.matches(class_name, controller):
            return row.level(dict(annotations)), row.provider
    return None

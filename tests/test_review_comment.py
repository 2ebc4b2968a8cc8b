"""What the review comment says, and in what order: the headline leads with
what matters most, changes that never change what can reach what are one
line, the same change in several environments is said once, headings count
their tables, and rows read as a reviewer reads (manifests written here)."""

from __future__ import annotations

import json
import re

import pytest

from conftest import KUSTOMIZE, write


WEB = """\
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: shop}
    spec:
      replicas: 2
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers:
          - name: web
            image: shop/web:1.0
            ports: [{containerPort: 8080}]
            readinessProbe: {httpGet: {path: /healthz, port: 8080}}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web, namespace: shop}
    spec:
      type: TYPE
      selector: {app: web}
      ports: [{port: 80, targetPort: 8080}]
    """


def diff(cli, tmp_path, base: dict[str, str], head: dict[str, str], *args: str):
    for side, files in (("base", base), ("head", head)):
        for name, text in files.items():
            write(tmp_path / side, name, text)
    return cli("diff", *args, tmp_path / "base", tmp_path / "head")


def web(service_type: str = "ClusterIP", image: str = "shop/web:1.0", replicas: int = 2) -> str:
    return (WEB.replace("TYPE", service_type).replace("shop/web:1.0", image)
            .replace("replicas: 2", f"replicas: {replicas}"))


def test_an_image_bump_is_one_line_without_rows_or_diagram(cli, tmp_path):
    result = diff(cli, tmp_path, {"web.yaml": web()}, {"web.yaml": web(image="shop/web:1.1", replicas=3)})
    assert result.exit_code == 0
    text = result.stdout
    assert text.splitlines()[1] == "### ✅ No new exposure: only the image and replicas of 1 workload changed"
    assert ("Also changed, never changing what can reach what: image of Deployment shop/web (shop/web:1.0 → "
            "shop/web:1.1); replicas of Deployment shop/web (2 → 3).") in text
    assert "```mermaid" not in text and "<summary><b>Objects" not in text and "| ✏️ |" not in text
    document = json.loads(diff(cli, tmp_path, {}, {}, "--format", "json").stdout)
    assert [(c["object"], c["neutral"]) for c in document["objects"]] == [("Deployment/shop/web", True)]


def test_a_neutral_field_beside_a_real_change_stays_out_of_the_row(cli, tmp_path):
    head = web(image="shop/web:1.1").replace("containerPort: 8080", "containerPort: 9090")
    text = diff(cli, tmp_path, {"web.yaml": web()}, {"web.yaml": head}).stdout
    row = next(line for line in text.splitlines() if line.startswith("| ✏️ | Deployment shop/web"))
    assert "image" not in row and "9090" in row
    assert "image of Deployment shop/web (shop/web:1.0 → shop/web:1.1)" in text
    assert "<details><summary><b>Objects</b>: 1 changed</summary>" in text


def test_the_headline_leads_with_more_exposed_then_ways_in_then_less_exposed_then_the_rest(cli, tmp_path):
    base = {"web.yaml": web("LoadBalancer"), "api.yaml": web().replace("web", "api")}
    head = {"web.yaml": web("ClusterIP", image="shop/web:2"), "api.yaml": web("NodePort").replace("web", "api")}
    result = diff(cli, tmp_path, base, head, "--fail-on-exposure")
    assert result.exit_code == 1
    headline = result.stdout.splitlines()[1]
    assert headline == ("### ⚠ 1 Service and 1 workload newly reachable on the nodes&#39; ports; "
                        "1 new entry point, 1 removed; 1 Service and 1 workload less exposed; 2 objects changed; "
                        "the image of 1 workload changed")


def test_headings_count_the_rows_of_their_tables(cli, tmp_path):
    base = {"web.yaml": web(), "a.yaml": web().replace("web", "a"), "b.yaml": web().replace("web", "b")}
    head = {"web.yaml": web("NodePort"), "a.yaml": web(image="x").replace("web", "a"),
            "c.yaml": web().replace("web", "c")}
    lines = diff(cli, tmp_path, base, head).stdout.splitlines()
    checked = 0
    for i, line in enumerate(lines):
        heading = re.fullmatch(r"#### [\w ]+: (.*)|<details><summary><b>\w+</b>: (.*)</summary>", line)
        if heading and lines[i + 2].startswith("| |"):
            rows = [r for r in lines[i + 4:] if r.startswith("|")]
            rows = rows[:next((n for n, r in enumerate(lines[i + 4:]) if not r.startswith("|")), len(rows))]
            tally = heading.group(1) or heading.group(2)
            assert sum(int(n) for n in re.findall(r"(\d+) \w+", tally)) == len(rows), line
            checked += 1
    assert checked >= 4  # exposure, entry points, objects, edges, findings


@pytest.mark.skipif(KUSTOMIZE is None, reason="needs kubectl or kustomize")
def test_the_same_change_in_several_environments_is_said_once(cli, tmp_path):
    for side, image in (("base", "shop/web:1.0"), ("head", "shop/web:1.1")):
        write(tmp_path / side, "base/web.yaml", web(image=image).replace("namespace: shop", "namespace: x"))
        write(tmp_path / side, "base/kustomization.yaml", "resources: [web.yaml]\n")
        for env in ("staging", "production"):
            write(tmp_path / side, f"overlays/{env}/kustomization.yaml", f"resources: [../../base]\nnamespace: {env}\n")
        write(tmp_path / side, "overlays/dev/kustomization.yaml", "resources: [../../base]\nnamespace: dev\n")
    write(tmp_path / "head", "overlays/dev/kustomization.yaml", "resources: [../../base]\nnamespace: dev\n"
          "patches:\n- target: {kind: Service}\n  patch: '[{\"op\": \"add\", \"path\": \"/spec/type\", "
          "\"value\": \"NodePort\"}]'\n")
    text = cli("diff", tmp_path / "base", tmp_path / "head").stdout
    assert "| production | the same as staging |" in text
    assert text.count("### staging, production: ✅ No new exposure: only the image of 1 workload") == 1
    assert "The same in staging and production; shown as in staging." in text
    assert "### dev: ⚠" in text  # a different change in dev: its own section
    document = json.loads(cli("diff", "--format", "json", tmp_path / "base", tmp_path / "head").stdout)
    assert {e["environment"]: e["same_as"] for e in document["environments"]} == {
        "dev": None, "staging": None, "production": "staging"}


def test_a_node_port_turned_load_balancer_keeps_its_node_port(cli, tmp_path):
    node = web("NodePort").replace("targetPort: 8080}", "targetPort: 8080, nodePort: 30080}")
    result = diff(cli, tmp_path, {"web.yaml": node}, {"web.yaml": node.replace("NodePort", "LoadBalancer")},
                  "--format", "json")
    document = json.loads(result.stdout)
    assert [(c["change"], c["kind"]) for c in document["entrypoints"]] == [("added", "loadbalancer")]
    assert [(c["change"], c["rule"]) for c in document["findings"]] == [("new", "loadbalancer-open-to-world")]
    # without the pinned port, or with allocateLoadBalancerNodePorts: false, the node port goes
    lb = node.replace("type: NodePort\n", "type: LoadBalancer\n      allocateLoadBalancerNodePorts: false\n")
    document = json.loads(diff(cli, tmp_path / "2", {"web.yaml": node}, {"web.yaml": lb}, "--format", "json").stdout)
    assert [(c["change"], c["kind"]) for c in document["entrypoints"]] == [("added", "loadbalancer"),
                                                                         ("removed", "nodeport")]
    assert ("resolved", "nodeport-service") in [(c["change"], c["rule"]) for c in document["findings"]]


ROUTERS = """\
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata: {name: web, namespace: shop}
    spec:
      rules:
      - host: shop.example.com
        http:
          paths:
          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
    ---
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: web, namespace: shop}
    spec:
      podSelector: {matchLabels: {app: web}}
      policyTypes: [Ingress]
      ingress:
      - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]
        ports: [{port: 8080}]
    ---
    apiVersion: projectcontour.io/v1
    kind: HTTPProxy
    metadata: {name: web, namespace: shop}
    spec:
      virtualhost: {fqdn: www.example.com}
      routes:
      - conditions: [{prefix: /}]
        services: [{name: web, port: 80}]
    """


def test_routes_and_policies_read_as_a_reviewer_reads_them(cli, tmp_path):
    head = (ROUTERS
            .replace("""          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
""", """          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
          - {path: /admin, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
      - http:
          paths:
          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
""")
            .replace("{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}",
                     "{namespaceSelector: {}}")
            .replace("services: [{name: web, port: 80}]", "services: [{name: web, port: 80}]\n"
                     "      - conditions: [{prefix: /api}]\n        services: [{name: web, port: 80}]"))
    text = diff(cli, tmp_path, {"web.yaml": web(), "routers.yaml": ROUTERS},
                {"web.yaml": web(), "routers.yaml": head}).stdout
    rows = {line.split(" | ")[1]: line.split(" | ")[2].removesuffix(" |") for line in text.splitlines()
            if line.startswith("| ✏️ |")}
    assert rows["Ingress shop/web"] == "➕ route shop.example.com/admin → web:80<br>➕ route any host / → web:80"
    # www. is broken by a zero-width space, so that GitHub does not make it a link
    assert rows["HTTPProxy shop/web"] == "➕ route www&#8203;.example.com/api → web:80"
    assert rows["NetworkPolicy shop/web"] == ("ingress: from pods of namespace ingress-nginx on TCP 8080 → "
                                             "from pods of every namespace on TCP 8080")
    assert "| ➕ | internet | Ingress shop/web | any host / → shop/web:80 | Deployment shop/web |" in text
    assert "| ➕ | Ingress shop/web | routes any host / :80 | Service shop/web |" in text
    assert "backend=" not in text and "ways:" not in text and "— → —" not in text

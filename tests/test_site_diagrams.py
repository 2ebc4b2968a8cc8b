"""The site's diagrams as specs (golden files for the samples), their Graphviz
and Mermaid renderings, and the safe names pages get."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT, SAMPLES
from svcdocs.config import Config
from svcdocs.pipeline import report_for_paths
from svcdocs.render.site import graphviz, mermaid
from svcdocs.render.site.figure import describe, figure
from svcdocs.render.site.names import SiteMap, link_from, page_url, slug, unique_slugs, url_from
from svcdocs.render.site.spec import FANIN, FANOUT, MAX_NODES, Cluster, DiagramSpec, Edge, Node, site_diagrams, split

GOLDEN = ROOT / "tests" / "golden" / "site"
HOSTILE = ["<script>alert('svcdocs-xss')</script>", 'q"uote\\', "back\\slash\\", "a\nb", "café-\u202eevil\u202c",
           "<b>x</b>", "{{ x }} | y | `z` [l](javascript:alert(1))", "trailing\\"]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")


@pytest.fixture(scope="module")
def sample_specs() -> tuple[DiagramSpec, ...]:
    report = report_for_paths([str(SAMPLES)], Config())
    return site_diagrams(report, SiteMap.of(report.graph))


def test_sample_diagram_specs_match_golden(sample_specs, update_golden):
    assert [s.key for s in sample_specs] == ["overview", "exposure", "reach-data", "namespace-data", "reach-ops",
                                             "namespace-ops", "reach-payments", "namespace-payments", "reach-shop",
                                             "namespace-shop"]
    for spec in sample_specs:
        golden = GOLDEN / f"{spec.key}.json"
        text = json.dumps(spec.as_dict(), indent=1, ensure_ascii=False) + "\n"
        if update_golden:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(text, encoding="utf-8")
        assert text == golden.read_text(encoding="utf-8"), f"{spec.key}: run pytest --update-golden and review the diff"


def test_the_overview_shows_how_each_namespace_is_reached(sample_specs):
    overview = sample_specs[0]
    edges = {(e.source, e.target): e for e in overview.edges}
    shop = edges[("Internet", "namespace/shop")]
    assert "Ingress web: shop.example.com" in shop.label and shop.level == "internet"
    assert "LoadBalancer grafana :80" in edges[("source/network", "namespace/ops")].label
    assert "NodePort pgweb 30081" in edges[("source/node", "namespace/ops")].label
    assert edges[("namespace/shop", "namespace/data")].kind == "calls"
    assert "External/orders.cluster-abc123.eu-west-1.rds.amazonaws.com" in {n.id for n in overview.nodes}


def test_the_exposure_diagram_has_hosts_and_paths_on_the_edges(sample_specs):
    exposure = sample_specs[1]
    labels = {(e.source, e.target): e.label for e in exposure.edges}
    # each way in also says when the NetworkPolicies restrict or block it
    assert labels[("Ingress/shop/web", "Service/shop/search")] == (
        "shop.example.com /api/search", "— restricted by NetworkPolicies")
    assert labels[("Ingress/shop/web", "Service/shop/admin")] == (
        "admin.shop.example.com /", "— blocked by NetworkPolicies")
    assert labels[("HTTPRoute/payments/payment-webhooks", "Service/payments/payment-webhooks")] == (
        "pay.example.com /webhooks/card", "pay.example.com /webhooks/wallet", "— restricted by NetworkPolicies")
    assert ("Internet", "Gateway/shop/shop-gateway") in labels
    assert {n.look for n in exposure.nodes if n.kind == "Service"} >= {"LoadBalancer", "NodePort", "ClusterIP"}


def test_a_namespace_diagram_draws_calls_dashed_and_neighbours_faded(sample_specs):
    shop = next(s for s in sample_specs if s.key == "namespace-shop")
    nodes = {n.id: n for n in shop.nodes}
    assert nodes["Service/data/redis"].look == "ghost" and nodes["Service/data/redis"].cluster == "data"
    calls = [e for e in shop.edges if e.kind == "calls"]
    assert ("Deployment/shop/cart", "Service/data/redis") in {(e.source, e.target) for e in calls}
    assert all(e.tooltip.startswith("calls it through ") for e in calls)
    assert not any(n.kind == "NetworkPolicy" for n in shop.nodes)  # policies are a label, not edges
    assert "Deployment, isolated" in nodes["Deployment/shop/cart"].label
    assert {c.id: c.ghost for c in shop.clusters} == {"data": True, "payments": True, "shop": False}


def test_every_node_links_to_its_page(sample_specs):
    for spec in sample_specs:
        for node in spec.nodes:
            assert node.link is not None, (spec.key, node.id)


def test_each_box_says_why_it_has_its_level(sample_specs):
    """The one line a box shows when pointed at: the way in, and what the NetworkPolicies make of it."""
    why = {n.id: n.why for spec in sample_specs for n in spec.nodes}
    assert why["Service/shop/admin"] == "through Ingress web; blocked by NetworkPolicies"
    assert why["Deployment/shop/admin"] == "through Service admin; blocked by NetworkPolicies"
    assert why["Service/shop/notifications"] == "through its LoadBalancer; open"
    assert why["Service/ops/pgweb"] == "through its NodePort; open"
    assert why["DaemonSet/ops/fluent-bit"] == "through hostPort 2020; open"
    assert why["Ingress/shop/web"] == "it opens a way in from the internet; partly restricted by NetworkPolicies"
    assert why["Service/data/redis"] == "no way in from outside the cluster"
    assert why["Service/data/orders-db"] == "a name for something outside the cluster"


def test_the_text_alternative_says_what_a_diagram_shows(sample_specs):
    specs = {s.key: s for s in sample_specs}
    assert describe(specs["namespace-payments"]) == (
        "Namespace payments: 10 boxes and 9 arrows; the most exposed: HTTPRoute payment-webhooks (internet), "
        "Service payment-webhooks (internet), Deployment payment-webhooks (internet).")
    assert describe(specs["namespace-data"]) == (
        "Namespace data: 12 boxes and 10 arrows; nothing in it is reached from outside the cluster.")
    assert describe(specs["overview"]).startswith("Overview: 8 boxes and 9 arrows; the most exposed: Namespace ops")


def test_a_figure_says_what_it_shows_and_links_the_table_with_the_same_facts(sample_specs):
    specs = {s.key: s for s in sample_specs}
    block = figure(specs["namespace-shop"], '<svg role="img" aria-labelledby="namespace-shop-alt"></svg>')
    assert '<span id="namespace-shop-alt">Namespace shop: 30 boxes' in block and 'href="#services"' in block
    assert 'class="svcdocs-diagram-view" tabindex="0" role="region" aria-label="Diagram: Namespace shop"' in block
    assert 'href="namespaces/"' in figure(specs["overview"], "<svg></svg>")  # the Namespaces table
    assert 'href="#internet"' in figure(specs["exposure"], "<svg></svg>")
    assert 'href="#reach-table"' in figure(specs["reach-shop"], "<svg></svg>")
    too_large = figure(specs["exposure"], "", "This diagram is too large to draw.")
    assert "svcdocs-diagram-view" not in too_large and "too large to draw" in too_large
    hostile = figure(_hostile_spec(), "")
    assert "<b>" not in hostile and "<script" not in hostile and "&lt;b&gt;" in hostile


def test_a_split_diagram_keeps_every_box_and_arrow(sample_specs):
    """Each part has its own boxes, what leads into them and the other end of
    their calls: every box and arrow is in a part, none is lost."""
    for spec in sample_specs:
        parts = split(spec, 2)
        assert {n for part in parts for n in part.nodes} == set(spec.nodes), spec.key
        assert {e for part in parts for e in part.edges} == set(spec.edges), spec.key
        if len(parts) > 1:
            assert [p.key for p in parts] == [f"{spec.key}-part-1", f"{spec.key}-part-2"]
            assert [p.caption for p in parts] == [f"{spec.caption} (part {i} of 2)" if spec.caption
                                                  else f"Part {i} of 2" for i in (1, 2)]
    shop = split(next(s for s in sample_specs if s.key == "namespace-shop"), 2)
    assert len(shop) == 2 and all("Internet" in {n.id for n in part.nodes} for part in shop)
    overview = next(s for s in sample_specs if s.key == "overview")
    assert split(overview, 1) == [overview]


@needs_dot
def test_a_diagram_too_wide_to_read_fitted_is_laid_out_top_to_bottom_or_split(sample_specs):
    specs = {s.key: s for s in sample_specs}
    dot = shutil.which("dot")
    assert graphviz.width_pt(graphviz.render_svg(graphviz.to_dot(specs["namespace-payments"]), "p", dot)) \
        > graphviz.READABLE_WIDTH_PT
    (payments, svg), = graphviz.draw(specs["namespace-payments"], dot)
    assert payments == specs["namespace-payments"] and graphviz.width_pt(svg) <= graphviz.READABLE_WIDTH_PT
    shop = graphviz.draw(specs["namespace-shop"], dot)  # too wide both ways: in two parts
    assert [part.key for part, _ in shop] == ["namespace-shop-part-1", "namespace-shop-part-2"]
    for part, svg in shop:
        assert graphviz.width_pt(svg) <= graphviz.READABLE_WIDTH_PT
        assert f'aria-labelledby="{part.key}-alt"' in svg
    (overview, _), = graphviz.draw(specs["overview"], dot)  # readable as it is: left to right
    assert overview == specs["overview"]


@needs_dot
def test_boxes_and_edges_carry_what_the_script_needs(sample_specs):
    """Each box's class names its place (`n3`) and each edge its kind and ends (`routes s3 t7`),
    so that the paths into a box can be found; its tooltip says why."""
    spec = next(s for s in sample_specs if s.key == "namespace-payments")
    svg = graphviz.render_svg(graphviz.to_dot(spec), spec.key, shutil.which("dot"))
    index = {n.id: i for i, n in enumerate(spec.nodes)}
    route = index["HTTPRoute/payments/payment-webhooks"]
    service = index["Service/payments/payment-webhooks"]
    assert f'class="node n{service} level&#45;internet"' in svg
    assert f'class="edge routes s{route} t{service}"' in svg
    assert ('xlink:title="Service payments/payment&#45;webhooks: exposure internet&#10;'
            'through HTTPRoute payment&#45;webhooks; restricted by NetworkPolicies"') in svg


def _hostile_spec() -> DiagramSpec:
    nodes = [Node(f"Service/ns/{i}", "Service", (text, "ClusterIP :80"), "internet", "LoadBalancer",
                  ("services/ns/x.md", ""), text, "ns", why=text) for i, text in enumerate(HOSTILE)]
    nodes.append(Node("Internet", "Internet", ("Internet",), "internet", link=("exposure.md", "internet")))
    edges = [Edge("Internet", n.id, "routes", (HOSTILE[i],), "internet") for i, n in enumerate(nodes[:-1])]
    return DiagramSpec("hostile", "Hostile <b>", "namespaces/ns.md", tuple(nodes), tuple(edges),
                       (Cluster("ns", "namespace <script>x</script>", ("namespaces/ns.md", "")),))


@needs_dot
def test_hostile_labels_reach_the_svg_as_text():
    svg = graphviz.render_svg(graphviz.to_dot(_hostile_spec()), "hostile", shutil.which("dot"))
    root = ET.fromstring(svg)  # well-formed
    texts = " ".join("".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "<script>alert('svcdocs-xss')</script>" in texts.replace("\n", "")  # literal text, split over lines
    assert "<script" not in svg and "<b>" not in svg
    images = root.findall(".//{http://www.w3.org/2000/svg}image")
    in_symbols = root.findall(".//{http://www.w3.org/2000/svg}symbol/{http://www.w3.org/2000/svg}image")
    assert images == in_symbols and all(i.get("{http://www.w3.org/1999/xlink}href").startswith("data:image/png")
                                        for i in images)


@needs_dot
def test_the_svg_is_self_contained_and_deterministic(sample_specs):
    spec = next(s for s in sample_specs if s.key == "namespace-shop")
    first = graphviz.render_svg(graphviz.to_dot(spec), spec.key, shutil.which("dot"))
    assert first == graphviz.render_svg(graphviz.to_dot(spec), spec.key, shutil.which("dot"))
    assert "<image" not in first.split("</defs>", 1)[1]  # every node <use>s a symbol
    symbols = re.findall(r'<symbol id="([^"]+)"', first)
    assert len(symbols) == len(set(symbols)) <= 8 and all(s.startswith("namespace-shop-") for s in symbols)
    assert "data:image/png;base64," in first and "/site-packages/" not in first and "file:" not in first
    assert "<title>" not in first and "<!--" not in first
    ids = re.findall(r'\bid="([^"]+)"', first)
    assert all(i.startswith("namespace-shop-") for i in ids)
    links = {h for h in re.findall(r'xlink:href="([^"]*)"', first) if not h.startswith(("#", "data:"))}
    assert links and all(re.fullmatch(r"(\.\./)+[a-z0-9/-]+/(#[a-z0-9-]+)?|#[a-z0-9-]+|\./", h) for h in links), links


def test_mermaid_labels_keep_only_plain_characters():
    source = mermaid.to_mermaid(_hostile_spec())
    assert "<script" not in source and "<b>" not in source and "\u202e" not in source
    for line in source.splitlines():
        if not line.strip().startswith(("classDef", "style", "linkStyle", "click")) and '"' in line:
            label = line.split('"')[1]
            assert re.fullmatch(r"[A-Za-z0-9 ./:_@=,+#;-]*", label.replace("<br/>", "")), line
    assert 'click n' in source and '"../../services/ns/x/"' in source
    block = mermaid.block(source)
    assert block.startswith('<pre class="mermaid"><code>') and "<script" not in block


def test_a_site_of_two_thousand_services_builds_and_no_diagram_is_too_large(shared, tmp_path):
    """gen_corpus 2000: the build completes, every Service has its page, and no
    diagram, as drawn in the built pages, has more than MAX_NODES boxes."""
    import subprocess
    import sys
    from svcdocs.render.site.build import build_options, build_site
    corpus = tmp_path / "corpus"
    subprocess.run([sys.executable, str(shared / "bench" / "gen_corpus.py"), "2000", str(corpus)], check=True,
                   capture_output=True)
    report = report_for_paths([str(corpus)], Config())
    out = tmp_path / "site"
    result = build_site(report, build_options((str(corpus),), str(out)), say=lambda text: None)
    assert result.diagrams >= 42 and result.pages == 2000 + 40 + 6
    sizes = []
    for page in out.rglob("index.html"):
        for svg in re.findall(r"<svg width=.*?</svg>", page.read_text(encoding="utf-8"), re.S):
            sizes.append(svg.count('class="node'))
    assert len(sizes) == result.diagrams and 0 < max(sizes) <= MAX_NODES
    assert all((out / "services" / s.namespace / s.name / "index.html").is_file() for s in report.graph.model.services)


# --- Names -----------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("shop", "shop"), ("frontend-v2", "frontend-v2"),
    ("Shop", "shop-"), ("../../etc", "etc-"), ("/etc/passwd", "etc-passwd-"), (".", "x-"), ("..", "x-"),
    ("con", "con-"), ("NUL", "nul-"), ("index", "index-"), ("a" * 300, "a" * 60 + "-"),
])
def test_slugs_are_safe_file_names(name, expected):
    result = slug(name)
    assert result.startswith(expected) and re.fullmatch(r"[a-z0-9][a-z0-9-]*", result) and len(result) <= 69
    assert (result == name) == (expected == name)


def test_case_collisions_and_crafted_collisions_get_distinct_slugs():
    crafted = slug("Shop")  # someone names a Service after another one's slug
    slugs = unique_slugs(["shop", "Shop", "SHOP", crafted])
    assert len(set(slugs.values())) == 4


def test_page_urls_and_relative_links():
    assert page_url("index.md") == "" and page_url("namespaces/index.md") == "namespaces/"
    assert page_url("services/shop/web.md") == "services/shop/web/"
    assert url_from("index.md", "services/shop/web.md") == "services/shop/web/"
    assert url_from("namespaces/shop.md", "services/shop/web.md") == "../../services/shop/web/"
    assert url_from("services/shop/web.md", "index.md") == "../../../"
    assert url_from("namespaces/shop.md", "namespaces/shop.md", "deployment-web") == "#deployment-web"
    assert link_from("namespaces/shop.md", "services/shop/web.md") == "../services/shop/web.md"


def test_past_a_dozen_namespaces_the_overview_is_a_map(manifests):
    docs = []
    for i in range(14):
        kind = "LoadBalancer" if i % 2 else "ClusterIP"
        docs.append(f"apiVersion: v1\nkind: Service\nmetadata: {{name: web, namespace: team-{i:02d}}}\n"
                    f"spec: {{type: {kind}, selector: {{app: web}}, ports: [{{port: 80}}]}}\n")
    report = manifests("---\n".join(docs))
    overview = site_diagrams(report, SiteMap.of(report.graph))[0]
    assert overview.grid and not [e for e in overview.edges if e.kind == "entry"]
    assert [n.id for n in overview.nodes][:2] == ["Internet", "namespace/team-01"]  # reached ones first
    assert overview.nodes[0].label == ("Internet", "into 7 namespaces")
    assert next(n for n in overview.nodes if n.id == "namespace/team-01").label[-1] == "1 LoadBalancer"
    if shutil.which("dot"):
        svg = graphviz.render_svg(graphviz.to_dot(overview), "overview", shutil.which("dot"))
        assert svg.count('class="node') == 15
    assert "flowchart TB" in mermaid.to_mermaid(overview) and " ~~~ " in mermaid.to_mermaid(overview)


# --- Fan-out -----------------------------------------------------------------------

def fan_manifests(services: int, workloads: int, load_balancers: int = 0) -> str:
    """Services that all select every workload (one label): services x workloads
    edges. The first `load_balancers` Services are LoadBalancers."""
    docs = []
    for i in range(workloads):
        docs.append(f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w{i}, namespace: fan}}\n"
                    f"spec: {{template: {{metadata: {{labels: {{app: x}}}}, spec: {{containers: [{{name: c}}]}}}}}}\n")
    for i in range(services):
        kind = "LoadBalancer" if i < load_balancers else "ClusterIP"
        docs.append(f"apiVersion: v1\nkind: Service\nmetadata: {{name: s{i}, namespace: fan}}\n"
                    f"spec: {{type: {kind}, selector: {{app: x}}, ports: [{{port: 80}}]}}\n")
    return "---\n".join(docs)


def test_services_that_select_many_workloads_share_one_node_for_them(manifests):
    report = manifests(fan_manifests(200, 60, load_balancers=200))
    specs = site_diagrams(report, SiteMap.of(report.graph))
    # the overview, the exposure and the namespace in two parts each; no NetworkPolicy anywhere,
    # so no reachability diagram (every pod reaches every pod)
    assert [s.key for s in specs] == ["overview", "exposure-1", "exposure-2", "namespace-fan-1",
                                      "namespace-fan-2"]
    for spec in specs[1:]:
        nodes = {n.id: n for n in spec.nodes}
        assert len(nodes) <= MAX_NODES and not [n for n in nodes if n.startswith("Deployment/")]
        summary = nodes["more/workloads/Service/fan/s0"]
        assert summary.kind == "More" and summary.label == ("60 workloads",) and summary.link[1] == "workloads"
        services = [n for n in nodes if n.startswith("Service/")]
        selects = [e for e in spec.edges if e.kind == "selects"]
        assert {(e.source, e.target) for e in selects} == {(s, summary.id) for s in services}
    assert sum(1 for spec in specs[3:] for n in spec.nodes if n.kind == "Service") == 200
    assert specs == site_diagrams(report, SiteMap.of(report.graph))  # deterministic


def test_a_service_that_selects_a_few_workloads_draws_them(manifests):
    report = manifests(fan_manifests(3, FANOUT))
    spec = site_diagrams(report, SiteMap.of(report.graph))[-1]
    assert len([e for e in spec.edges if e.kind == "selects"]) == 3 * FANOUT
    assert not [n for n in spec.nodes if n.kind == "More"]


def test_a_workload_that_many_services_select_gets_one_node_for_them(manifests):
    count = FANIN + 8
    labels = ", ".join(f"g{i}: y" for i in range(count))
    docs = [f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: common, namespace: fan}}\n"
            f"spec: {{template: {{metadata: {{labels: {{{labels}}}}}, spec: {{containers: [{{name: c}}]}}}}}}\n"]
    for i in range(count):  # s_i selects common and its own w_i
        docs.append(f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w{i}, namespace: fan}}\n"
                    f"spec: {{template: {{metadata: {{labels: {{g{i}: y}}}}, spec: {{containers: [{{name: c}}]}}}}}}\n")
        docs.append(f"apiVersion: v1\nkind: Service\nmetadata: {{name: s{i}, namespace: fan}}\n"
                    f"spec: {{selector: {{g{i}: y}}, ports: [{{port: 80}}]}}\n")
    report = manifests("---\n".join(docs))
    spec = site_diagrams(report, SiteMap.of(report.graph))[-1]
    into_common = [e for e in spec.edges if e.target == "Deployment/fan/common"]
    assert [(e.source, e.label) for e in into_common] == [("more/services/Deployment/fan/common", ("80",))]
    node = next(n for n in spec.nodes if n.id == into_common[0].source)
    assert node.label == (f"{count} Services",) and node.link[1] == "services"
    assert len([e for e in spec.edges if e.kind == "selects"]) == count + 1  # s_i -> w_i, and the summary


@needs_dot
def test_many_services_around_one_summary_are_spread_over_columns(manifests, monkeypatch):
    report = manifests(fan_manifests(60, 30))
    spec = site_diagrams(report, SiteMap.of(report.graph))[-1]
    source = graphviz.to_dot(spec)
    assert source.count("minlen=") == 60 and f"minlen={graphviz.STAGGER}" in source

    def height(source: str) -> float:
        svg = graphviz.render_svg(source, spec.key, shutil.which("dot"))
        return float(re.search(r'<svg width="[\d.]+pt" height="([\d.]+)pt"', svg).group(1))
    monkeypatch.setattr(graphviz, "STAGGER", 1)
    assert height(source) < 0.6 * height(graphviz.to_dot(spec))  # against one column of 60 boxes

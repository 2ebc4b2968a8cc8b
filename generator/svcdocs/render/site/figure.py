"""The one wrapper every diagram of the site sits in: a `<figure>` whose
caption says in words what the drawing shows (how many boxes, the most
exposed ones) and links the table that holds the same facts, and a view
that the site's script fits to the page and lets the reader zoom and pan
(assets/svcdocs.js). Mermaid drawings, and diagrams too large to draw, get
the same wrapper.

The text here is svcdocs's own words around names from the manifests, all
HTML-escaped; the drawing is raw HTML that a renderer made safe.
"""

from __future__ import annotations

import html

from svcdocs.analysis import RANK
from svcdocs.render.escape import visible
from svcdocs.render.site.names import url_from
from svcdocs.render.site.spec import SOURCE_KINDS, DiagramSpec

MOST_EXPOSED = 3  # boxes the text alternative names
OUTSIDE = ("internet", "network", "node")  # the levels a way in from outside opens


def describe(spec: DiagramSpec) -> str:
    """The diagram's text alternative: what it shows, how many boxes and
    arrows, and the most exposed boxes with their levels."""
    boxes, arrows = len(spec.nodes), len(spec.edges)
    counts = f"{boxes} box{'es' * (boxes != 1)} and {arrows} arrow{'s' * (arrows != 1)}"
    hops = _hops_from_sources(spec)
    exposed = sorted((n for n in spec.nodes if n.level in OUTSIDE and n.kind not in SOURCE_KINDS
                      and n.look != "ghost" and n.label),
                     key=lambda n: (-RANK[n.level], hops.get(n.id, len(spec.nodes))))
    if not exposed:
        return f"{spec.title}: {counts}; nothing in it is reached from outside the cluster."
    named = ", ".join(" ".join(p for p in (_kind(n.kind), n.label[0], f"({n.level})") if p)
                      for n in exposed[:MOST_EXPOSED])
    more = f" and {len(exposed) - MOST_EXPOSED} more" if len(exposed) > MOST_EXPOSED else ""
    return f"{spec.title}: {counts}; the most exposed: {named}{more}."


def _hops_from_sources(spec: DiagramSpec) -> dict[str, int]:
    """How many edges from the internet (or another source) each box is: the
    ways in first, then what they lead to."""
    following: dict[str, list[str]] = {}
    for edge in spec.edges:
        following.setdefault(edge.source, []).append(edge.target)
    hops = {n.id: 0 for n in spec.nodes if n.kind in SOURCE_KINDS}
    frontier = list(hops)
    while frontier:
        reached = []
        for node_id in frontier:
            for target in following.get(node_id, ()):
                if target not in hops:
                    hops[target] = hops[node_id] + 1
                    reached.append(target)
        frontier = reached
    return hops


def _kind(kind: str) -> str:
    """`Gateway.networking.istio.io` -> `Gateway`; `More` (a summary box) says nothing."""
    kind = kind.partition(".")[0]
    return "" if kind == "More" else kind


def figure(spec: DiagramSpec, drawing: str, note: str = "") -> str:
    """A diagram's block: its caption (part, note, text alternative, the
    table's link) and its drawing in a view the script can zoom and pan. The
    drawing refers to the text alternative by the id `<key>-alt`."""
    title = " ".join(part for part in (spec.caption, note) if part)
    table = f' <a href="{html.escape(url_from(spec.page, *spec.table))}">Read it as a table</a>.' if spec.table else ""
    caption = (f'<figcaption>{_span("svcdocs-diagram-title", title)}'
               f'<span id="{spec.key}-alt">{_text(describe(spec))}</span>{table}</figcaption>')
    if not drawing:
        return f'<figure class="svcdocs-diagram" markdown="0" data-search-exclude>\n{caption}\n</figure>'
    view = (f'<div class="svcdocs-diagram-view" tabindex="0" role="region" aria-label="Diagram: {_text(spec.title)}">'
            f'\n{drawing.strip()}\n</div>')
    return f'<figure class="svcdocs-diagram" markdown="0" data-search-exclude>\n{caption}\n{view}\n</figure>'


def figures(parts: list[tuple[DiagramSpec, str]], note: str = "") -> str:
    """The blocks of a diagram drawn as one or several parts, the note on the first."""
    return "\n".join(figure(spec, drawing, note if i == 0 else "") for i, (spec, drawing) in enumerate(parts))


def _span(css: str, text: str) -> str:
    return f'<span class="{css}">{_text(text)}</span> ' if text else ""


def _text(value: str) -> str:
    return html.escape(visible(value))

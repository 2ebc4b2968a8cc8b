"""`svcdocs reach --format txt|json|csv|md|dot`: the allowed connections."""

from __future__ import annotations

import csv
import io
import json

from svcdocs.analysis.reach import Connection, Reachability
from svcdocs.analysis.reach.ports import text
from svcdocs.graph import Graph
from svcdocs.render.escape import markdown_text


def render(fmt: str, pairs: list[Connection], reach: Reachability, graph: Graph, explain: bool = False) -> str:
    return _FORMATS[fmt](pairs)


def to_txt(pairs: list[Connection]) -> str:
    return "".join(f"{c.src.name} => {c.dst.name} : {text(c.conn)}\n" for c in pairs)


def to_json(pairs: list[Connection]) -> str:
    items = [{"src": c.src.name, "dst": c.dst.name, "conn": text(c.conn)} for c in pairs]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def to_csv(pairs: list[Connection]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["src", "dst", "conn"])
    for c in pairs:
        writer.writerow([c.src.name, c.dst.name, text(c.conn)])
    return out.getvalue()


def to_md(pairs: list[Connection]) -> str:
    lines = ["| src | dst | conn |", "|-----|-----|------|"]
    lines += [f"| {markdown_text(c.src.name)} | {markdown_text(c.dst.name)} | {markdown_text(text(c.conn))} |"
              for c in pairs]
    return "\n".join(lines) + "\n"


_FORMATS = {"txt": to_txt, "json": to_json, "csv": to_csv, "md": to_md, "dot": to_txt}

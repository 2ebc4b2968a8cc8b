"""Where the objects of a `helm template` come from.

helm writes `# Source: <chart>/templates/<file>` before each object it
renders. An object of a chart in the repository is placed at that template
file (`charts/web/templates/service.yaml`), at the line of its `kind:` there
when the template has one; an object of a fetched chart at
`podinfo@6.9.3: templates/service.yaml`, which names the chart, its version and
the template (there is no file to link to), at the line of its `kind:` too.
"""

from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass

_SOURCE = re.compile(rb"^# Source: ([^\r\n]+)", re.MULTILINE)
_KIND = re.compile(r"^kind:[ \t]*['\"]?([A-Za-z0-9]+)", re.MULTILINE)
MAX_TEMPLATE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ChartOrigins:
    """The `# Source:` lines of one render, and how each is shown."""

    starts: tuple[int, ...]  # 1-based line of each `# Source:` in the render, in order
    shown: tuple[str, ...]  # what each names, as shown
    kinds: tuple[tuple[str, str, int], ...] = ()  # (shown template, kind, line): the `kind:` lines of its templates
    fallback: str = ""  # where an object before any `# Source:` is placed

    def place(self, line: int, kind: str) -> tuple[str, int]:
        """(file, line) of an object that starts at `line` of the render."""
        i = bisect.bisect_right(self.starts, line) - 1
        if i < 0:
            return self.fallback, 1
        shown = self.shown[i]
        for template, template_kind, kind_line in self.kinds:
            if template == shown and template_kind == kind:
                return shown, kind_line
        return shown, 1

    def shown_files(self) -> tuple[str, ...]:
        """The files its objects may be placed at, as shown."""
        return (*self.shown, self.fallback) if self.fallback else self.shown


def chart_origins(data: bytes, chart_name: str, folder: str, label: str, chart_dir: str) -> ChartOrigins:
    """Index the `# Source:` lines of a render. `folder`: the chart's folder
    in the repository as shown ("" for a fetched chart, then `label`,
    `name@version`, names it); `chart_dir`: where its files are now."""
    starts, shown, kinds = [], [], []
    seen: dict[str, str] = {}
    for match in _SOURCE.finditer(data):
        path = match.group(1).decode("utf-8", "replace").strip()
        inside = path.split("/", 1)[1] if path.startswith(chart_name + "/") else path
        if inside not in seen:
            here = folder and os.path.isfile(os.path.join(folder, inside))  # a dependency fetched is not
            seen[inside] = (os.path.normpath(os.path.join(folder, inside)).replace(os.sep, "/") if here
                            else f"{label}: {inside}")
            kinds += [(seen[inside], k, n) for k, n in _kind_lines(os.path.join(chart_dir, inside))]
        starts.append(data.count(b"\n", 0, match.start()) + 1)
        shown.append(seen[inside])
    return ChartOrigins(tuple(starts), tuple(shown), tuple(kinds), fallback=folder or label)


def _kind_lines(path: str) -> list[tuple[str, int]]:
    """The first `kind:` line of each kind in a template (its top-level kind, most often)."""
    try:
        with open(path, "rb") as f:
            text = f.read(MAX_TEMPLATE_BYTES).decode("utf-8", "replace")
    except OSError:
        return []
    found: dict[str, int] = {}
    for match in _KIND.finditer(text):
        found.setdefault(match.group(1), text.count("\n", 0, match.start()) + 1)
    return list(found.items())

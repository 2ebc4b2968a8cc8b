"""Escaping for every place text from a manifest lands. Names, labels, hosts and
paths are attacker-controlled in a pull request; none of them may become markup."""

from __future__ import annotations

import html
import re

_MERMAID_SAFE = re.compile(r"[A-Za-z0-9 ./:_@=,+-]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~^$\"'&])")
# C0 and C1 controls (\x9b starts a terminal sequence too), zero-width and
# bidirectional-formatting characters, and the Unicode line and paragraph separators.
# What GitHub turns into a mention or a link in a comment's text: `@name`, an
# email, `scheme://...` and `www.`; each is broken by a zero-width space.
_AUTOLINKED = re.compile(r"@|:(?=//)|(?i:www)(?=\.)")
_ZERO_WIDTH = "&#8203;"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def visible(text: str) -> str:
    """Control, zero-width, bidirectional and line-separator characters made visible."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", str(text))


def html_text(text: object) -> str:
    return html.escape(visible(str(text)), quote=True)


def dot_string(text: object) -> str:
    """A quoted Graphviz string. Always quoted, so never an HTML-like `<...>` label."""
    escaped = visible(str(text)).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def mermaid_text(text: object) -> str:
    """Text for a Mermaid label in `"..."`: everything but plain characters as `#code;`."""
    return "".join(c if _MERMAID_SAFE.fullmatch(c) else f"#{ord(c)};" for c in visible(str(text)))


def markdown_text(text: object) -> str:
    """Inline Markdown text (also safe in a table cell): every special character
    backslash-escaped or an entity, so no link, code span, HTML or cell break;
    and a zero-width space after each `@`, in each `://` and after each `www`
    before a dot, so that a name never mentions (notifies) a person or team
    in a GitHub comment and a bare address or email is never made a link."""
    def sub(m: re.Match) -> str:
        c = m.group(1)
        return {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&#39;", "|": "&#124;"}.get(c, "\\" + c)
    escaped = _MARKDOWN_SPECIAL.sub(sub, visible(str(text))).replace("\n", " ")
    return _AUTOLINKED.sub(lambda m: m.group() + _ZERO_WIDTH, escaped)

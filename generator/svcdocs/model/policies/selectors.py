"""Selectors of every policy API, as one kind of expression.

A selector is a nested tuple over the labels a pod is seen with:

    ("all",)  ("none",)
    ("eq", space, key, value)      ("in", space, key, (value, ...))
    ("has", space, key)            ("text", space, key, "contains" | "starts" | "ends", text)
    ("not", e)   ("and", e, ...)   ("or", e, ...)

`space` says whose labels: `pod` (the pod's), `ns` (its namespace's, which
always carry `kubernetes.io/metadata.name`), `sa` (its service account's
name, key ""), `sal` (its service account's labels, which the manifests do
not give: nothing carries them). Kubernetes label selectors, Calico's
selector language and Cilium's endpoint selectors all become one of these,
so the reachability engine matches them one way.
"""

from __future__ import annotations

import re

from svcdocs.model.objects import LabelSelector

ALL = ("all",)
NONE = ("none",)
GLOBAL = ("global",)  # Calico's global(): resources in no namespace (global network sets), never a pod
POD, NAMESPACE, ACCOUNT, ACCOUNT_LABELS = "pod", "ns", "sa", "sal"
NAME_LABEL = "kubernetes.io/metadata.name"

Expr = tuple


def conj(*parts: Expr) -> Expr:
    """`and`, flattened; ALL parts dropped, a NONE part wins."""
    flat: list[Expr] = []
    for part in parts:
        if part == NONE:
            return NONE
        if part == ALL:
            continue
        flat.extend(part[1:] if part[0] == "and" else (part,))
    flat = list(dict.fromkeys(flat))
    return ALL if not flat else flat[0] if len(flat) == 1 else ("and", *flat)


def disj(*parts: Expr) -> Expr:
    """`or`, flattened; NONE parts dropped, an ALL part wins."""
    flat: list[Expr] = []
    for part in parts:
        if part == ALL:
            return ALL
        if part == NONE:
            continue
        flat.extend(part[1:] if part[0] == "or" else (part,))
    flat = list(dict.fromkeys(flat))
    return NONE if not flat else flat[0] if len(flat) == 1 else ("or", *flat)


def neg(part: Expr) -> Expr:
    if part == ALL:
        return NONE
    if part == NONE:
        return ALL
    return part[1] if part[0] == "not" else ("not", part)


def in_namespace(name: str) -> Expr:
    return ("eq", NAMESPACE, NAME_LABEL, name)


def from_label_selector(selector: LabelSelector | None, space: str = POD) -> Expr:
    """A Kubernetes label selector (matchLabels, matchExpressions); None or
    empty selects everything."""
    if selector is None:
        return ALL
    parts = [("eq", space, k, v) for k, v in selector.match_labels]
    for r in selector.match_expressions:
        parts.append(requirement(space, r.key, r.operator, r.values))
    return conj(*parts)


def requirement(space: str, key: str, operator: str, values: tuple[str, ...]) -> Expr:
    if operator == "In":
        return ("in", space, key, tuple(sorted(set(values)))) if values else NONE
    if operator == "NotIn":
        return neg(("in", space, key, tuple(sorted(set(values))))) if values else ALL
    if operator == "Exists":
        return ("has", space, key)
    return neg(("has", space, key))  # DoesNotExist


def describe(expr: Expr) -> str:
    """A selector as a person reads it: `app=web, tier in (a, b)`."""
    if expr == ALL:
        return "everything"
    if expr == NONE:
        return "nothing"
    if expr == GLOBAL:
        return "global network sets"
    op = expr[0]
    if op == "and":
        return ", ".join(describe(p) for p in expr[1:])
    if op == "or":
        return " or ".join(f"({describe(p)})" if p[0] == "and" else describe(p) for p in expr[1:])
    if op == "not":
        inner = expr[1]
        if inner[0] == "in":
            return f"{_label(inner)} not in ({', '.join(inner[3])})"
        if inner[0] == "has":
            return f"no {_label(inner)}"
        if inner[0] == "eq":
            return f"{_label(inner)}!={inner[3]}"
        return f"not ({describe(inner)})"
    if op == "eq":
        if expr[1] == NAMESPACE and expr[2] == NAME_LABEL:
            return f"namespace {expr[3]}"
        return f"{_label(expr)}={expr[3]}"
    if op == "in":
        return f"{_label(expr)} in ({', '.join(expr[3])})"
    if op == "has":
        return f"has {_label(expr)}"
    return f"{_label(expr)} {expr[3]} {expr[4]!r}"


def _label(expr: Expr) -> str:
    space, key = expr[1], expr[2]
    if space == NAMESPACE:
        return f"namespace label {key}"
    if space == ACCOUNT:
        return "service account"
    if space == ACCOUNT_LABELS:
        return f"service account label {key}"
    return key


# --- Calico's selector language --------------------------------------------------

_TOKEN = re.compile(r"""\s*(?:
    (?P<str>"[^"]*"|'[^']*')
  | (?P<op>==|!=|&&|\|\||!|\(|\)|\{|\}|,)
  | (?P<word>[A-Za-z0-9_./\-]+)
)""", re.X)


class SelectorError(ValueError):
    pass


def calico(text: str, keys) -> Expr:
    """A Calico selector: `==`, `!=`, `in {...}`, `not in {...}`, `has()`,
    `contains`, `starts with`, `ends with`, `all()`, `global()`, `!`, `&&`,
    `||`, parentheses. `keys(label) -> (space, key)` says whose label a key
    names (a pod's `projectcalico.org/namespace` is its namespace's name);
    it returns None for a label nothing in the manifests carries."""
    tokens = _tokens(text)
    parser = _Parser(tokens, keys)
    if not tokens:
        return ALL
    found = parser.disjunction()
    if parser.at < len(tokens):
        raise SelectorError(f"unexpected {tokens[parser.at][1]!r}")
    return found


def _tokens(text: str) -> list[tuple[str, str]]:
    found, at = [], 0
    text = text.strip()
    while at < len(text):
        m = _TOKEN.match(text, at)
        if not m or m.end() == at:
            raise SelectorError(f"cannot read {text[at:at + 20]!r}")
        kind = m.lastgroup
        value = m.group(kind)
        found.append((kind, value[1:-1] if kind == "str" else value))
        at = m.end()
        while at < len(text) and text[at].isspace():
            at += 1
    return found


class _Parser:
    """Precedence, loosest first: `||`, `&&`, `!`, parentheses and matches."""

    MAX_DEPTH = 64  # parentheses and negations: a selector deeper than this is hostile, not written

    def __init__(self, tokens, keys):
        self.tokens, self.keys, self.at, self.depth = tokens, keys, 0, 0

    def peek(self, offset: int = 0) -> tuple[str, str] | None:
        i = self.at + offset
        return self.tokens[i] if i < len(self.tokens) else None

    def take(self, value: str | None = None, kind: str | None = None) -> str:
        token = self.peek()
        if token is None or (value is not None and token[1] != value) or (kind is not None and token[0] != kind):
            raise SelectorError(f"expected {value or kind}, found {token[1] if token else 'the end'}")
        self.at += 1
        return token[1]

    def disjunction(self) -> Expr:
        parts = [self.conjunction()]
        while self.peek() == ("op", "||"):
            self.at += 1
            parts.append(self.conjunction())
        return disj(*parts)

    def conjunction(self) -> Expr:
        parts = [self.negation()]
        while self.peek() == ("op", "&&"):
            self.at += 1
            parts.append(self.negation())
        return conj(*parts)

    def negation(self) -> Expr:
        if self.peek() in (("op", "!"), ("op", "(")):
            self.depth += 1
            if self.depth > self.MAX_DEPTH:
                raise SelectorError(f"nested more than {self.MAX_DEPTH} deep")
            if self.peek() == ("op", "!"):
                self.at += 1
                found = neg(self.negation())
            else:
                self.at += 1
                found = self.disjunction()
                self.take(")")
            self.depth -= 1
            return found
        return self.match()

    def match(self) -> Expr:
        word = self.take(kind="word")
        if word in ("all", "global", "has") and self.peek() == ("op", "("):
            self.take("(")
            if word == "has":
                key = self.take(kind="word")
                self.take(")")
                return self.label(key, ("has",))
            self.take(")")
            return ALL if word == "all" else GLOBAL  # global(): what is in no namespace (no pod)
        key, token = word, self.peek()
        if token == ("op", "=="):
            self.at += 1
            return self.label(key, ("eq", self.take(kind="str")))
        if token == ("op", "!="):
            self.at += 1
            return neg(self.label(key, ("eq", self.take(kind="str"))))
        if token == ("word", "in"):
            self.at += 1
            return self.label(key, ("in", self.value_set()))
        if token == ("word", "not") and self.peek(1) == ("word", "in"):
            self.at += 2
            return neg(self.label(key, ("in", self.value_set())))
        if token == ("word", "contains"):
            self.at += 1
            return self.label(key, ("text", "contains", self.take(kind="str")))
        if token is not None and token[1] in ("starts", "ends") and self.peek(1) == ("word", "with"):
            self.at += 2
            return self.label(key, ("text", token[1], self.take(kind="str")))
        raise SelectorError(f"expected an operator after {key!r}")

    def value_set(self) -> tuple[str, ...]:
        self.take("{")
        values = []
        while self.peek() != ("op", "}"):
            values.append(self.take(kind="str"))
            if self.peek() == ("op", ","):
                self.at += 1
        self.take("}")
        return tuple(sorted(set(values)))

    def label(self, key: str, test: tuple) -> Expr:
        """The test (`("eq", value)`, `("in", values)`, `("has",)`, `("text",
        how, text)`) on a label: a label of known value is answered now; one
        that nothing in the manifests carries matches nothing."""
        op, *rest = test
        fixed = getattr(self.keys, "values", {}).get(key)
        if fixed is not None:
            return ALL if _test(op, rest, fixed) else NONE
        found = self.keys(key)
        if found is None:
            return NONE
        if op == "in" and not rest[0]:
            return NONE
        return (op, *found, *rest)


class FixedKeys:
    """A key map with labels of known value (`projectcalico.org/orchestrator: k8s`)."""

    def __init__(self, keys, fixed: dict[str, str]):
        self.keys, self.values = keys, fixed

    def __call__(self, key: str):
        return None if key in self.values else self.keys(key)


def _test(op: str, rest: list, value: str) -> bool:
    if op == "eq":
        return value == rest[0]
    if op == "in":
        return value in rest[0]
    if op == "has":
        return True
    how, text = rest
    return text in value if how == "contains" else value.startswith(text) if how == "starts" else value.endswith(text)

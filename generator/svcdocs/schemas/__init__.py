"""JSON Schemas (draft 2020-12) of the config and of every JSON output, shipped
in the package, printed by `svcdocs schema NAME` and published beside the docs
(https://svcdocs.github.io/svcdocs/schemas/NAME.json). The tests validate real
outputs against them with `jsonschema`.

The config is validated here against its schema, with a small validator of the
keywords that schema uses (type, enum, const, properties, additionalProperties,
items, required, pattern, minimum, minLength, local $ref): `jsonschema` would
add four packages and a third of a second to every command that reads a
config. It reports every error, each with the key path and what was expected,
and visits an object that several aliases share once, so an alias bomb costs
what its text costs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

NAMES = ("config", "graph", "environments", "findings", "review", "review-environments", "reach", "rules")
_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}
_SAID = {"object": "a mapping", "array": "a list", "string": "a string", "boolean": "true or false",
         "integer": "a whole number", "number": "a number", "null": "empty"}


def text(name: str) -> str:
    """The schema NAME as shipped."""
    if name not in NAMES:
        raise KeyError(name)
    return resources.files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8")


@cache
def load(name: str) -> dict:
    return json.loads(text(name))


@dataclass(frozen=True)
class Error:
    """One place where an instance breaks its schema."""

    path: tuple[str | int, ...]  # keys and list indexes from the top
    expected: str  # what the schema asks for there
    value: object = None  # what is there (for the message; never shown whole)
    unknown: str | None = None  # an unknown key, for additionalProperties: false


def errors(instance: object, schema: dict) -> list[Error]:
    """Every error of INSTANCE against SCHEMA, in document order."""
    found: list[Error] = []
    _check(instance, schema, schema, (), found, set())
    return found


def _check(value: object, schema: dict | bool, root: dict, path: tuple, found: list[Error], seen: set) -> None:
    if schema is True:
        return
    if schema is False:
        found.append(Error(path, "nothing here", value))
        return
    if isinstance(value, (dict, list)):
        key = (id(value), id(schema))
        if key in seen:  # the same object, shared by aliases: checked once
            return
        seen.add(key)
    if "$ref" in schema:
        _check(value, _resolve(schema["$ref"], root), root, path, found, seen)
    for part in schema.get("allOf", ()):
        _check(value, part, root, path, found, seen)
    if not _type_ok(value, schema.get("type")):
        found.append(Error(path, schema.get("title") or _types_said(schema["type"]), value))
        return
    if "const" in schema and value != schema["const"]:
        found.append(Error(path, json.dumps(schema["const"]), value))
    if "enum" in schema and not any(_same(value, e) for e in schema["enum"]):
        found.append(Error(path, "one of " + ", ".join(str(e) for e in schema["enum"]), value))
    if isinstance(value, str):
        _check_string(value, schema, path, found)
    elif isinstance(value, int) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            found.append(Error(path, f"a whole number of at least {schema['minimum']}", value))
    elif isinstance(value, dict):
        _check_mapping(value, schema, root, path, found, seen)
    elif isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            _check(item, schema["items"], root, (*path, i), found, seen)


def _check_string(value: str, schema: dict, path: tuple, found: list[Error]) -> None:
    if len(value) < schema.get("minLength", 0):
        found.append(Error(path, schema.get("title") or "a name, not empty", value))
    elif "pattern" in schema and not re.search(schema["pattern"], value):
        found.append(Error(path, schema.get("title") or f"text that matches {schema['pattern']}", value))


def _check_mapping(value: dict, schema: dict, root: dict, path: tuple, found: list[Error], seen: set) -> None:
    missing = [k for k in schema.get("required", ()) if k not in value]
    if missing:
        found.append(Error(path, "the key" + ("s " if len(missing) > 1 else " ") + ", ".join(missing)))
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for k, v in value.items():
        if k in properties:
            _check(v, properties[k], root, (*path, k), found, seen)
        elif extra is False:
            found.append(Error(path, "one of the keys " + ", ".join(properties), unknown=str(k)))
        else:
            _check(v, extra, root, (*path, k), found, seen)


def _resolve(ref: str, root: dict) -> dict:
    """A reference inside the same schema (`#/$defs/name`): all the config uses."""
    if not ref.startswith("#/"):
        raise ValueError(f"only local references are validated here, not {ref}")
    node: object = root
    for part in ref[2:].split("/"):
        node = node[part]  # type: ignore[index]
    return node  # type: ignore[return-value]


def _type_ok(value: object, types: str | list[str] | None) -> bool:
    if types is None:
        return True
    for name in [types] if isinstance(types, str) else types:
        if name == "integer" and isinstance(value, int) and not isinstance(value, bool):
            return True
        if name == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return True
        if name in _TYPES and isinstance(value, _TYPES[name]):
            return True
    return False


def _types_said(types: str | list[str]) -> str:
    return " or ".join(_SAID[t] for t in ([types] if isinstance(types, str) else types) if t != "null")


def _same(value: object, expected: object) -> bool:
    """JSON's equality: true is not 1."""
    return type(value) is type(expected) and value == expected

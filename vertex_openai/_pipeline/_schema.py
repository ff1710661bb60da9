"""JSON Schemas in the form Gemini accepts: tool parameters and `response_format` json_schema.

Vertex turns these schemas into Gemini's OpenAPI 3.0 subset. Pydantic and openai's `parse()` write
JSON Schema that the subset does not have; what that translation does, for Gemini models only:

- `$ref` into `$defs` / `definitions` is inlined and the definitions removed (same meaning);
  a schema that refers to itself (recursive) is refused: Google documents recursive schemas as
  unsupported, so a `ValueError` names the path before any request;
- `anyOf: [X, {"type": "null"}]` (pydantic's `Optional[X]`) and `type: [X, "null"]` become X with
  `nullable: true` (the subset's way to say the same);
- `const: v` (pydantic's one-value `Literal`) becomes `enum: [v]`; `allOf` of one schema is merged;
- annotations that constrain nothing are removed: `title`, `default`, `examples`, `$schema`, `$id`,
  `$comment`; `additionalProperties: false` and `true` are removed too (Gemini writes only the
  declared properties; an object without properties is free-form), while a schema-valued
  `additionalProperties` (`dict[str, X]`) is kept, translated.
Nothing that changes which values are valid is dropped: what cannot be kept is refused.
"""

from __future__ import annotations

from collections.abc import Mapping

from .._util import JSONObject

__all__ = ["gemini_schema", "gemini_schemas"]

_ANNOTATIONS = frozenset({"title", "default", "examples", "$schema", "$id", "$comment"})
_DEFINITIONS = ("$defs", "definitions")
# keywords whose value is a map of name -> schema, and whose value is a schema / a list of schemas
_SCHEMA_MAPS = frozenset({"properties", "patternProperties"})
_SCHEMA_VALUES = frozenset({"items", "additionalProperties", "not", "contains", "propertyNames"})
_SCHEMA_LISTS = frozenset({"anyOf", "oneOf", "allOf", "prefixItems"})
_NEEDS_WORK = _ANNOTATIONS | frozenset({"$ref", "$defs", "definitions", "const", "allOf"})


def gemini_schemas(body: Mapping[str, object]) -> Mapping[str, object]:
    """Request step: `tools[].function.parameters` and `response_format.json_schema.schema` of a chat
    body in the form Gemini accepts (see the module docstring). Returns `body` itself when nothing
    changes; raises `ValueError` naming the schema path for a recursive or unresolvable schema."""
    out: JSONObject | None = None
    tools = body.get("tools")
    if isinstance(tools, list):
        new_tools: list[object] | None = None
        for position, tool in enumerate(tools):
            function = tool.get("function") if isinstance(tool, Mapping) else None
            parameters = function.get("parameters") if isinstance(function, Mapping) else None
            if not isinstance(parameters, Mapping) or not isinstance(function, Mapping):
                continue
            translated = gemini_schema(parameters, f"tools[{position}].function.parameters")
            if translated is not parameters:
                new_tools = new_tools if new_tools is not None else list(tools)
                new_tools[position] = {**tool, "function": {**function, "parameters": translated}}
        if new_tools is not None:
            out = {**body, "tools": new_tools}
    response_format = body.get("response_format")
    json_schema = response_format.get("json_schema") if isinstance(response_format, Mapping) else None
    schema = json_schema.get("schema") if isinstance(json_schema, Mapping) else None
    if (
        isinstance(schema, Mapping)
        and isinstance(json_schema, Mapping)
        and isinstance(response_format, Mapping)
    ):
        translated = gemini_schema(schema, "response_format.json_schema.schema")
        if translated is not schema:
            out = out if out is not None else dict(body)
            out["response_format"] = {**response_format, "json_schema": {**json_schema, "schema": translated}}
    return body if out is None else out


def gemini_schema(schema: Mapping[str, object], path: str = "schema") -> Mapping[str, object]:
    """`schema` in the form Gemini accepts; `schema` itself when it already is one."""
    if not _needs_work(schema):
        return schema
    definitions: JSONObject = {"#": schema}
    for key in _DEFINITIONS:
        found = schema.get(key)
        if isinstance(found, Mapping):
            definitions.update({f"#/{key}/{name}": value for name, value in found.items()})
    return _translate(schema, path, definitions, ("#",))


def _needs_work(schema: object) -> bool:
    if isinstance(schema, Mapping):
        if (
            not _NEEDS_WORK.isdisjoint(schema.keys())
            or isinstance(schema.get("additionalProperties"), bool)
            or isinstance(schema.get("type"), list)
            or (isinstance(schema.get("anyOf"), list) and any(map(_is_null, schema["anyOf"])))
        ):
            return True
        return any(_needs_work(value) for value in schema.values())
    if isinstance(schema, list):
        return any(_needs_work(value) for value in schema)
    return False


def _translate(
    schema: Mapping[str, object], path: str, definitions: Mapping[str, object], refs: tuple[str, ...]
) -> JSONObject:
    ref = schema.get("$ref")
    if ref is not None:
        if not isinstance(ref, str) or ref not in definitions:
            raise ValueError(
                f"{path}: $ref {ref!r} does not point into the schema's own $defs; Gemini takes "
                "self-contained schemas only."
            )
        if ref in refs:
            raise ValueError(
                f"{path}: the schema is recursive ($ref {ref!r} refers back to itself); Gemini does not "
                "accept recursive schemas. Give the nesting a fixed depth (or a JSON string field)."
            )
        target = definitions[ref]
        if not isinstance(target, Mapping):
            raise ValueError(f"{path}: $ref {ref!r} is not a schema.")
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        resolved = _translate(target, path, definitions, (*refs, ref))
        return {**resolved, **_translate(siblings, path, definitions, refs)} if siblings else resolved
    out: JSONObject = {}
    for key, value in schema.items():
        where = f"{path}.{key}"
        if key in _ANNOTATIONS or key in _DEFINITIONS:
            continue
        if key == "additionalProperties" and isinstance(value, bool):
            continue
        if key in _SCHEMA_MAPS and isinstance(value, Mapping):
            out[key] = {
                name: _translate(sub, f"{where}.{name}", definitions, refs)
                if isinstance(sub, Mapping)
                else sub
                for name, sub in value.items()
            }
        elif key in _SCHEMA_VALUES and isinstance(value, Mapping):
            out[key] = _translate(value, where, definitions, refs)
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [
                _translate(sub, f"{where}[{i}]", definitions, refs) if isinstance(sub, Mapping) else sub
                for i, sub in enumerate(value)
            ]
        elif key == "const":
            out["enum"] = [value]
        else:
            out[key] = value
    return _simplified(out)


def _simplified(schema: JSONObject) -> JSONObject:
    """`Optional` and one-schema `allOf` in the subset's words (after the parts were translated)."""
    kind = schema.get("type")
    if isinstance(kind, list) and "null" in kind:
        rest = [k for k in kind if k != "null"]
        schema["type"] = rest[0] if len(rest) == 1 else rest
        schema["nullable"] = True
    any_of = schema.get("anyOf")
    if isinstance(any_of, list) and any(_is_null(sub) for sub in any_of):
        rest = [sub for sub in any_of if not _is_null(sub)]
        del schema["anyOf"]
        if len(rest) == 1 and isinstance(rest[0], dict):
            schema = {**rest[0], **schema}
        elif rest:
            schema["anyOf"] = rest
        schema["nullable"] = True
    all_of = schema.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], dict):
        del schema["allOf"]
        schema = {**all_of[0], **schema}
    return schema


def _is_null(schema: object) -> bool:
    return isinstance(schema, Mapping) and schema.get("type") == "null" and len(schema) == 1

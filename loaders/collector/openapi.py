"""The API's OpenAPI document and its docs page, written from the served sources' formats.

The event fields, their types, required and accepted values come from the
format declarations (macros/formats), the same that staging applies, so the
documentation cannot drift from the contract.
"""

from __future__ import annotations

import re
from html import escape

from .sources import ApiSource

_JSON_TYPES = {
    "string": {"type": "string"},
    "url": {"type": "string", "format": "uri"},
    "timestamp": {"type": "string", "format": "date-time",
                  "description_suffix": "With an offset (Z, +01:00, +0100), or UTC when none."},
    "date": {"type": "string", "format": "date"},
    "number": {"type": ["number", "string"]},
    "integer": {"type": ["integer", "string"]},
    "boolean": {"type": ["boolean", "string"]},
    "list": {"type": "string"},
}
_ANSWERS = {
    "200": "All events stored (fdatasync'd to the spool): `{\"accepted\": N}`.",
    "400": "Some events break the contract (or the body is not JSON): `accepted`, `rejected` and per-event "
           "`errors` (`index`, `problems`). Every event was stored; the rejected ones are recorded with their "
           "reason and never reach the marts. Fix and send those again.",
    "401": "Missing or unknown write key. Nothing stored.",
    "403": "The request's Origin is not in the source's `cors_origins`. Nothing stored.",
    "413": "Body larger than the source's `max_body_bytes`. Nothing stored.",
    "429": "The key's rate limit is exceeded. Nothing stored; send again after `Retry-After` seconds.",
    "503": "The spool could not store the events (disk full or failing). Nothing stored; send again later.",
}


def event_schema(api: ApiSource) -> dict:
    fmt = api.source.format
    properties = {}
    for column in fmt.columns:
        if not column.source:
            continue
        shape = dict(_JSON_TYPES.get(column.type, {"type": "string"}))
        suffix = shape.pop("description_suffix", "")
        prop = {**shape, "description": " ".join(filter(None, [column.description, suffix]))}
        if column.accepted:
            prop["enum"] = list(column.accepted)
        if column.default is not None:
            prop["default"] = column.default
        properties[column.source] = prop
    schema = {
        "type": "object",
        "title": fmt.vendor or fmt.name,
        "description": f"One event of format {fmt.name}: the fields of its file dump, by the same names.",
        "properties": properties,
        "required": [c.source for c in fmt.columns if c.source and c.required and c.default is None],
        "additionalProperties": True,
    }
    groups = fmt.extra.get("one_of_required") or []
    if groups:
        names = {c.name: c.source for c in fmt.columns if c.source}
        schema["allOf"] = [{"anyOf": [{"required": [names[n]]} for n in group]} for group in groups]
    return schema


def openapi(sources: list[ApiSource]) -> dict:
    schemas, refs = {}, []
    for api in sources:
        name = api.source.format.name
        if name not in schemas:
            schemas[name] = event_schema(api)
            refs.append({"$ref": f"#/components/schemas/{name}"})
    event = {"oneOf": refs} if len(refs) > 1 else (refs[0] if refs else {"type": "object"})
    answer = {"content": {"application/json": {"schema": {"type": "object"}}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "retail-imports Event API",
            "version": "1",
            "description": "Events POSTed by sites and apps (vendor spec 001, \"Event API Integration\"). The write "
                           "key says which source (retailer and dataset) the events belong to, and so which format "
                           "they follow: "
                           + ", ".join(f"{a.key} ({a.source.format.name})" for a in sources) + ".",
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "The source's write key."},
                "key": {"type": "apiKey", "in": "query", "name": "key",
                        "description": "The write key, for browser tags (navigator.sendBeacon cannot set headers)."},
            },
        },
        "security": [{"bearer": []}, {"key": []}],
        "paths": {
            "/v1/events": {"post": {
                "summary": "Send events: one JSON object, a JSON array of them, or NDJSON (one object per line)",
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"oneOf": [event, {"type": "array", "items": event}]}},
                    "application/x-ndjson": {"schema": {"type": "string", "description": "One event per line."}},
                    "text/plain": {"schema": {"type": "string", "description": "JSON, as browsers send beacons."}},
                }},
                "responses": {code: {"description": text, **answer} for code, text in _ANSWERS.items()},
            }},
            "/health": {"get": {"summary": "Liveness: the sources served", "security": [],
                                "responses": {"200": {"description": "Serving.", **answer}}}},
            "/tag.js": {"get": {"summary": "The page-view tag for browsers", "security": [],
                                "responses": {"200": {"description": "JavaScript."}}}},
        },
    }


def _code(text: str) -> str:
    """Escaped text, its `quoted` parts as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text))


def docs_html(spec: dict) -> str:
    """A readable page of the OpenAPI document: self-contained (no script, nothing fetched)."""
    parts = [f"<h1>{escape(spec['info']['title'])}</h1>", f"<p>{escape(spec['info']['description'])}</p>",
             "<h2>POST /v1/events</h2>",
             "<p>Body: one JSON object, a JSON array of them, or NDJSON (<code>Content-Type: "
             "application/x-ndjson</code>). Key: <code>Authorization: Bearer KEY</code>, or <code>?key=KEY</code> "
             "from a browser. Example:</p>",
             "<pre>curl -H \"Authorization: Bearer $KEY\" -H 'Content-Type: application/json' \\\n"
             "  -d '{\"event_time\": \"2024-06-01T10:00:00Z\", \"visitor_id\": \"v1\", "
             "\"url\": \"https://shop.example/\"}' \\\n  https://collector.example/v1/events</pre>",
             "<h3>Answers</h3><table><tr><th>status</th><th>meaning</th></tr>"]
    post = spec["paths"]["/v1/events"]["post"]
    parts += [f"<tr><td>{code}</td><td>{_code(r['description'])}</td></tr>" for code, r in post["responses"].items()]
    parts.append("</table>")
    for name, schema in spec["components"]["schemas"].items():
        required = set(schema.get("required", []))
        parts += [f"<h2 id='{escape(name)}'>{escape(schema['title'])} <small>({escape(name)})</small></h2>",
                  f"<p>{escape(schema['description'])}</p>",
                  "<table><tr><th>field</th><th>type</th><th>required</th><th>meaning</th></tr>"]
        for field, prop in schema["properties"].items():
            kind = prop.get("format") or (prop["type"] if isinstance(prop["type"], str) else prop["type"][0])
            if "enum" in prop:
                kind = " / ".join(prop["enum"])
            parts.append(f"<tr><td><code>{escape(field)}</code></td><td>{escape(kind)}</td>"
                         f"<td>{'yes' if field in required else ''}</td><td>{escape(prop['description'])}</td></tr>")
        parts.append("</table>")
        for rule in schema.get("allOf", []):
            names = " or ".join(r["required"][0] for r in rule["anyOf"])
            parts.append(f"<p>One of {escape(names)} is required.</p>")
    style = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}"
             "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;"
             "text-align:left;vertical-align:top}pre{background:#f4f4f4;padding:1rem;overflow:auto}")
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Event API</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}"
            "<p>Machine-readable: <a href='openapi.json'>openapi.json</a>.</p></body></html>")

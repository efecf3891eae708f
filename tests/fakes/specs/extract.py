"""Re-extract the API-description subsets the fakes validate against (run by hand, not by pytest).

    python tests/fakes/specs/extract.py DISCORD_OPENAPI_JSON SLACK_WEB_OPENAPI_JSON

DISCORD_OPENAPI_JSON is ``specs/openapi.json`` of github.com/discord/discord-api-spec;
SLACK_WEB_OPENAPI_JSON is ``web-api/slack_web_openapi_v2_without_examples.json`` of
github.com/slackapi/slack-api-specs. Only the operations Gavel calls are kept (the lists below),
with the schemas they reference; prose (descriptions, titles, examples) is dropped to keep the
files small. Slack's form parameters become one JSON Schema per method, as the fake sees a
request after merging query string, form and JSON body; Slack's id patterns are dropped (tests
use short ids such as C1 and U1).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent

DISCORD_OPERATIONS = [
    ("GET", "/gateway/bot"),
    ("GET", "/users/@me"),
    ("GET", "/users/{user_id}"),
    ("POST", "/users/@me/channels"),
    ("GET", "/channels/{channel_id}"),
    ("POST", "/channels/{channel_id}/messages"),
    ("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me"),
    ("POST", "/interactions/{interaction_id}/{interaction_token}/callback"),
    ("POST", "/webhooks/{webhook_id}/{webhook_token}"),
    ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"),
    ("PUT", "/applications/{application_id}/commands"),
    ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands"),
    ("GET", "/guilds/{guild_id}/scheduled-events"),
    ("POST", "/guilds/{guild_id}/scheduled-events"),
    ("PATCH", "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}"),
    ("DELETE", "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}"),
]
SLACK_METHODS = ["auth.test", "chat.postMessage", "chat.postEphemeral", "reactions.add",
                 "conversations.setTopic", "users.info", "oauth.v2.access"]
# Slack sends these as JSON-encoded strings in forms; the fake decodes them before checking.
SLACK_JSON_FIELDS = {"blocks", "attachments"}
PROSE = {"description", "title", "example", "examples"}


def _strip(node: Any) -> Any:
    """Drop prose annotations (only string-valued ones: a property may be *named* description)."""
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items()
                if not (k in PROSE and isinstance(v, str | list)) and not k.startswith("x-")}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.add(value)
            else:
                _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def _closure(doc: dict[str, Any], roots: Any, prefix: str) -> dict[str, Any]:
    """Every schema under ``prefix`` (e.g. ``#/components/schemas/``) reachable from roots."""
    todo: set[str] = set()
    _refs(roots, todo)
    kept: dict[str, Any] = {}
    while todo:
        ref = todo.pop()
        name = ref.removeprefix(prefix)
        if name in kept:
            continue
        node = doc
        for part in ref[2:].split("/"):
            node = node[part]
        kept[name] = _strip(node)
        _refs(kept[name], todo)
    return dict(sorted(kept.items()))


def discord_subset(doc: dict[str, Any], source: str) -> dict[str, Any]:
    operations: dict[str, Any] = {}
    for method, path in DISCORD_OPERATIONS:
        op = doc["paths"][path][method.lower()]
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        responses = {}
        for status, answer in op["responses"].items():
            if status.startswith("2"):
                content = answer.get("content", {}).get("application/json")
                responses[status] = _strip(content["schema"]) if content else None
        operations[f"{method} {path}"] = {
            "request": _strip(body["schema"]) if body else None, "responses": responses}
    schemas = _closure(doc, operations, "#/components/schemas/")
    return {"source": source, "operations": operations, "components": {"schemas": schemas}}


def _slack_param(param: dict[str, Any]) -> dict[str, Any]:
    kind = param.get("type", "string")
    if param["name"] in SLACK_JSON_FIELDS:
        return {"type": ["string", "array"]}
    if kind == "boolean":  # forms carry "true"/"1"; JSON bodies carry true
        return {"type": ["boolean", "string"], "pattern": "^(true|false|1|0)$"}
    if kind in ("integer", "number"):
        return {"type": [kind, "string"], "pattern": "^-?[0-9.]+$"}
    return {"type": "string"}


def slack_subset(doc: dict[str, Any], source: str) -> dict[str, Any]:
    methods: dict[str, Any] = {}
    for name in SLACK_METHODS:
        (op,) = doc["paths"][f"/{name}"].values()
        params = [p for p in op.get("parameters", []) if p["in"] in ("formData", "query")
                  and p["name"] != "token"]
        request = {"type": "object",
                   "properties": {p["name"]: _slack_param(p) for p in params},
                   "required": sorted(p["name"] for p in params if p.get("required"))}
        methods[name] = {"request": request, "ok": _strip(op["responses"]["200"]["schema"])}
    definitions = _closure(doc, methods, "#/definitions/")
    for name, schema in definitions.items():
        # Tests pick short ids (C1, U1); the id patterns say nothing about the fake's shape.
        if name.startswith("defs_") and name != "defs_ts":
            schema.pop("pattern", None)
    return {"source": source, "methods": methods, "definitions": definitions}


def main(discord_path: str, slack_path: str) -> None:
    for path, build, out in ((discord_path, discord_subset, "discord.json"),
                             (slack_path, slack_subset, "slack.json")):
        doc = json.loads(Path(path).read_text())
        subset = build(doc, f"{Path(path).name} version {doc['info'].get('version')}")
        (HERE / out).write_text(json.dumps(subset, indent=None, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:3])

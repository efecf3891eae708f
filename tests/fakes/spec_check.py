"""Hold the fakes to the vendors' published API descriptions (subsets in ``specs/``).

A fake that accepts what the real service refuses, or answers what it never would, lets a bug
through; checking every request and reply against the vendor's own schema stops the fake from
drifting. ``specs/README.md`` names the source documents; ``specs/extract.py`` re-extracts them.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.protocols import Validator

SPECS = Path(__file__).parent / "specs"


@cache
def _document(name: str) -> dict[str, Any]:
    return json.loads((SPECS / f"{name}.json").read_text())


@cache
def _validator(name: str, *keys: str) -> Validator | None:
    """Validator for one schema of the document, resolving its ``#/...`` references."""
    doc = _document(name)
    schema: Any = doc
    for key in keys:
        schema = schema.get(key) if isinstance(schema, dict) else None
    if schema is None:
        return None
    # The shared definitions ride along so ``#/components/...`` / ``#/definitions/...`` resolve.
    if name == "discord":
        components = doc["components"]
        if keys[-1] == "request":
            # Discord reads a snowflake in a request as a string or an integer (discord.py sends
            # attachment ids as 0, 1, ...); its replies always carry strings.
            schemas = components["schemas"]
            loose = {"anyOf": [schemas["SnowflakeType"], {"type": "integer", "minimum": 0}]}
            components = {"schemas": {**schemas, "SnowflakeType": loose}}
        return Draft202012Validator({**schema, "components": components})
    return Draft4Validator({**schema, "definitions": doc["definitions"]})


def _leaves(error: ValidationError) -> list[ValidationError]:
    if not error.context:
        return [error]
    return [leaf for sub in error.context for leaf in _leaves(sub)]


def problem(name: str, keys: tuple[str, ...], instance: Any) -> ValidationError | None:
    """The most relevant way ``instance`` breaks the schema at ``keys`` (None: it fits, or the
    description has no schema there)."""
    validator = _validator(name, *keys)
    errors = [] if validator is None else list(validator.iter_errors(instance))
    leaves = [leaf for error in errors for leaf in _leaves(error)]
    # A mismatched const/enum mostly marks a union branch that was not meant; another leaf
    # (a length, a missing field) is the real complaint when there is one.
    meant = [leaf for leaf in leaves if leaf.validator not in ("enum", "const")] or [
        leaf for leaf in leaves if list(leaf.absolute_path)[-1:] != ["type"]]
    return max(meant, key=lambda leaf: len(leaf.absolute_path), default=best_match(errors))


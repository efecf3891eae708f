"""Logging as the operator sets it: ``$GAVEL_LOG_LEVEL`` and ``$GAVEL_LOG_FORMAT``.

``GAVEL_LOG_FORMAT=json`` writes one JSON object per line (time, level, logger, message,
and the traceback if any) for a log collector; ``text`` (the default) is for people.
Either way no token reaches the log: every line is scrubbed of the secrets in the
environment and of anything shaped like a Slack, GitHub or Discord token.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime

LEVEL_VARIABLE = "GAVEL_LOG_LEVEL"
FORMAT_VARIABLE = "GAVEL_LOG_FORMAT"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
FORMATS = ("text", "json")
SECRET_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN",
                    "SLACK_CLIENT_SECRET", "DISCORD_TOKEN", "GITHUB_TOKEN",
                    "GITHUB_APP_PRIVATE_KEY", "POSTGRES_PASSWORD")
# Shapes of tokens, whether or not this process was given them (one pasted into a message).
TOKEN_SHAPES = re.compile(
    r"xox[abposr]-[A-Za-z0-9-]{8,}|xapp-[A-Za-z0-9-]{8,}|gh[pousr]_[A-Za-z0-9]{20,}"
    r"|github_pat_[A-Za-z0-9_]{20,}|[MNO][A-Za-z\d_-]{23,25}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,}"
    r"|(?<=://)[^/\s:@]+:[^/\s@]+(?=@)")  # a password in a URL
REDACTED = "<redacted>"
QUIET_UNLESS_DEBUGGING = ("aiohttp.access", "alembic", "apscheduler")


class LogSettingError(ValueError):
    """A log setting in the environment that is not one of the choices."""


class Scrubber:
    """Removes the environment's secrets and token-shaped strings from a line."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.secrets = sorted({value for name in SECRET_VARIABLES
                               if len(value := env.get(name, "")) >= 8}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return TOKEN_SHAPES.sub(REDACTED, text)


class TextFormatter(logging.Formatter):
    def __init__(self, scrub: Scrubber) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.scrub = scrub

    def format(self, record: logging.LogRecord) -> str:
        return self.scrub(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (newlines in messages are escaped)."""

    def __init__(self, scrub: Scrubber) -> None:
        super().__init__()
        self.scrub = scrub

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self.scrub(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = self.scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def log_settings(env: Mapping[str, str], default_level: str) -> tuple[int, str]:
    """The level and format the environment asks for; a value that is not one of the
    choices is refused with the choices."""
    level = (env.get(LEVEL_VARIABLE) or default_level).strip().upper()
    if level not in LEVELS:
        raise LogSettingError(f"${LEVEL_VARIABLE}: {level!r} is not a log level: use one of "
                              f"{', '.join(LEVELS)}")
    form = (env.get(FORMAT_VARIABLE) or "text").strip().lower()
    if form not in FORMATS:
        raise LogSettingError(f"${FORMAT_VARIABLE}: {form!r} is not a log format: use "
                              f"{' or '.join(FORMATS)}")
    return getattr(logging, level), form


def configure_logging(default_level: str = "WARNING",
                      env: Mapping[str, str] | None = None) -> None:
    """Send every log record to stderr in the chosen format, scrubbed."""
    env = os.environ if env is None else env
    level, form = log_settings(env, default_level)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "gavel", False)]:
        root.removeHandler(old)
    if root.handlers:  # like basicConfig: whoever set logging up first (a test runner) keeps it
        return
    handler = logging.StreamHandler()
    handler.gavel = True  # type: ignore[attr-defined]
    scrub = Scrubber(env)
    handler.setFormatter(JsonFormatter(scrub) if form == "json" else TextFormatter(scrub))
    root.addHandler(handler)
    root.setLevel(level)
    # One line per HTTP request (healthchecks every few seconds), each migration step and
    # each scheduler wake-up only when debugging.
    for chatty in QUIET_UNLESS_DEBUGGING:
        logging.getLogger(chatty).setLevel(
            logging.DEBUG if level <= logging.DEBUG else logging.WARNING)

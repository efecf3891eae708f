"""Reading the config file: TOML in, validated ``Settings`` out, with errors that name the
file and the key, and what the environment overrides (data folder, web address).

Apart from ``bot.config`` (the settings) because the checks need the schedule rules
(``bot.schedules.recurrence``), which read the settings themselves: the settings never
depend on the rules. The only module that imports pydantic, and only when a file is read.
"""

from __future__ import annotations

import os
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import (
    DEFAULT_CONFIG_PATH,
    WEB_HOST_VARIABLE,
    WEB_PORT_VARIABLE,
    ConfigError,
    Settings,
)

if TYPE_CHECKING:
    from pydantic import TypeAdapter


def _describe(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


@cache
def _adapter() -> TypeAdapter[Settings]:
    """pydantic's validator for the settings dataclasses, built on the first file read
    (~70 ms): pydantic is imported only here, so a start without a file never loads it."""
    from pydantic import TypeAdapter

    return TypeAdapter(Settings)


def parse_settings(data: dict[str, Any], source: str) -> Settings:
    """Validate a parsed TOML document; errors name the file and the key."""
    from pydantic import ValidationError

    try:
        settings = _adapter().validate_python(data)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            key = _describe(error["loc"])
            if error["type"] == "unexpected_keyword_argument":  # a dataclass's "extra"
                message = "unknown key"
            elif error["type"] == "dataclass_type":  # in the words users had before
                message = ("Input should be a valid dictionary or instance of "
                           f"{error['ctx']['class_name']}")
            else:
                message = error["msg"].removeprefix("Value error, ")
            lines.append(f"{source}: {key}: {message}")
        raise ConfigError("\n".join(lines)) from None
    _check_skip_dates(settings, source)
    return settings


def _check_skip_dates(settings: Settings, source: str) -> None:
    """A skip date the schedule never meets on is refused now, not silently ignored."""
    if not any(g.schedule is not None and g.schedule.skip for g in settings.groups):
        return
    # Only then: the rules bring dateutil, which a replay or a console never needs.
    from bot.schedules.recurrence import ScheduleError, check_skips

    for n, group in enumerate(settings.groups):
        try:
            check_skips(group)
        except ScheduleError as exc:
            raise ConfigError(f"{source}: groups[{n}].{exc.key}: group {group.name!r}: "
                              f"{exc.problem}") from None


def load_settings(path: Path | None = None) -> Settings:
    """Read the config file named by ``path``, ``$GAVEL_CONFIG`` or ``./gavel.toml``.

    With no file at the default place the bot still starts, with one default group.
    ``$GAVEL_DATA_DIR`` overrides ``data_dir`` (see ``_with_data_dir``).
    """
    explicit = path is not None or "GAVEL_CONFIG" in os.environ
    path = path or Path(os.environ.get("GAVEL_CONFIG", DEFAULT_CONFIG_PATH))
    if not path.exists():
        if explicit:
            raise ConfigError(f"{path}: no such file")
        return _with_web_address(_with_data_dir(Settings(), Path.cwd()))
    import tomllib  # only for a file: a replay or a console without one never parses TOML

    try:
        data = tomllib.loads(_decode(path.read_bytes(), path))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    settings = _with_data_dir(parse_settings(data, str(path)), path.parent)
    return _with_web_address(_with_template_paths(settings, path))


def _decode(raw: bytes, path: Path) -> str:
    """The file's text. TOML is UTF-8; a byte-order mark (Windows editors add one) is
    accepted, and any other encoding is named with the fix instead of a decoder's error."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(raw) > 1 and b"\x00" in raw[:64]):
        raise ConfigError(f"{path}: saved as UTF-16, but a config must be UTF-8: save it "
                          "again as UTF-8 (in Notepad: Save As, Encoding: UTF-8)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: line {line}: byte 0x{raw[exc.start]:02x} is not UTF-8 "
                          "(the file looks saved as Latin-1 or another legacy encoding): "
                          "save it again as UTF-8") from None


DATA_DIR_VARIABLE = "GAVEL_DATA_DIR"


def _with_data_dir(settings: Settings, base: Path) -> Settings:
    """Where state lives: ``$GAVEL_DATA_DIR`` when set, whatever the file says (a container
    keeps everything in its volume), else ``data_dir`` relative to the config file's folder,
    like template files: the same config finds the same data from any working folder."""
    data_dir = os.environ.get(DATA_DIR_VARIABLE) or ""
    if data_dir:
        return replace(settings, data_dir=str(Path(data_dir).resolve()))
    if Path(settings.data_dir).is_absolute():
        return settings
    return replace(settings, data_dir=str((base / settings.data_dir).resolve()))




def _with_web_address(settings: Settings) -> Settings:
    """``$GAVEL_WEB_HOST`` and ``$GAVEL_WEB_PORT`` over ``[web] host``/``port``: where the
    server listens is a fact of the deployment (a container listens on 0.0.0.0, on the port
    its healthcheck asks), not of the group's config."""
    host = os.environ.get(WEB_HOST_VARIABLE, "").strip()
    port_text = os.environ.get(WEB_PORT_VARIABLE, "").strip()
    update: dict[str, Any] = {}
    if host:
        update["host"] = host
    if port_text:
        if not port_text.isdigit() or int(port_text) > 65535:
            raise ConfigError(f"${WEB_PORT_VARIABLE}: {port_text!r} is not a port number: "
                              "use 0 to 65535 (0: any free port)")
        update["port"] = int(port_text)
    if not update:
        return settings
    return replace(settings, web=replace(settings.web, **update))


BUILT_IN_TEMPLATES = ("nodejs", "nodejs-tsc", "meetbot")


def _with_template_paths(settings: Settings, path: Path) -> Settings:
    """Template files are named relative to the config file; each must exist now, not
    when a meeting ends."""
    groups = []
    for n, group in enumerate(settings.groups):
        if group.template in BUILT_IN_TEMPLATES:
            groups.append(group)
            continue
        template = (path.parent / group.template).resolve()
        if not template.is_file():
            raise ConfigError(f"{path}: groups[{n}].template: {group.template!r} is neither a "
                              f"built-in layout ({', '.join(BUILT_IN_TEMPLATES)}) nor a file")
        groups.append(replace(group, template=str(template)))
    return replace(settings, groups=groups)

"""Gavel's configuration: one TOML file, validated before anything starts.

Secrets never live in the file: tokens come from the environment (see ``Secrets``), so a
config can be committed and shared. A bad file is refused with the file, the key and what
is wrong, because "invalid config" alone sends a user hunting.
"""

from __future__ import annotations

import os
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_CONFIG_PATH = Path("gavel.toml")

NODEJS_ZONES: tuple[tuple[str, str], ...] = (
    ("US / Pacific", "America/Los_Angeles"),
    ("US / Mountain", "America/Denver"),
    ("US / Central", "America/Chicago"),
    ("US / Eastern", "America/New_York"),
    ("EU / Western", "Europe/London"),
    ("EU / Central", "Europe/Amsterdam"),
    ("EU / Eastern", "Europe/Helsinki"),
    ("Moscow", "Europe/Moscow"),
    ("Chennai", "Asia/Kolkata"),
    ("Hangzhou", "Asia/Shanghai"),
    ("Tokyo", "Asia/Tokyo"),
    ("Sydney", "Australia/Sydney"),
)


MINUTES_PATH_FIELDS = frozenset({"date", "year", "month", "day", "group", "id"})
_REPOSITORY = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")


class ConfigError(Exception):
    """A configuration problem, worded for the person who edits the file."""


def _check_path_pattern(value: str) -> str:
    names = {name for _, name, _, _ in string.Formatter().parse(value) if name}
    unknown = names - MINUTES_PATH_FIELDS
    if unknown:
        known = ", ".join("{" + f + "}" for f in sorted(MINUTES_PATH_FIELDS))
        raise ValueError(f"unknown placeholder {{{sorted(unknown)[0]}}} in {value!r} "
                         f"(use {known})")
    return value


def _check_repository(value: str) -> str:
    if value and not _REPOSITORY.fullmatch(value):
        raise ValueError(f"{value!r} is not a repository: write it as owner/name")
    return value


def _check_public_url(value: str) -> str:
    value = value.strip().rstrip("/")
    if value and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
        raise ValueError(f"{value!r} is not an http(s) address such as "
                         "'https://gavel.example.org'")
    if len(value) > 200:  # short links under it must stay short (Discord: 512)
        raise ValueError("must be 200 characters or fewer")
    return value


def _check_unique_names(groups: list[Group]) -> list[Group]:
    seen: set[str] = set()
    for group in groups:
        if group.name.casefold() in seen:
            raise ValueError(f"two groups are named {group.name!r}: names must differ")
        seen.add(group.name.casefold())
    return groups


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r} (use an IANA name such as "
                         "'America/New_York' or 'UTC')") from None
    return value


@dataclass(frozen=True)
class _Check:
    """A field's own check, run by pydantic after the type's when a file is validated
    (``bot.config_file``), as ``pydantic.AfterValidator`` would be: it returns the value to
    keep or raises ``ValueError`` with the text the user sees under the field's key. The
    settings never import pydantic themselves (a start without a file needs none of it)."""

    function: Callable[[Any], Any]

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], Any]) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_after_validator_function(self.function, handler(source))


Zone = Annotated[str, _Check(_check_zone)]
Repository = Annotated[str, _Check(_check_repository)]


def _limits(**limits: int | float) -> dict[str, int | float]:
    """A field's limits (``gt``, ``ge``, ``le``, ``min_length``), kept in the field's
    metadata, where pydantic reads them as ``Field`` arguments when a file is validated
    (``bot.config_file``) and words a breach its own way ("Input should be greater than 0").
    Not ``Annotated[int, annotated_types.Gt(0)]``: importing annotated_types costs a start
    without a file ~7 ms, a tenth of what leaving pydantic out saves."""
    return limits


class _Strict:
    """The settings are plain frozen dataclasses, so that a start without a config file
    (a replay, the console) never imports pydantic; ``bot.config_file`` validates a file
    into them with pydantic, which honours this: unknown keys are errors, as a typo must not
    silently fall back to a default. A field's limits are in its metadata (``_limits``),
    Gavel's own checks in its annotation (``_Check``): pydantic reads both."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}


@dataclass(frozen=True, kw_only=True)
class ChannelBinding(_Strict):
    """Where a group meets: one chat channel on one platform."""

    platform: Literal["slack", "discord", "console"]
    channel: str
    workspace: str = ""
    voice_channel: str = ""


@dataclass(frozen=True, kw_only=True)
class Links(_Strict):
    join: str = ""
    observers: str = ""
    calendar: str = "https://nodejs.org/calendar"
    minutes_doc: str = ""


@dataclass(frozen=True, kw_only=True)
class Schedule(_Strict):
    """When a group meets: an RRULE on wall-clock time in a zone, or an ICS feed.

    The rule, zone, dates and feed are checked per group when the schedule is computed
    (``bot/schedules``), not here: one group's typo must not stop every other group's
    reminders, so it is reported with the group's name and the key instead.
    """

    rrule: str = ""  # "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"
    start: str = ""  # first occurrence, local wall-clock time: "2026-01-08T14:00"
    timezone: str = "UTC"
    duration_minutes: int = field(default=60, metadata=_limits(gt=0))
    ics_url: str = ""
    ics_filter: str = ""  # only feed events whose summary contains this (any case)
    skip: list[str] = field(default_factory=list)  # local dates: "2026-12-24"
    moves: dict[str, str] = field(default_factory=dict)  # "2026-02-05" = "2026-02-06T15:00"
    # Meetings materialised this far ahead.
    horizon_days: int = field(default=30, metadata=_limits(gt=0, le=400))
    # A missed reminder is still posted this late.
    grace_minutes: int = field(default=60, metadata=_limits(ge=0))


@dataclass(frozen=True, kw_only=True)
class MinutesStyle(_Strict):
    """How a group's minutes read, where groups differ (``[groups.minutes]``).

    The defaults are what the most recent files of the Node.js corpus use (shared/corpus:
    the TSC and Security WG minutes of the last year), so a new group's minutes look like
    current Node.js minutes; a group whose published files differ sets these.
    """

    # How a present person is listed: "Name @handle" (TSC), "Name: @handle" (Security WG
    # since 2022), "Name (@handle)" (older files). "from Affiliation" follows the name.
    present_line: Literal["Name @handle", "Name: @handle", "Name (@handle)"] = "Name @handle"
    # The spelling in "*Extracted from **label** labeled issues and pull requests ...".
    label_spelling: Literal["labeled", "labelled"] = "labeled"
    # The label sentence first under its heading (before the announcements), or after them,
    # right before the items it introduces.
    label_first: bool = True
    # The calendar entry under "Upcoming Meetings" and the sentence after it (empty: none).
    calendar_name: str = "Node.js Project Calendar"
    calendar_text: str = ("Click `Add to Google Calendar` at the bottom left to add to your "
                          "own Google calendar.")
    # A blank line between the agenda items of a repository (the Security WG's habit).
    blank_between_items: bool = False
    # "Agreed: ", "Action (owners): ", "Idea: "... before such notes; false: as typed.
    note_prefixes: bool = True
    # The closing section's heading ("" = the layout's own: "Q&A, Other" in nodejs,
    # "Strategic Initiatives" in nodejs-tsc); `#topic <heading>` moves there.
    closing_heading: str = ""
    # The Links entry for the meeting's notes (``#meetinglink doc``): "" names it by where
    # it is, "Minutes Google Doc" for a Google Doc and "Minutes" otherwise; a group that
    # kept its template's "Minutes Google Doc" after moving its notes elsewhere sets it.
    doc_link_name: str = ""


@dataclass(frozen=True, kw_only=True)
class Group(_Strict):
    """A working group: who meets, where, and how its minutes look."""

    name: str = field(metadata=_limits(min_length=1))
    title: str = ""
    github_org: str = ""
    github_orgs: list[str] = field(default_factory=list)
    agenda_label: str = ""
    agenda_labels: list[str] = field(default_factory=list)
    minutes_repo: Repository = ""
    minutes_path: Annotated[str, _Check(_check_path_pattern)] = "meetings/{date}.md"
    issue_repo: Repository = ""
    # Optional: each action item also becomes an issue here (closed with it, both ways).
    actions_repo: Repository = ""
    issue_days_ahead: int = field(default=2, metadata=_limits(ge=0))
    timezone: Zone = "UTC"
    zones: list[str] = field(default_factory=list)
    links: Links = field(default_factory=Links)
    standing_items: list[str] = field(default_factory=list)
    invitees: str = ""
    chairs: list[str] = field(default_factory=list)
    channels: list[ChannelBinding] = field(default_factory=list)
    # The public calendar feed carries the join link (and any passcode in it) only if true:
    # a feed URL gets pasted into shared calendars, a meeting's passcode should not.
    feed_join_link: bool = False
    template: str = "nodejs"
    minutes: MinutesStyle = field(default_factory=MinutesStyle)
    # The meeting's live HackMD note (bot/hackmd): on with ``hackmd = true``, or by naming
    # the HackMD team whose workspace holds the notes.
    hackmd: bool = False
    hackmd_team: str = ""
    schedule: Schedule | None = None
    # Attendance over time: who counts toward quorum (names, GitHub handles or user ids),
    # and how many of them must be present (0: a majority).
    members: list[str] = field(default_factory=list)
    quorum: int = field(default=0, metadata=_limits(ge=0))
    # The web archive: "private" (only through the group's secret link) or "public"
    # (also at /groups/<slug>/ for anyone).
    archive: Literal["private", "public"] = "private"
    reminders: list[str] = field(default_factory=lambda: ["24h", "1h", "0m"])
    # MeetBot's rule, for groups that want it: only chairs move the topic.
    chair_only_topic: bool = False
    # Votes: who may vote, by platform user id or console nick as for chairs (empty:
    # anyone), and the ballots a result needs (meetingology's #votesrequired; 0: none).
    voters: list[str] = field(default_factory=list)
    votes_required: int = field(default=0, metadata=_limits(ge=0))

    @property
    def meeting_title(self) -> str:
        return self.title or f"{self.name} Meeting"

    @property
    def orgs(self) -> list[str]:
        return self.github_orgs or ([self.github_org] if self.github_org else [])

    @property
    def labels(self) -> list[str]:
        return self.agenda_labels or ([self.agenda_label] if self.agenda_label else [])

    @property
    def uses_github(self) -> bool:
        """Publishes minutes, reads an agenda or opens issues: what a stray channel must
        never be able to do in this group's name."""
        return bool(self.minutes_repo or self.issue_repo or self.actions_repo or self.orgs
                    or self.labels)

    @property
    def uses_hackmd(self) -> bool:
        return self.hackmd or bool(self.hackmd_team)


@dataclass(frozen=True, kw_only=True)
class SlackSettings(_Strict):
    """``allowed_teams``: with ``oauth``, the workspace (team) ids that may install Gavel;
    an install from any other workspace is refused unless ``allow_any_workspace`` is set
    (the operator's explicit choice to serve anyone who finds ``/slack/install``)."""

    mode: Literal["http", "socket"] = "http"
    oauth: bool = False
    allowed_teams: list[str] = field(default_factory=list)
    allow_any_workspace: bool = False
    # Web API base URL (keep the trailing slash); $GAVEL_SLACK_API_URL overrides it.
    api_url: str = ""


@dataclass(frozen=True, kw_only=True)
class DiscordSettings(_Strict):
    """``shard_ids``/``shard_count``: which gateway shards this process runs (large
    deployments split guilds across processes); ``message_content``: ask for the
    privileged intent (off, or not granted in the developer portal: slash-only mode)."""

    shard_ids: list[int] | None = None
    shard_count: int | None = field(default=None, metadata=_limits(gt=0))
    scheduled_events: bool = False
    message_content: bool = True

    def __post_init__(self) -> None:
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("shard_ids needs shard_count (the total across all processes)")
            bad = [i for i in self.shard_ids if not 0 <= i < self.shard_count]
            if bad:
                raise ValueError(f"shard_ids {bad} outside 0..{self.shard_count - 1}")


@dataclass(frozen=True, kw_only=True)
class WebSettings(_Strict):
    host: str = "127.0.0.1"
    port: int = field(default=8080, metadata=_limits(ge=0, le=65535))
    # Where people reach this server ("https://gavel.example.org"): calendar feed URLs and
    # the short add-to-calendar links are given under it. Empty: no feed URL is shown, and
    # calendar links stay in the message text.
    public_url: Annotated[str, _Check(_check_public_url)] = ""
    # The archive's page of a running meeting follows it live: each meeting someone is
    # reading is asked of the database this often (one read per meeting and server, however
    # many read it); at most this many readers per group follow at once on one server.
    live_poll_seconds: float = field(default=2.0, metadata=_limits(gt=0, le=60))
    live_streams_per_group: int = field(default=50, metadata=_limits(ge=1, le=10_000))

    def __post_init__(self) -> None:
        # Links are built under it ("{public_url}/c/..."): settings made in code get the
        # trailing slash dropped as a file's do (``_check_public_url``).
        object.__setattr__(self, "public_url", self.public_url.strip().rstrip("/"))


@dataclass(frozen=True, kw_only=True)
class GitHubSettings(_Strict):
    base_url: str = "https://api.github.com"
    app_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class HackMDSettings(_Strict):
    """Where HackMD's API is and how often the live note is written (its API allows about
    100 calls per 5 minutes per token, so a busy meeting's lines are batched)."""

    api_url: str = "https://api.hackmd.io/v1"
    # How soon a chat line reaches the note.
    poll_seconds: float = field(default=1.0, metadata=_limits(gt=0))
    # Between two writes of one note.
    min_write_seconds: float = field(default=5.0, metadata=_limits(ge=0))
    # For one call to HackMD.
    timeout_seconds: float = field(default=15.0, metadata=_limits(gt=0))


@dataclass(frozen=True, kw_only=True)
class Settings(_Strict):
    """The whole file."""

    data_dir: str = "data"
    database_url: str = ""
    timezone: Zone = "UTC"
    groups: Annotated[list[Group], _Check(_check_unique_names)] = field(default_factory=list)
    slack: SlackSettings = field(default_factory=SlackSettings)
    discord: DiscordSettings = field(default_factory=DiscordSettings)
    web: WebSettings = field(default_factory=WebSettings)
    github: GitHubSettings = field(default_factory=GitHubSettings)
    hackmd: HackMDSettings = field(default_factory=HackMDSettings)

    def group_named(self, name: str) -> Group | None:
        wanted = name.casefold()
        return next((g for g in self.groups if g.name.casefold() == wanted), None)

    def group_for_channel(self, platform: str, workspace: str, channel: str) -> Group:
        """The group bound to a channel.

        An unbound channel gets the default group, which has no GitHub settings: a meeting
        in a stray channel (any channel of any workspace the app is in) must never publish
        over a group's minutes or read its agenda. A one-group setup whose group has no
        GitHub settings, and names no channel on that platform, still runs that group
        everywhere. The console and the replay are the operator's own commands: there the
        only group runs whatever its settings.
        """
        for group in self.groups:
            for binding in group.channels:
                if (binding.platform == platform and binding.channel == channel
                        and binding.workspace in ("", workspace)):
                    return group
        bound_here = any(b.platform == platform for g in self.groups for b in g.channels)
        if len(self.groups) == 1 and not bound_here:
            only = self.groups[0]
            if platform in OPERATOR_PLATFORMS or not only.uses_github:
                return only
        return DEFAULT_GROUP

    def configured_database_url(self) -> str:
        """``$GAVEL_DATABASE_URL`` or ``database_url``; empty for the default database."""
        return os.environ.get("GAVEL_DATABASE_URL") or self.database_url

    def database_url_or_default(self) -> str:
        return self.configured_database_url() or f"sqlite:///{Path(self.data_dir) / 'gavel.db'}"


DEFAULT_GROUP = Group(name="Gavel", title="Meeting")
# Places only the operator reaches (their terminal, a log they chose to replay).
OPERATOR_PLATFORMS = ("console", "replay")


@dataclass(frozen=True)
class Secrets:
    """Tokens, read from the environment only, and never printed (see ``__repr__``)."""

    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    slack_client_id: str = ""
    slack_client_secret: str = ""
    discord_token: str = ""
    github_token: str = ""
    github_app_private_key: str = ""
    hackmd_api_token: str = ""

    @classmethod
    def from_environment(cls, env: dict[str, str] | None = None) -> Secrets:
        env = dict(os.environ) if env is None else env
        key_file = env.get("GITHUB_APP_PRIVATE_KEY_FILE", "")
        key = env.get("GITHUB_APP_PRIVATE_KEY", "")
        if not key and key_file:
            key = Path(key_file).read_text()
        return cls(
            slack_bot_token=env.get("SLACK_BOT_TOKEN", ""),
            slack_signing_secret=env.get("SLACK_SIGNING_SECRET", ""),
            slack_app_token=env.get("SLACK_APP_TOKEN", ""),
            slack_client_id=env.get("SLACK_CLIENT_ID", ""),
            slack_client_secret=env.get("SLACK_CLIENT_SECRET", ""),
            discord_token=env.get("DISCORD_TOKEN", ""),
            github_token=env.get("GITHUB_TOKEN", ""),
            github_app_private_key=key,
            hackmd_api_token=env.get("HACKMD_API_TOKEN", ""),
        )

    def __repr__(self) -> str:
        present = [name for name, value in vars(self).items() if value]
        return f"Secrets(set={present})"

    __str__ = __repr__


WEB_HOST_VARIABLE = "GAVEL_WEB_HOST"
WEB_PORT_VARIABLE = "GAVEL_WEB_PORT"

"""Gavel's configuration: one TOML file, validated before anything starts.

Secrets never live in the file: tokens come from the environment (see ``Secrets``), so a
config can be committed and shared. A bad file is refused with the file, the key and what
is wrong, because "invalid config" alone sends a user hunting.
"""

from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

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


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r} (use an IANA name such as "
                         "'America/New_York' or 'UTC')") from None
    return value


class _Strict(BaseModel):
    """Unknown keys are errors: a typo must not silently fall back to a default."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


_M = TypeVar("_M", bound=_Strict)


class ChannelBinding(_Strict):
    """Where a group meets: one chat channel on one platform."""

    platform: Literal["slack", "discord", "console"]
    channel: str
    workspace: str = ""
    voice_channel: str = ""


class Links(_Strict):
    join: str = ""
    observers: str = ""
    calendar: str = "https://nodejs.org/calendar"
    minutes_doc: str = ""


class Schedule(_Strict):
    """When a group meets: an RRULE on wall-clock time in a zone, or an ICS feed.

    The rule, zone, dates and feed are checked per group when the schedule is computed
    (``bot/schedules``), not here: one group's typo must not stop every other group's
    reminders, so it is reported with the group's name and the key instead.
    """

    rrule: str = ""  # "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"
    start: str = ""  # first occurrence, local wall-clock time: "2026-01-08T14:00"
    timezone: str = "UTC"
    duration_minutes: int = Field(default=60, gt=0)
    ics_url: str = ""
    ics_filter: str = ""  # only feed events whose summary contains this (any case)
    skip: list[str] = Field(default_factory=list)  # local dates: "2026-12-24"
    moves: dict[str, str] = Field(default_factory=dict)  # "2026-02-05" = "2026-02-06T15:00"
    horizon_days: int = Field(default=30, gt=0, le=400)  # meetings materialised this far ahead
    grace_minutes: int = Field(default=60, ge=0)  # a missed reminder is still posted this late


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


class Group(_Strict):
    """A working group: who meets, where, and how its minutes look."""

    name: str = Field(min_length=1)
    title: str = ""
    github_org: str = ""
    github_orgs: list[str] = Field(default_factory=list)
    agenda_label: str = ""
    agenda_labels: list[str] = Field(default_factory=list)
    minutes_repo: str = ""
    minutes_path: str = "meetings/{date}.md"
    issue_repo: str = ""
    # Optional: each action item also becomes an issue here (closed with it, both ways).
    actions_repo: str = ""
    issue_days_ahead: int = Field(default=2, ge=0)
    timezone: str = "UTC"
    zones: list[str] = Field(default_factory=list)
    links: Links = Field(default_factory=Links)
    standing_items: list[str] = Field(default_factory=list)
    invitees: str = ""
    chairs: list[str] = Field(default_factory=list)
    channels: list[ChannelBinding] = Field(default_factory=list)
    # The public calendar feed carries the join link (and any passcode in it) only if true:
    # a feed URL gets pasted into shared calendars, a meeting's passcode should not.
    feed_join_link: bool = False
    template: str = "nodejs"
    minutes: MinutesStyle = Field(default_factory=MinutesStyle)
    # The meeting's live HackMD note (bot/hackmd): on with ``hackmd = true``, or by naming
    # the HackMD team whose workspace holds the notes.
    hackmd: bool = False
    hackmd_team: str = ""
    schedule: Schedule | None = None
    # Attendance over time: who counts toward quorum (names, GitHub handles or user ids),
    # and how many of them must be present (0: a majority).
    members: list[str] = Field(default_factory=list)
    quorum: int = Field(default=0, ge=0)
    # The web archive: "private" (only through the group's secret link) or "public"
    # (also at /groups/<slug>/ for anyone).
    archive: Literal["private", "public"] = "private"
    reminders: list[str] = Field(default_factory=lambda: ["24h", "1h", "0m"])
    # MeetBot's rule, for groups that want it: only chairs move the topic.
    chair_only_topic: bool = False
    # Votes: who may vote, by platform user id or console nick as for chairs (empty:
    # anyone), and the ballots a result needs (meetingology's #votesrequired; 0: none).
    voters: list[str] = Field(default_factory=list)
    votes_required: int = Field(default=0, ge=0)

    _zone = field_validator("timezone")(_check_zone)

    @field_validator("minutes_path")
    @classmethod
    def _path_pattern(cls, value: str) -> str:
        names = {field for _, field, _, _ in string.Formatter().parse(value) if field}
        unknown = names - MINUTES_PATH_FIELDS
        if unknown:
            known = ", ".join("{" + f + "}" for f in sorted(MINUTES_PATH_FIELDS))
            raise ValueError(f"unknown placeholder {{{sorted(unknown)[0]}}} in {value!r} "
                             f"(use {known})")
        return value

    @field_validator("minutes_repo", "issue_repo", "actions_repo")
    @classmethod
    def _repository(cls, value: str) -> str:
        if value and not _REPOSITORY.fullmatch(value):
            raise ValueError(f"{value!r} is not a repository: write it as owner/name")
        return value

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


class SlackSettings(_Strict):
    """``allowed_teams``: with ``oauth``, the workspace (team) ids that may install Gavel;
    an install from any other workspace is refused unless ``allow_any_workspace`` is set
    (the operator's explicit choice to serve anyone who finds ``/slack/install``)."""

    mode: Literal["http", "socket"] = "http"
    oauth: bool = False
    allowed_teams: list[str] = Field(default_factory=list)
    allow_any_workspace: bool = False
    # Web API base URL (keep the trailing slash); $GAVEL_SLACK_API_URL overrides it.
    api_url: str = ""


class DiscordSettings(_Strict):
    """``shard_ids``/``shard_count``: which gateway shards this process runs (large
    deployments split guilds across processes); ``message_content``: ask for the
    privileged intent (off, or not granted in the developer portal: slash-only mode)."""

    shard_ids: list[int] | None = None
    shard_count: int | None = Field(default=None, gt=0)
    scheduled_events: bool = False
    message_content: bool = True

    @model_validator(mode="after")
    def _shards_fit(self) -> DiscordSettings:
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("shard_ids needs shard_count (the total across all processes)")
            bad = [i for i in self.shard_ids if not 0 <= i < self.shard_count]
            if bad:
                raise ValueError(f"shard_ids {bad} outside 0..{self.shard_count - 1}")
        return self


class WebSettings(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    # Where people reach this server ("https://gavel.example.org"): calendar feed URLs and
    # the short add-to-calendar links are given under it. Empty: no feed URL is shown, and
    # calendar links stay in the message text.
    public_url: str = ""
    # The archive's page of a running meeting follows it live: each meeting someone is
    # reading is asked of the database this often (one read per meeting and server, however
    # many read it); at most this many readers per group follow at once on one server.
    live_poll_seconds: float = Field(default=2.0, gt=0, le=60)
    live_streams_per_group: int = Field(default=50, ge=1, le=10_000)

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError(f"{value!r} is not an http(s) address such as "
                             "'https://gavel.example.org'")
        if len(value) > 200:  # short links under it must stay short (Discord: 512)
            raise ValueError("must be 200 characters or fewer")
        return value


class GitHubSettings(_Strict):
    base_url: str = "https://api.github.com"
    app_id: int | None = None


class HackMDSettings(_Strict):
    """Where HackMD's API is and how often the live note is written (its API allows about
    100 calls per 5 minutes per token, so a busy meeting's lines are batched)."""

    api_url: str = "https://api.hackmd.io/v1"
    poll_seconds: float = Field(default=1.0, gt=0)  # how soon a chat line reaches the note
    min_write_seconds: float = Field(default=5.0, ge=0)  # between two writes of one note
    timeout_seconds: float = Field(default=15.0, gt=0)  # for one call to HackMD


class Settings(_Strict):
    """The whole file."""

    data_dir: str = "data"
    database_url: str = ""
    timezone: str = "UTC"
    groups: list[Group] = Field(default_factory=list)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    discord: DiscordSettings = Field(default_factory=DiscordSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    github: GitHubSettings = Field(default_factory=GitHubSettings)
    hackmd: HackMDSettings = Field(default_factory=HackMDSettings)

    _zone = field_validator("timezone")(_check_zone)

    @field_validator("groups")
    @classmethod
    def _unique_names(cls, groups: list[Group]) -> list[Group]:
        seen: set[str] = set()
        for group in groups:
            if group.name.casefold() in seen:
                raise ValueError(f"two groups are named {group.name!r}: names must differ")
            seen.add(group.name.casefold())
        return groups

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


def model_defaults(model: type[_M], **given: Any) -> _M:
    """``model(**given)`` for constant, valid ``given`` values, without building the
    model's validator (the models are ``defer_build``: pydantic builds each on its first
    validation, ~70 ms for all of them, which a start without a config file need not pay;
    pydantic does not validate defaults either). Nested settings are made the same way."""
    values = dict(given)
    for name, field in model.model_fields.items():
        if name in values or field.default_factory is None:
            continue
        factory = field.default_factory
        values[name] = (model_defaults(factory) if isinstance(factory, type)
                        and issubclass(factory, _Strict) else factory())  # type: ignore[call-arg]
    return model.model_construct(_fields_set=set(given), **values)


DEFAULT_GROUP = model_defaults(Group, name="Gavel", title="Meeting")
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

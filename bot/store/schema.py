"""The tables. Alembic migrations (``bot/migrations``) create them; this is their mirror.

SQLAlchemy Core, not the ORM: the live path is one small insert per note, and Core keeps
that to a single statement with no identity-map bookkeeping.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()

meetings = Table(
    "meetings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("group_name", String(200), nullable=False),
    Column("title", String(500), nullable=False),
    Column("platform", String(20), nullable=False),
    Column("workspace", String(100), nullable=False, server_default=""),
    Column("channel", String(100), nullable=False),
    Column("status", String(20), nullable=False),
    Column("meeting_date", String(10), nullable=False),
    Column("started_at", DateTime(timezone=True)),
    Column("ended_at", DateTime(timezone=True)),
    Column("started_by", String(100), nullable=False, server_default=""),
    Column("current_item_id", Integer),
    Column("current_section", String(20), nullable=False, server_default="none"),
    Column("lurking", Boolean, nullable=False, server_default=text("false")),
    Column("links", Text, nullable=False, server_default="{}"),
    Column("minutes", Text),
    Column("published_at", DateTime(timezone=True)),
    # At most one running meeting per channel, even with several bot replicas.
    Index(
        "one_running_meeting_per_channel",
        "platform",
        "workspace",
        "channel",
        unique=True,
        sqlite_where=text("status = 'running'"),
        # postgresql_where: see declare_postgresql_options
    ),
)


def declare_postgresql_options() -> None:
    """Add the PostgreSQL-only options to the tables (the partial indexes' WHEREs).

    Declaring them makes SQLAlchemy load its whole PostgreSQL dialect (to check the
    keyword), which a SQLite-only process (a replay, the console) would pay for at every
    start; so it is done when a PostgreSQL engine is created (``create_database_engine``).
    The migrations create the indexes with both WHEREs either way."""
    partial = ((meetings, "one_running_meeting_per_channel", "status = 'running'"),
               (notes, "notes_inserted", "place IS NOT NULL"))
    for table, name, where in partial:
        index = next(i for i in table.indexes if i.name == name)
        if index.dialect_options["postgresql"]["where"] is None:
            index.dialect_kwargs["postgresql_where"] = text(where)

agenda_items = Table(
    "agenda_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_id", Integer, ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("source", String(20), nullable=False),
    Column("title", Text, nullable=False),
    Column("repo", String(200), nullable=False, server_default=""),
    Column("number", Integer),
    Column("url", Text, nullable=False, server_default=""),
    Column("is_pr", Boolean, nullable=False, server_default=text("false")),
    Column("discussed", Boolean, nullable=False, server_default=text("false")),
    # ``bot.text.bare_title(title)``, written with the title: ``#topic`` and ``#agenda add``
    # find an item by it with one index probe, however long the agenda.
    Column("title_key", Text, nullable=False, server_default=""),
    Index("agenda_items_by_meeting", "meeting_id", "position"),
    Index("agenda_items_by_title", "meeting_id", "title_key"),
)

people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(20), nullable=False),
    Column("user_id", String(200), nullable=False),
    Column("name", String(200), nullable=False),
    Column("github", String(100), nullable=False, server_default=""),
    Column("affiliation", String(200), nullable=False, server_default=""),
    UniqueConstraint("platform", "user_id", name="one_person_per_platform_id"),
)

attendance = Table(
    "attendance",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_id", Integer, ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("how", String(20), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("left_at", DateTime(timezone=True)),
    # The person as shown at this meeting (migration 0006): later changes to ``people``
    # must not rewrite old minutes.
    Column("shown_name", String(200), nullable=False, server_default=""),
    Column("shown_github", String(100), nullable=False, server_default=""),
    Column("shown_affiliation", String(200), nullable=False, server_default=""),
    UniqueConstraint("meeting_id", "person_id", name="one_attendance_per_person"),
)

roles = Table(
    "roles",
    metadata,
    Column("meeting_id", Integer, ForeignKey("meetings.id", ondelete="CASCADE"),
           primary_key=True),
    Column("role", String(20), primary_key=True),  # chair, scribe, nick, voter, votesrequired
    Column("who", String(200), primary_key=True),  # platform user id, or a casefolded name
    Column("name", String(200), nullable=False),
)

notes = Table(
    "notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_id", Integer, ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False),
    Column("author_id", String(200), nullable=False),
    Column("author_name", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("text", Text, nullable=False),
    Column("item_id", Integer),
    Column("section", String(20), nullable=False),
    Column("depth", Integer, nullable=False, server_default="0"),
    Column("source_message_id", String(200), nullable=False, server_default=""),
    Column("deleted", Boolean, nullable=False, server_default=text("false")),
    # An inserted note's place in the order (migration 0014): see ``Note.place``. The
    # minutes read notes in id order, and these few first (``notes_inserted``).
    Column("place", Float),
    Index("notes_by_meeting", "meeting_id", "id"),
    Index("notes_by_source", "meeting_id", "source_message_id"),
    # Only the inserted notes: the notes taken in order write no entry.
    Index("notes_inserted", "meeting_id", "place", sqlite_where=text("place IS NOT NULL")),
    # postgresql_where: see declare_postgresql_options
)

topic_changes = Table(
    "topic_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_id", Integer, ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("item_id", Integer),
    Column("section", String(20), nullable=False),
    # Who moved the meeting there (migration 0016; "" before it): whoever set a topic may
    # correct its title with ``s/old/new/`` (``Store.is_topic_setter``).
    Column("set_by", String(200), nullable=False, server_default=""),
    Column("set_by_name", String(200), nullable=False, server_default=""),
    Index("topic_changes_by_meeting", "meeting_id", "at"),
)

transcript = Table(
    "transcript",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_id", Integer, ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("author_id", String(200), nullable=False),
    Column("author_name", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("message_id", String(200), nullable=False, server_default=""),
    # "" for a line said; "edit" (``text`` is the new text) or "delete" for a later change
    # to the message ``message_id``: the transcript keeps what was said and what changed.
    Column("change", String(10), nullable=False, server_default=""),
    Index("transcript_by_meeting", "meeting_id", "id"),
)

# The meeting issue opened on GitHub ahead of each meeting: looked up here first so that
# a daily run never opens a second one.
meeting_issues = Table(
    "meeting_issues",
    metadata,
    Column("group_name", String(200), primary_key=True),
    Column("meeting_date", String(10), primary_key=True),
    Column("repo", String(200), nullable=False),
    Column("number", Integer, nullable=False),
    Column("url", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

processed_events = Table(
    "processed_events",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("processed_events_by_at", "at"),  # the expiry sweep
)

# Discord: the hash of the app-command tree last synced to each guild, so commands are
# re-registered only when they change (Discord rate-limits command syncs).
discord_command_syncs = Table(
    "discord_command_syncs",
    metadata,
    Column("guild_id", String(30), primary_key=True),
    Column("tree_hash", String(64), nullable=False),
    Column("synced_at", DateTime(timezone=True), nullable=False),
)

# Discord: the guild scheduled events Gavel created for a group's coming meetings.
discord_scheduled_events = Table(
    "discord_scheduled_events",
    metadata,
    Column("event_id", String(30), primary_key=True),
    Column("guild_id", String(30), nullable=False),
    Column("group_name", String(200), nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Index("discord_scheduled_events_by_group", "guild_id", "group_name"),
)

# -- schedules and reminders (migration 0002) ---------------------------------------------

# One row per occurrence of a group's schedule, materialised a horizon ahead. A separate
# table from ``meetings``: an occurrence belongs to a group, not yet to one channel.
scheduled_meetings = Table(
    "scheduled_meetings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("group_name", String(200), nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("title", String(500), nullable=False),
    Column("status", String(20), nullable=False),  # "scheduled" | "cancelled"
    UniqueConstraint("group_name", "starts_at", name="one_occurrence_per_group_instant"),
    Index("scheduled_meetings_by_start", "starts_at"),
)

# One row per (occurrence, offset, channel). ``claimed_by``/``claim_expires_at`` are the
# row claim that keeps a reminder single across processes; ``sent_at`` ends its life.
reminders = Table(
    "reminders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("scheduled_meeting_id", Integer,
           ForeignKey("scheduled_meetings.id", ondelete="CASCADE"), nullable=False),
    Column("group_name", String(200), nullable=False),
    Column("offset_minutes", Integer, nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("platform", String(20), nullable=False),
    Column("workspace", String(100), nullable=False, server_default=""),
    Column("channel", String(100), nullable=False),
    Column("claimed_by", String(100)),
    Column("claim_expires_at", DateTime(timezone=True)),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("sent_at", DateTime(timezone=True)),
    Column("late", Boolean, nullable=False, server_default=text("false")),
    Column("missed_at", DateTime(timezone=True)),
    Column("last_error", Text, nullable=False, server_default=""),
    UniqueConstraint("scheduled_meeting_id", "offset_minutes", "platform", "workspace",
                     "channel", name="one_reminder_per_offset_and_channel"),
    Index("reminders_by_due", "due_at"),
)

# -- per-group secrets in public URLs (migration 0007) ------------------------------------

# A random token per group and purpose ("feed": the calendar feed; "links": the short
# add-to-calendar links). Generated once; knowing it is what lets a stranger read the URL.
group_tokens = Table(
    "group_tokens",
    metadata,
    Column("group_name", String(200), primary_key=True),
    Column("purpose", String(20), primary_key=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Votes (MeetBot's #startvote/#vote, Mootbot's [VOTE], hcoop-meetbot's #motion): one row per
# question, one ballot per voter, changeable until the vote closes.
votes = Table(
    "votes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_id", Integer, ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False),
    Column("question", Text, nullable=False),
    Column("options", Text, nullable=False),  # JSON list of the options, in order
    Column("opened_by", String(200), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    Column("result", Text, nullable=False, server_default=""),
    Column("votes_required", Integer, nullable=False, server_default="0"),  # at closing
    Column("item_id", Integer),
    Column("section", String(20), nullable=False, server_default="none"),
    Index("votes_by_meeting", "meeting_id", "id"),
)

ballots = Table(
    "ballots",
    metadata,
    Column("vote_id", Integer, ForeignKey("votes.id", ondelete="CASCADE"), primary_key=True),
    Column("who", String(200), primary_key=True),  # the platform user id
    Column("name", String(200), nullable=False),
    Column("choice", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# W3C Zakim's speaker queue (q+, q-, ack), in the order people asked.
speaker_queue = Table(
    "speaker_queue",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_id", Integer, ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False),
    Column("who", String(200), nullable=False),  # case-folded nick
    Column("name", String(200), nullable=False),
    Column("about", Text, nullable=False, server_default=""),
    Index("speaker_queue_by_meeting", "meeting_id", "id"),
)

# -- the group's memory between meetings (migration 0010) ----------------------------------

# Action items that outlive their meeting: numbered per group (``A-17``), open until done,
# dropped or reassigned in any later meeting or between meetings. ``owners`` and
# ``owner_ids`` are JSON lists: the names the minutes show, and the platform user ids of
# those known by one (only they, and chairs, may close the action).
action_items = Table(
    "action_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("group_name", String(200), nullable=False),
    Column("number", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("owners", Text, nullable=False, server_default="[]"),
    Column("owner_ids", Text, nullable=False, server_default="[]"),
    Column("status", String(20), nullable=False),  # "open" | "done" | "dropped"
    Column("meeting_id", Integer, ForeignKey("meetings.id", ondelete="SET NULL")),
    Column("note_id", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False, server_default=""),
    Column("closed_at", DateTime(timezone=True)),
    Column("github_repo", String(200), nullable=False, server_default=""),
    Column("github_number", Integer),
    Column("github_url", Text, nullable=False, server_default=""),
    UniqueConstraint("group_name", "number", name="one_action_number_per_group"),
    Index("action_items_by_status", "group_name", "status"),
)

# What happened to an action, and in which meeting (none: between meetings): the minutes'
# "Carried-over actions" part is read from here.
action_changes = Table(
    "action_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("action_id", Integer, ForeignKey("action_items.id", ondelete="CASCADE"),
           nullable=False),
    Column("meeting_id", Integer, ForeignKey("meetings.id", ondelete="SET NULL")),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("change", String(20), nullable=False),  # "done" | "dropped" | "reassigned"
    Column("by_name", String(200), nullable=False),
    Column("detail", Text, nullable=False, server_default=""),
    Index("action_changes_by_meeting", "meeting_id"),
)

# Agenda items added between meetings (``#agenda add`` with no meeting running): kept for
# the group's next meeting, which takes them (``meeting_id``) when it starts.
pending_agenda = Table(
    "pending_agenda",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("group_name", String(200), nullable=False),
    Column("title", Text, nullable=False),
    Column("repo", String(200), nullable=False, server_default=""),
    Column("number", Integer),
    Column("url", Text, nullable=False, server_default=""),
    Column("is_pr", Boolean, nullable=False, server_default=text("false")),
    Column("added_by", String(200), nullable=False, server_default=""),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("meeting_id", Integer, ForeignKey("meetings.id", ondelete="SET NULL")),
    Index("pending_agenda_by_group", "group_name", "meeting_id"),
)

# -- the meetings' HackMD notes (migration 0011) -------------------------------------------

# One row per group and meeting day: inserting it is the claim that makes one process (of
# any number of replicas) create the note. ``note_id`` stays empty until HackMD answered;
# a claim left that way past its expiry (the process died) may be taken over.
# ``initial_content`` is the note as created: the text people added is what differs.
hackmd_notes = Table(
    "hackmd_notes",
    metadata,
    Column("group_name", String(200), primary_key=True),
    Column("meeting_date", String(10), primary_key=True),
    Column("claimed_by", String(100), nullable=False),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    Column("note_id", String(100), nullable=False, server_default=""),
    Column("url", String(500), nullable=False, server_default=""),
    Column("team", String(200), nullable=False, server_default=""),
    Column("initial_content", Text, nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True)),
)

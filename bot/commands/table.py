"""The one table of commands: every spelling, slash form, typed option and help line.

The parser (``parse.py``), ``#help``, Slack's usage hint and Discord's app-command tree
are all read from here, so adding a command is one ``Entry`` and one function. An entry
names its function as ``"module:function"`` and it is imported on first use: reading the
table (the parser does, at every start-up) imports no command module and nothing heavy.
The order of ``COMMANDS`` is the order of ``#help``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import import_module
from typing import Any, Literal

from bot.domain import NoteKind

OptionType = Literal["text", "user", "number", "choice"]


@dataclass(frozen=True, slots=True)
class Option:
    """A typed slash-command option (Discord shows it; Slack users type it as text).

    ``is_argument``: the option's value is the command's argument as typed (a title, a
    note); other options are read by name (``Turn.options``). ``autocomplete`` names a
    source of suggestions the adapter knows (``topics``, ``agenda``).
    """

    name: str
    type: OptionType
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()
    autocomplete: str = ""
    is_argument: bool = False


@dataclass(frozen=True, slots=True)
class Entry:
    """One command. ``words`` are MeetBot ``#word`` spellings; ``w3c`` the W3C scribe forms
    (``topic:``, ``present+``); ``slash`` the ``/meeting <word>`` spellings (the name is
    always one). ``discord`` is its Discord subcommand (none: not in Discord's tree),
    inside the subcommand group ``discord_group`` if given."""

    name: str
    run: str  # "module:function", taking (turn, argument)
    usage: str  # its #help line
    words: tuple[str, ...] = ()
    w3c: tuple[str, ...] = ()
    slash: tuple[str, ...] = ()
    discord: str = ""
    discord_group: str = ""
    description: str = ""  # Discord's one line about it
    options: tuple[Option, ...] = ()
    needs_meeting: bool = True
    chair_only: bool = False
    prepare: str = ""  # "module:function" asking GitHub before the transaction opens
    when_idle: str = ""  # "module:function" for its slash form when no meeting runs
    note_kind: NoteKind | None = None  # a note command: the kind of note it takes
    in_help: bool = True
    # Mootbot's ``[TOPIC] text`` spellings (case-insensitive), without the brackets.
    brackets: tuple[str, ...] = ()
    # Zakim's phrases, said as words at the start of a line, alone or before the argument
    # (``q+``, ``ack alice``, ``take up item 2``); a leading ``zakim,`` is dropped first.
    phrases: tuple[str, ...] = ()

    @property
    def slash_words(self) -> tuple[str, ...]:
        return (*self.slash, self.name)


@cache
def resolve(reference: str) -> Callable[..., Any]:
    """``"module:function"`` -> the function (imported when first asked; then kept, as
    asking the import system again costs more than most commands do)."""
    module, _, name = reference.partition(":")
    function: Callable[..., Any] = getattr(import_module(module), name)
    return function


@dataclass(frozen=True, eq=False)
class CommandTable:
    """The entries, in help order, and the lookups the parser needs (compared and cached
    by identity: the parser keeps one set of patterns per table)."""

    entries: tuple[Entry, ...]
    footer: str = field(default=(
        "W3C style also works: present+, regrets+, topic: ..., ACTION: ..., "
        "RESOLUTION: ..., s/old/new/"))
    # Discord subcommand groups (``Entry.discord_group``) and what each holds.
    group_descriptions: Mapping[str, str] = field(default_factory=lambda: {
        "note": "Take a note (start with '- ' to nest it)",
        "actions": "Action items across meetings",
        "role": "Chairs and scribes of this meeting"})

    def __post_init__(self) -> None:
        names = [e.name for e in self.entries]
        if len(names) != len(set(names)):
            raise ValueError(f"command names repeat in the table: {names}")

    def adding(self, *entries: Entry) -> CommandTable:
        """A copy with more entries at the end (a plugin's, or a test's)."""
        return CommandTable((*self.entries, *entries), self.footer, self.group_descriptions)

    @cached_property
    def by_name(self) -> dict[str, Entry]:
        return {e.name: e for e in self.entries}

    @cached_property
    def words(self) -> dict[str, str]:
        """``#word`` -> command name."""
        return {w: e.name for e in self.entries for w in e.words}

    @cached_property
    def slash_words(self) -> dict[str, str]:
        return {w: e.name for e in self.entries for w in e.slash_words}

    @cached_property
    def brackets(self) -> dict[str, str]:
        """``[WORD]`` (case-folded, inner spaces single) -> command name."""
        return {b.casefold(): e.name for e in self.entries for b in e.brackets}

    @cached_property
    def phrases(self) -> tuple[tuple[str, str], ...]:
        """(phrase, command name), longest phrase first so ``next item`` wins over
        a shorter one it starts with."""
        pairs = [(p.casefold(), e.name) for e in self.entries for p in e.phrases]
        return tuple(sorted(pairs, key=lambda pair: len(pair[0]), reverse=True))

    @cached_property
    def phrases_by_start(self) -> dict[str, tuple[tuple[str, str], ...]]:
        """``phrases`` grouped by their first word, in the same order: a line can only
        be a phrase that starts with the line's first word, so most chat is checked
        against none."""
        grouped: dict[str, list[tuple[str, str]]] = {}
        for phrase, name in self.phrases:
            grouped.setdefault(phrase.split()[0], []).append((phrase, name))
        return {start: tuple(pairs) for start, pairs in grouped.items()}

    def w3c(self, mark: str) -> dict[str, str]:
        """W3C words followed by ``mark`` (``:`` or ``+``) -> command name."""
        return {w.removesuffix(mark): e.name for e in self.entries for w in e.w3c
                if w.endswith(mark)}

    @cached_property
    def note_kinds(self) -> dict[str, NoteKind]:
        """The commands that make a note, by name: edits of their messages follow it."""
        return {e.name: e.note_kind for e in self.entries if e.note_kind is not None}

    def in_help(self) -> Iterable[Entry]:
        return (e for e in self.entries if e.in_help)


def note_command(kind: NoteKind, name: str, usage: str, description: str,
          words: tuple[str, ...] = (), **more: Any) -> Entry:
    """A note command: ``#<name> <text>``, ``/meeting <name> <text>``, and on Discord
    ``/meeting note <name> text:``."""
    more.setdefault("slash", (name,))
    run = more.pop("run", "bot.commands.notes:note")
    return Entry(name, run, usage, words=(name, *words),
                 discord=name, discord_group="note", description=description,
                 options=(Option("text", "text", "The note (start with '- ' to nest it)",
                                 required=True, is_argument=True),),
                 note_kind=kind, **more)


_ACTION = Option("action", "text", "The action's id, as in A-17", required=True,
                 is_argument=True)
_TITLE = Option("title", "text", "The meeting's title (default: the group's)",
                is_argument=True)

COMMANDS = CommandTable((
    # -- notes -------------------------------------------------------------------------
    note_command(NoteKind.INFO, "info", "#info <text> (or #note) — a note under the current topic "
          "('- text' nests it, '< text' sets it beside the agenda items)",
          "A note under the current topic", ("note",), slash=("info", "note"),
          brackets=("info", "note")),
    note_command(NoteKind.IDEA, "idea", "#idea <text> — an idea", "An idea",
          brackets=("idea",)),
    note_command(NoteKind.ACTION, "action", "#action <text> — an action item; names in it own it",
          "An action item; name owners with @handles", w3c=("action:",),
          brackets=("action",)),
    note_command(NoteKind.AGREED, "agreed",
          "#agreed <text> (or #agree, #accepted, #resolved) — a decision", "Record a decision",
          ("agree", "accepted", "accept", "resolved"), w3c=("resolution:", "resolved:"),
          slash=("agreed", "agree"), brackets=("agreed", "agree"),
          run="bot.commands.votes:agreed"),
    note_command(NoteKind.REJECTED, "rejected", "#rejected <text> — a rejected proposal",
          "A rejected proposal", ("reject",)),
    note_command(NoteKind.HELP, "halp", "#halp <text> — a call for help", "A call for help"),
    note_command(NoteKind.QUESTION, "question", "#question <text> — an open question",
          "An open question"),
    note_command(NoteKind.LINK, "link",
          "#link <url> [text] — a link (a line starting with a URL is one too)",
          "A link, and what it is", brackets=("link",)),
    note_command(NoteKind.SUBTOPIC, "subtopic", "#subtopic <text> — a subtopic of the current "
          "topic (Subtopic: in W3C)", "A subtopic of the current topic", w3c=("subtopic:",)),
    note_command(NoteKind.PROGRESS, "progress", "#progress <text> — a progress report",
          "A progress report", brackets=("progress report", "progress")),
    note_command(NoteKind.PARAGRAPH, "paragraph",
          "#paragraph <text> (or #para) — prose the minutes show as a paragraph, not a "
          "list entry", "A paragraph of prose under the current topic", ("para",),
          slash=("paragraph", "para")),
    Entry("undo", "bot.commands.notes:undo",
          "#undo — remove your last note (chairs: the last note of anyone)", words=("undo",),
          discord="undo", description="Remove your last note"),
    Entry("substitute", "bot.commands.notes:substitute",
          "s/old/new/ — correct your last line that holds 'old' (a note, or a topic you set)"),
    Entry("insert", "bot.commands.dialects:insert",
          "i/anchor/text/ — insert a note before the note holding 'anchor'", in_help=False),
    Entry("nick", "bot.commands.notes:add_nicks",
          "#nick <names> — names that can own action items", words=("nick",)),
    # -- actions across meetings -------------------------------------------------------
    Entry("done", "bot.commands.notes:done",
          "#done A-17 [note] — an action is done (its owner or a chair; any meeting, or "
          "/meeting done between meetings)", words=("done",), discord="done",
          discord_group="actions",
          description="Mark an action done (its owner or a chair)",
          options=(_ACTION, Option("note", "text", "How it went (optional)")),
          needs_meeting=False),
    Entry("drop", "bot.commands.actions:drop", "#drop A-17 [why] — drop an action",
          words=("drop",), discord="drop", discord_group="actions",
          description="Drop an action (its owner or a chair)",
          options=(_ACTION, Option("why", "text", "Why (optional)")), needs_meeting=False),
    Entry("reassign", "bot.commands.actions:reassign",
          "#reassign A-17 @someone — give an action to someone else", words=("reassign",),
          discord="reassign", discord_group="actions",
          description="Give an action to someone else",
          options=(_ACTION, Option("person", "user", "The new owner", required=True)),
          needs_meeting=False),
    Entry("actions", "bot.commands.actions:list_actions",
          "/meeting actions [mine|@someone|all] — the open actions (only you see them)",
          discord="list", discord_group="actions",
          description="The open actions (only you see them)",
          options=(Option("whose", "text", "mine, all, or @someone", is_argument=True),),
          needs_meeting=False),
    # -- the agenda --------------------------------------------------------------------
    Entry("agenda", "bot.commands.agenda:agenda",
          "#agenda [add <text | owner/repo#N | GitHub URL>] — show or extend the agenda",
          words=("agenda",), discord="agenda", description="Show the agenda (only you see it)",
          phrases=("agenda?",),
          needs_meeting=False, prepare="bot.commands.agenda:prepare_agenda"),
    Entry("add", "bot.commands.agenda:add_to_agenda", "", w3c=("agenda+",), discord="add",
          description="Add an item to the agenda",
          options=(Option("item", "text",
                          "Text, owner/repo#N, or a GitHub issue or pull request URL",
                          required=True, autocomplete="agenda", is_argument=True),),
          needs_meeting=False, prepare="bot.commands.agenda:prepare_add", in_help=False),
    Entry("topic", "bot.commands.agenda:topic",
          "#topic <N | owner/repo#N | text | announcements | qa | upcoming> — move to a topic",
          words=("topic",), w3c=("topic:",), discord="topic", brackets=("topic",),
          phrases=("take up item", "take up agendum", "open item", "move to item"),
          description="Move to an agenda item or section",
          options=(Option("item", "text", "Item number, owner/repo#N, text, announcements, "
                          "qa or upcoming", required=True, autocomplete="topics",
                          is_argument=True),),
          prepare="bot.commands.agenda:prepare_topic"),
    Entry("next", "bot.commands.agenda:next_topic", "#next — move to the next agenda item",
          words=("next",), discord="next", description="Move to the next agenda item",
          phrases=("next item", "next agendum", "move to next item"),
          when_idle="bot.commands.schedule:show_next"),
    Entry("closeitem", "bot.commands.dialects:close_item",
          "close item N — mark agenda item N done (Zakim)", phrases=("close item",
          "close agendum"), in_help=False),
    # -- the speaker queue (Zakim's) ---------------------------------------------------
    Entry("queue", "bot.commands.dialects:queue_me",
          "q+ [to say ...] — join the speaker queue (q- leaves it, q? shows it, ack <nick> "
          "gives the floor)", words=("queue",), phrases=("q+", "queue+")),
    Entry("unqueue", "bot.commands.dialects:unqueue", "", phrases=("q-", "queue-"),
          in_help=False),
    Entry("showqueue", "bot.commands.dialects:show_queue", "", phrases=("q?", "queue?"),
          in_help=False),
    Entry("ack", "bot.commands.dialects:ack", "", phrases=("ack", "recognize"), in_help=False),
    # -- attendance --------------------------------------------------------------------
    Entry("here", "bot.commands.attendance:here",
          "#here [Name] [@github] [from Affiliation] — mark yourself present", words=("here",),
          discord="here", description="Mark yourself present",
          options=(Option("name", "text", "Your name in the minutes", is_argument=True),
                   Option("github", "text", "Your GitHub handle"),
                   Option("affiliation", "text", "Your company or organisation"))),
    Entry("present", "bot.commands.attendance:present",
          "#present <names> — chairs mark others present (present+ in W3C)",
          words=("present",), w3c=("present+", "present:"), discord="present",
          description="Mark others present (chairs)",
          options=(Option("names", "text", "Names, comma-separated: 'Jane Doe @jane from "
                          "ACME, Bob'", required=True, is_argument=True),)),
    Entry("regrets", "bot.commands.attendance:regrets",
          "#regrets [names] — could not attend; chairs name others (regrets+ in W3C)",
          words=("regrets",), w3c=("regrets+", "regrets:"), discord="regrets",
          description="Could not attend (you, or names)",
          options=(Option("names", "text", "…", is_argument=True),)),
    Entry("absent", "bot.commands.dialects:absent",
          "present- [names] — not here after all (chairs name others)", phrases=("present-",),
          in_help=False),
    # -- the meeting -------------------------------------------------------------------
    Entry("startmeeting", "bot.commands.meeting:start_meeting",
          "#startmeeting [title] — open a meeting in this channel", words=("startmeeting",),
          slash=("start",), discord="start", description="Start a meeting in this channel",
          options=(_TITLE,), needs_meeting=False, prepare="bot.commands.agenda:fetch_agenda"),
    Entry("endmeeting", "bot.commands.meeting:end_meeting",
          "#endmeeting — close the meeting and publish the minutes", words=("endmeeting",),
          slash=("end",), discord="end",
          description="End the meeting and post the minutes (chairs)", chair_only=True),
    Entry("meetingname", "bot.commands.meeting:rename_meeting",
          "#meetingname <title> (or #meetingtopic, Meeting:) — rename the meeting",
          words=("meetingname", "meetingtopic"), w3c=("meeting:",),
          slash=("name", "rename"), discord="rename", description="Rename the meeting (chairs)",
          options=(Option("title", "text", "…", required=True, is_argument=True),),
          chair_only=True),
    Entry("meetinglink", "bot.commands.meeting:set_meeting_link",
          "#meetinglink <recording|issue|doc> <url> — a link for the minutes",
          words=("meetinglink",), discord="link",
          description="Link the recording, issue or notes doc (chairs)",
          options=(Option("kind", "choice", "…", required=True,
                          choices=("recording", "issue", "doc")),
                   Option("url", "text", "…", required=True)),
          chair_only=True),
    Entry("meetingdate", "bot.commands.dialects:set_date",
          "Date: <YYYY-MM-DD | 19 January 2023> — the meeting's date (W3C)", w3c=("date:",),
          chair_only=True, in_help=False),
    Entry("agendalink", "bot.commands.dialects:agenda_link",
          "Agenda: <url> — where the agenda is (W3C)", w3c=("agenda:",), in_help=False),
    Entry("chair", "bot.commands.meeting:add_chairs", "#chair <names> — add chairs",
          words=("chair",), w3c=("chair:", "chairs:"), discord="chair", discord_group="role",
          description="Make someone a chair (chairs)",
          options=(Option("person", "user", "…", required=True),), chair_only=True),
    Entry("unchair", "bot.commands.meeting:remove_chairs", "#unchair <names> — remove chairs",
          words=("unchair",), discord="unchair", discord_group="role",
          description="Remove a chair (chairs)",
          options=(Option("person", "user", "…", required=True),), chair_only=True),
    Entry("scribe", "bot.commands.meeting:add_scribe",
          "#scribe [name] — your (or, for chairs, that person's) plain lines become notes",
          words=("scribe",), w3c=("scribe:", "scribenick:", "scribe+"), discord="scribe",
          discord_group="role",
          description="Their plain messages become notes",
          options=(Option("person", "user", "Who scribes (default: you)"),)),
    Entry("unscribe", "bot.commands.meeting:remove_scribe",
          "#unscribe [name] — stop taking your (or, for chairs, that person's) plain lines "
          "as notes", words=("unscribe",), discord="unscribe", discord_group="role",
          description="Stop taking someone's messages as notes",
          options=(Option("person", "user", "…"),)),
    Entry("lurk", "bot.commands.meeting:lurk",
          "#lurk — record quietly, post nothing until the end", words=("lurk",),
          discord="on", discord_group="lurk",
          description="Record quietly until /meeting lurk off (chairs)",
          chair_only=True),
    Entry("unlurk", "bot.commands.meeting:unlurk", "#unlurk — speak again", words=("unlurk",),
          discord="off", discord_group="lurk",
          description="Confirm commands in the channel again (chairs)",
          chair_only=True),
    Entry("minutes", "bot.commands.meeting:minutes_so_far",
          "/meeting minutes — the minutes so far (only you see them)", discord="minutes",
          description="The minutes so far (only you see them)"),
    # -- votes (MeetBot, Mootbot, hcoop-meetbot) --------------------------------------
    Entry("startvote", "bot.commands.votes:start_vote",
          "#startvote <question>? <option>, <option>... (or #vote, [VOTE]) — open a vote "
          "(default options: +1, -1, 0)", words=("startvote",), brackets=("vote",),
          discord="vote", description="Open a vote with buttons",
          options=(Option("question", "text", "The question, then '?' and the options",
                          required=True, is_argument=True),)),
    Entry("vote", "bot.commands.votes:vote",
          "#vote <option> — vote (+1, -1, 0 also work as plain lines); changeable until "
          "the vote closes", words=("vote",)),
    Entry("motion", "bot.commands.votes:motion",
          "#motion <text> — put a motion to the vote (+1 | -1 | 0)", words=("motion",),
          chair_only=True),
    Entry("endvote", "bot.commands.votes:end_vote",
          "#endvote (or #close, [ENDVOTE]) — close the vote: tally and result go in the "
          "minutes", words=("endvote", "close"), brackets=("endvote",), chair_only=True),
    Entry("inconclusive", "bot.commands.votes:inconclusive",
          "#inconclusive — close the vote with no result", words=("inconclusive",),
          chair_only=True),
    Entry("failed", "bot.commands.votes:failed",
          "#failed [text] — the open motion failed", words=("failed",), chair_only=True),
    Entry("voters", "bot.commands.votes:voters",
          "#voters [names] — who may vote (chairs set it; the group's config may too)",
          words=("voters",)),
    Entry("votesrequired", "bot.commands.votes:votes_required",
          "#votesrequired <N> — the votes a result needs (a quorum)",
          words=("votesrequired",), chair_only=True),
    Entry("help", "bot.commands.meeting:show_help",
          "#help — this list (#help <text>: a call for help in the minutes)",
          words=("help", "commands"), discord="help", description="How to use Gavel here",
          needs_meeting=False),
    Entry("publish", "bot.commands.publish:publish",
          "/meeting publish — open or update the minutes pull request on GitHub",
          discord="publish", description="Publish the minutes to GitHub again (chairs)",
          needs_meeting=False),
    Entry("upcoming", "bot.commands.schedule:show_upcoming",
          "/meeting upcoming [N] — the group's next meetings", discord="upcoming",
          description="The coming meetings, with calendar links", needs_meeting=False),
    Entry("attendance", "bot.commands.attendance:show_attendance",
          "/meeting attendance [N] — who came to the last N meetings, and each person's rate "
          "(only you see it)", discord="attendance",
          description="Who came to the last meetings (only you see it)",
          options=(Option("meetings", "number", "How many past meetings (default 10)",
                          is_argument=True),), needs_meeting=False),
))


def usage_text(table: CommandTable = COMMANDS) -> str:
    """``#help``: one line per command, in the table's order."""
    lines = ["Gavel commands (as #word in the channel, or /meeting word):"]
    lines.extend(f"  {entry.usage}" for entry in table.in_help())
    lines.append(f"  {table.footer}")
    return "\n".join(lines)


"""Minutes: the stored meeting turned into Markdown through a Jinja2 template.

``build_view`` gathers what any layout needs (people, agenda groups, notes as trees,
actions by person); templates only arrange it. Built in: ``nodejs`` (the layout of the
Node.js working groups' minutes), ``nodejs-tsc`` (the Node.js TSC's: announcement
subsections under the agenda, no Q&A) and ``meetbot``; a group may name its own file.
How names, labels and the calendar read is the group's ``[groups.minutes]`` style.
"""

from __future__ import annotations

import pickle
import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import NamedTuple

from jinja2 import (
    BytecodeCache,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateSyntaxError,
)
from jinja2 import TemplateNotFound as MissingInclude
from jinja2.bccache import Bucket, FileSystemBytecodeCache

from bot.agenda_lines import agenda_line, label_line
from bot.collector import collector_paused
from bot.config import Group, MinutesStyle
from bot.domain import AgendaItem, ItemSource, Meeting, NoteKind, Section
from bot.minutes.action_owners import KnownPeople
from bot.minutes.order import taken_up_first
from bot.store import Store
from bot.store.actions import ActionStore
from bot.text import escape_markdown_html, literal, one_line

TEMPLATES = Path(__file__).resolve().parent / "templates"
BUILT_IN = {"nodejs": "nodejs.md.j2", "nodejs-tsc": "nodejs-tsc.md.j2",
            "meetbot": "meetbot.md.j2"}
# The closing section's heading in each built-in layout, unless the group names its own.
CLOSING_HEADINGS = {"nodejs-tsc": "Strategic Initiatives"}
_REMARK = re.compile(r"^(.*?)\s*(\([^()]*\))$")

# Keyed by the kind's value, as the notes are read (``Store.each_note_row``).
_PREFIX = {kind.value: prefix for kind, prefix in {
    NoteKind.INFO: "",
    NoteKind.LINK: "",
    NoteKind.IDEA: "Idea: ",
    NoteKind.AGREED: "Agreed: ",
    NoteKind.REJECTED: "Rejected: ",
    NoteKind.HELP: "Help wanted: ",
    NoteKind.QUESTION: "Question: ",
    NoteKind.SUBTOPIC: "Subtopic: ",
    NoteKind.PROGRESS: "Progress: ",
    NoteKind.VOTE: "",  # its text says it all: "Vote: <question> ... <result>"
    NoteKind.PARAGRAPH: "",
}.items()}

# Each kind's value, one string shared by every note of that kind: the database hands
# back a new string per row, which each note's line would otherwise keep (~56 bytes a
# note). The lookup costs nothing: it is the one that hashes the row's string, and the
# later ones (``_PREFIX``, comparisons with ``_ACTION``) then meet the shared one.
_KINDS = {kind.value: kind.value for kind in NoteKind}
_ACTION = NoteKind.ACTION.value
_PARAGRAPH = NoteKind.PARAGRAPH.value
_ANNOUNCEMENTS, _QA, _UPCOMING = (Section.ANNOUNCEMENTS.value, Section.QA.value,
                                  Section.UPCOMING.value)


class TemplateFailed(Exception):
    """A group's own layout (not a built-in) could not make the minutes: the message names
    the file, what failed and the line. Whatever went wrong inside it (a syntax error, a
    division by zero, an undefined name, a filter that raised) is this one type, so a
    caller has one thing to catch; a built-in layout's failure is our bug and not this."""


class TemplateNotFound(TemplateFailed):
    pass


class NoteLine(NamedTuple):
    """One note as the minutes show it, with its nesting depth. A named tuple, not a
    dataclass: a long meeting's minutes make one per note, and a frozen dataclass costs
    four times as much to make (each field set through ``object.__setattr__``)."""

    depth: int
    text: str
    kind: str
    author: str
    time: str


@dataclass(slots=True)  # (no dict per item: a long meeting has hundreds)
class ItemView:
    title: str
    url: str
    number: int | None
    reference: str
    discussed: bool
    notes: list[NoteLine] = field(default_factory=list)
    item_id: int = 0  # the agenda item's (orders ``MinutesView.taken_up``)


@dataclass
class MinutesView:
    title: str
    heading: str  # the title with the date, unless the title already ends with it
    starter: str
    date: str
    group: Group
    meeting: Meeting
    links: list[tuple[str, str]]
    present: list[str]
    regrets: list[str]
    label_line: str
    general: list[NoteLine]
    announcements: list[NoteLine]
    standing: list[ItemView]
    repositories: OrderedDict[str, list[ItemView]]
    other_items: list[ItemView]
    qa: list[NoteLine]
    # Notes under "## Upcoming Meetings" (after `#topic upcoming`): paragraphs open the
    # section ("Due to the holidays the next meeting moves to Jan 4"), notes are listed
    # with the calendar entry ("Next meeting on April 19").
    upcoming: list[NoteLine]
    actions: list[tuple[str, str]]  # (owners or "", text)
    actions_by_person: OrderedDict[str, list[str]]
    speakers: list[tuple[str, int]]
    started: str
    ended: str
    style: MinutesStyle
    closing_heading: str
    # Actions from earlier meetings still open when this one began, with what happened to
    # them here ("A-3 (Alice): text — done"); see ``carried_over``.
    carried_over: list[str] = field(default_factory=list)
    # The items the meeting took up, in that order, then any other item with notes
    # (standing, repositories, others): what was discussed, as MeetBot and scribe.perl
    # list it (the ``meetbot`` layout). An item only closed (Zakim's ``close item N``) or
    # never reached is not among them. The groups above keep the agenda's order.
    taken_up: list[ItemView] = field(default_factory=list)


def closing_heading(group: Group) -> str:
    """The heading of the group's closing section (notes after `#topic qa`)."""
    return group.minutes.closing_heading or CLOSING_HEADINGS.get(group.template, "Q&A, Other")


def note_text(kind: str, text: str, known: KnownPeople, prefixes: bool = True,
              owners: tuple[str, ...] | None = None) -> str:
    """The note (its ``NoteKind`` value and text) as the minutes show it; ``owners`` of an
    action, as ``literal`` shows them, when the caller worked them out already."""
    shown_text = escape_markdown_html(text)
    if not prefixes:
        return shown_text
    if kind == _ACTION:
        if owners is None:
            owners = tuple(literal(owner) for owner in known.owners_of(text))
        shown = ", ".join(owners)
        return f"Action ({shown}): {shown_text}" if shown else f"Action: {shown_text}"
    return _PREFIX[kind] + shown_text


def _nested(lines: list[NoteLine], beside: bool = False) -> list[NoteLine]:
    """A sub-point nests at most one level below the note before it (the first note, or
    one whose parent was undone, moves up), so the Markdown list stays well formed. A
    paragraph ends the list: what follows it starts again at the top. Notes typed beside
    the items (depth -1) keep that place only under an item (``beside``); in a section
    there is nothing to stand beside, and they are its notes."""
    fixed: list[NoteLine] = []
    floor = -1 if beside else 0
    deepest = 0  # the deepest the next line may go: one below the line before
    for line in lines:
        if line.kind == _PARAGRAPH:  # at the margin; what follows starts at the top
            fixed.append(line._replace(depth=0) if line.depth else line)
            deepest = 0
            continue
        # (Comparisons, not min/max: this runs once per note of a long meeting.)
        depth = line.depth
        if depth > deepest:
            depth = deepest
        elif depth < floor:
            depth = floor
        fixed.append(line if depth == line.depth else line._replace(depth=depth))
        deepest = depth + 1
    return fixed


def doc_link_name(url: str, style: MinutesStyle) -> str:
    """The Links entry's name for the notes doc: the group's, or one by where it is."""
    if style.doc_link_name:
        return one_line(style.doc_link_name)
    return "Minutes Google Doc" if "docs.google.com" in url else "Minutes"


def present_line(name: str, github: str, affiliation: str, style: str) -> str:
    """``Name from Affiliation @handle`` in the group's style; a remark in parentheses
    that ends the name (the TSC's "(voting member)", "(Guest)") stays last. Someone known
    only by their handle (``#here @sam-github``, said by the nick sam-github) is listed as
    ``@sam-github``, as the Security WG lists such people, not as ``sam-github
    (@sam-github)``."""
    name = literal(name)
    remark = ""
    if (match := _REMARK.match(name)) and match.group(1):
        name, remark = match.group(1), " " + match.group(2)
    handle = f"@{literal(github)}" if github else ""
    # Exactly the handle: "UlisesGascon @ulisesgascon" is a name typed beside a handle.
    only_handle = bool(handle) and name.lstrip("@") == handle[1:]
    text = handle if only_handle else name
    if affiliation:
        text += f" from {literal(affiliation)}"
    if handle and not only_handle:
        text += {"Name (@handle)": f" ({handle})", "Name: @handle": f": {handle}"}.get(
            style, f" {handle}")
    return text + remark


def build_view(store: Store, meeting: Meeting, group: Group) -> MinutesView:
    """The minutes' view of the meeting. Its notes are read once, each turned into its
    line as it is read (an action also into its entry): a long meeting's notes are not
    held beside their lines."""
    items = store.agenda(meeting.id)
    known = KnownPeople.of_meeting(store, meeting.id)
    prefixes = group.minutes.note_prefixes

    times: dict[int, str] = {}  # one "HH:MM" string per minute, made once, not per note
    authors: dict[str, str] = {}  # one shown name per author's spelling, not one per note

    def _item_view(item: AgendaItem, lines: list[NoteLine]) -> ItemView:
        return ItemView(literal(item.title), item.url, item.number, item.reference,
                        item.discussed or bool(lines), _nested(lines, beside=True), item.id)

    by_item: dict[int, list[NoteLine]] = {item.id: [] for item in items}
    general: list[NoteLine] = []
    announcements: list[NoteLine] = []
    qa: list[NoteLine] = []
    upcoming: list[NoteLine] = []
    actions: list[tuple[str, str]] = []
    by_person: OrderedDict[str, list[str]] = OrderedDict()
    for author_name, at, kind, text, item_id, section, depth in store.each_note_row(meeting.id):
        kind = _KINDS.get(kind, kind)
        owners: tuple[str, ...] | None = None
        if kind == _ACTION:
            # Names are people's own words too: shown literally, like the notes.
            owners = tuple(literal(owner) for owner in known.owners_of(text))
            entry = one_line(text)  # a list entry of its own: keep it on one line
            actions.append((", ".join(owners), entry))
            for owner in owners or ("UNASSIGNED",):
                by_person.setdefault(owner, []).append(entry)
        minute = at.hour * 60 + at.minute
        if (time := times.get(minute)) is None:
            time = times[minute] = f"{at:%H:%M}"
        if (author := authors.get(author_name)) is None:
            author = authors[author_name] = literal(author_name)
        line = NoteLine(depth, note_text(kind, text, known, prefixes, owners), kind, author,
                        time)
        if item_id is not None and item_id in by_item:
            by_item[item_id].append(line)
        elif section == _ANNOUNCEMENTS:
            announcements.append(line)
        elif section == _QA:
            qa.append(line)
        elif section == _UPCOMING:
            upcoming.append(line)
        else:
            general.append(line)
    if "UNASSIGNED" in by_person:
        by_person.move_to_end("UNASSIGNED")

    standing, other = [], []
    repositories: OrderedDict[str, list[ItemView]] = OrderedDict()
    for item in items:
        view = _item_view(item, by_item[item.id])
        if item.source is ItemSource.STANDING:
            standing.append(view)
        elif item.source is ItemSource.GITHUB:
            repositories.setdefault(item.repo, []).append(view)
        else:
            other.append(view)

    in_layout = standing + [view for group_items in repositories.values()
                            for view in group_items] + other
    taken = store.taken_up(meeting.id)
    were_topics = set(taken)
    taken_up = [view for view in taken_up_first(in_layout, lambda view: view.item_id, taken)
                if view.item_id in were_topics or view.notes]

    people = store.attendance(meeting.id)
    present = [present_line(a.person.name, a.person.github, a.person.affiliation,
                            group.minutes.present_line)
               for a in people if a.status == "present"]
    regrets = [literal(a.person.name) for a in people if a.status == "regrets"]

    doc = meeting.links.get("minutes_doc", group.links.minutes_doc)
    links = [("Recording", one_line(meeting.links.get("recording", ""))),
             ("GitHub Issue", one_line(meeting.links.get("issue", ""))),
             (doc_link_name(doc, group.minutes), one_line(doc))]
    # The Node.js minutes open the italics and never close them: kept as they write it.
    extracted = f"*{label_line(group)}" if group.labels and group.orgs else ""
    title = literal(meeting.title)
    starter = store.person(meeting.platform, meeting.started_by)
    return MinutesView(
        title=title,
        heading=title if title.endswith(meeting.meeting_date) else
        f"{title} {meeting.meeting_date}",
        starter=literal(starter.name if starter else meeting.started_by),
        date=meeting.meeting_date,
        group=group,
        meeting=meeting,
        links=[(label, url) for label, url in links if url],
        present=present,
        regrets=regrets,
        label_line=extracted,
        general=_nested(general),
        announcements=_nested(announcements),
        standing=standing,
        repositories=repositories,
        other_items=other,
        qa=_nested(qa),
        upcoming=_nested(upcoming),
        actions=actions,
        actions_by_person=by_person,
        speakers=[(literal(name), lines) for _, name, lines in store.lines_said(meeting.id)],
        started=f"{meeting.started_at:%H:%M}" if meeting.started_at else "",
        ended=f"{meeting.ended_at:%H:%M}" if meeting.ended_at else "",
        style=group.minutes,
        closing_heading=closing_heading(group),
        carried_over=carried_over(store, meeting),
        taken_up=taken_up,
    )


def carried_over(store: Store, meeting: Meeting) -> list[str]:
    """One line per action the meeting began with: its id, owners, text and fate here."""
    if meeting.started_at is None:
        return []
    lines = []
    for action, changes in ActionStore(store).carried_into(
            meeting.group_name, meeting.id, meeting.started_at):
        owners = ", ".join(literal(owner) for owner in action.owners)
        fates = []
        for change in changes:
            if change.change == "reassigned":  # to whom: names
                fates.append(f"reassigned to {literal(change.detail)}")
            else:
                detail = one_line(change.detail)
                fates.append(change.change + (f" ({detail})" if detail else ""))
        lines.append(f"{action.label}{f' ({owners})' if owners else ''}: "
                     f"{one_line(action.text)} — {'; '.join(fates) or 'still open'}")
    return lines


class _CompiledTemplates(FileSystemBytecodeCache):
    """Jinja2's cache of compiled templates, in its private per-user folder under the
    temporary directory: compiling a layout costs each ``gavel replay``/``minutes`` ~10 ms
    of CPU, loading it 0.3 ms. An entry is used only for the same source text, Jinja2 and
    Python; a cache that cannot be read or written is only slower, never an error."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, pickle.UnpicklingError):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with suppress(OSError):
            super().dump_bytecode(bucket)


_compiled: list[BytecodeCache | None] = []


def _compiled_templates() -> BytecodeCache | None:
    if not _compiled:
        try:
            _compiled.append(_CompiledTemplates())
        except (OSError, RuntimeError):  # no private folder can be made: compile each time
            _compiled.append(None)
    return _compiled[0]


class _NotUtf8(Exception):
    def __init__(self, name: str, reason: str) -> None:
        super().__init__(name, reason)
        self.name, self.reason = name, reason


class _Layouts(FileSystemLoader):
    """Jinja2's loader, with the name of a file that is not UTF-8 text: its own error
    (``UnicodeDecodeError``) names only the byte, not the file the layout extends."""

    def get_source(self, environment: Environment, template: str
                   ) -> tuple[str, str, Callable[[], bool]]:
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as exc:
            raise _NotUtf8(template, f"byte 0x{exc.object[exc.start]:02x} at position "
                                     f"{exc.start}") from None


def _environment(extra_dir: Path | None = None) -> Environment:
    search = [str(TEMPLATES)] + ([str(extra_dir)] if extra_dir else [])
    env = Environment(loader=_Layouts(search), undefined=StrictUndefined,
                      keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
                      autoescape=False, bytecode_cache=_compiled_templates())
    env.filters["indent_note"] = _note_entry
    env.filters["list_note"] = _list_entry
    env.globals["agenda_line"] = agenda_line  # as the meeting issue writes it
    return env


def _note_entry(line: NoteLine, base: int = 1, bullet: str = "*") -> str:
    """A note as a list entry, ``base`` levels in and nested by its depth (-1: beside
    the item the notes are under); its own line breaks stay inside it. A paragraph stands
    alone between blank lines, at the margin: indented, it would read as part of the entry
    above it."""
    if line.kind == _PARAGRAPH:
        return f"\n{line.text}\n"
    return _entry(" " * max(2 * (base + line.depth), 0), bullet, line.text)


def _list_entry(line: NoteLine) -> str:
    """A note under a numbered entry ("1. Topic"), where content starts at the fourth
    column; a paragraph or a note beside the items would end the numbered list there, so
    both are entries."""
    return _entry(" " * (3 + 2 * max(line.depth, 0)), "*", line.text)


def _entry(indent: str, bullet: str, text: str) -> str:
    body = text.replace("\n", "\n" + indent + "  ")
    return f"{indent}{bullet} {body}"


def render(view: MinutesView, template: str) -> str:
    """The minutes in ``template``. A group's own file that fails in any way raises
    ``TemplateFailed``; a built-in layout that fails is our bug, raised as it is."""
    if template in BUILT_IN:
        return _tidied(_environment().get_template(BUILT_IN[template]).generate(v=view))
    path = Path(template)
    if not path.is_file():
        raise TemplateNotFound(
            f"minutes template {template!r}: not a built-in ({', '.join(BUILT_IN)}) "
            "and no such file")
    folder = path.parent.resolve()
    # Named by its file's name from here on: the path is the server's (the config's,
    # resolved), and the message may go to a channel.
    name = path.name
    try:
        return _tidied(_environment(folder).get_template(name).generate(v=view))
    except MissingInclude as exc:
        # Jinja2's own is an ``OSError`` too: left as it is, a replay reported it as the
        # log that could not be read ("cannot read meeting.log: None").
        raise TemplateNotFound(
            f"minutes template {name!r}: it includes or extends {exc.name!r}, which is "
            f"neither a built-in layout ({', '.join(BUILT_IN.values())}) nor a file beside "
            "it: fix the name or add the file") from None
    except _NotUtf8 as exc:
        # (Python's own is a ``ValueError`` naming no file: a replay blamed it on the log.)
        which = "" if exc.name == name else f": {exc.name}"
        raise TemplateFailed(
            f"minutes template {name!r}{which} is not UTF-8 text ({exc.reason}); save "
            "it as UTF-8") from None
    except Exception as exc:  # whatever the group's own layout does is the layout's fault
        raise TemplateFailed(_failure(name, folder / name, exc)) from None


def _failure(template: str, path: Path, exc: Exception) -> str:
    """What failed in the group's layout (at ``path``), and where: the file, when it is
    another one the layout extends or includes, and the line, from the error itself (a
    syntax error) or from the frames Jinja2 puts in the traceback in the template's name."""
    filename: str | None = None
    line: int | None = None
    if isinstance(exc, TemplateSyntaxError):
        filename, line, what = exc.filename, exc.lineno, exc.message or ""
    else:
        what = str(exc)
        tb = exc.__traceback__
        while tb is not None:  # the innermost template frame is where it failed
            if tb.tb_frame.f_globals.get("__jinja_exception__") is exc:
                filename, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
            tb = tb.tb_next
    where = ""
    if filename and Path(filename) != path:
        shown = Path(filename)
        for folder in (path.parent, TEMPLATES):  # as the layout names it
            with suppress(ValueError):
                shown = shown.relative_to(folder)
                break
        where = f" in {shown}"
    if line:
        where += f" at line {line}"
    what = " ".join(what.split())  # one line, as a chat reply or an error line is
    return (f"minutes template {template!r} failed{where}: {type(exc).__name__}"
            f"{': ' + what if what else ''}")


_BLANK_RUN = re.compile(r"\n{3,}")
# Enough pieces for a join to cost little per piece, few enough to hold little at once.
_PIECES_PER_CHUNK = 512


def _tidied(pieces: Iterator[str]) -> str:
    """The rendered pieces as one text, each run of blank lines cut to one (optional parts
    of a layout leave runs behind) and ending in a single line break.

    Made a chunk at a time, for the peak memory of closing a long meeting: Jinja2's
    ``render`` joins every piece at once, so all the pieces (about one per note) were alive
    beside the text, and cutting the runs and trimming the end made two more whole copies.
    Here one chunk's pieces are alive beside the text, which grows in place: CPython extends
    a string that only one name holds rather than copying it (elsewhere ``+=`` copies: the
    same text, with a copy more). A chunk's closing line breaks are held back and open the
    next chunk, so a run across the border is cut whole, and the last chunk's are the ones
    trimmed: the text is the one ``render`` + ``re.sub`` + ``rstrip`` gave, to the byte.
    Most chunks hold no run, and looking for one is cheaper than the expression's scan."""
    minutes = ""
    held = ""  # the line breaks that closed the chunk before
    while True:
        batch = [held]
        batch.extend(islice(pieces, _PIECES_PER_CHUNK))
        if len(batch) == 1:
            break
        text = "".join(batch)
        body = text.rstrip("\n")
        held = text[len(body):]
        if "\n\n\n" in body:
            body = _BLANK_RUN.sub("\n\n", body)
        minutes += body
    minutes += "\n"
    return minutes


def compile_minutes(store: Store, meeting: Meeting, group: Group,
                    template: str | None = None) -> str:
    """The meeting's minutes in ``template`` (the group's own by default)."""
    with collector_paused():  # (several objects per note, all alive to the render)
        return render(build_view(store, meeting, group), template or group.template)


def minutes_path(directory: str, meeting: Meeting) -> Path:
    slug = "".join(c if c.isalnum() else "-" for c in meeting.group_name.lower()).strip("-")
    return Path(directory) / (slug or "group") / f"{meeting.meeting_date}-{meeting.id}.md"


def save_minutes_file(directory: str, meeting: Meeting, minutes: str) -> Path:
    """A copy on disk beside the one in the database, written whole or not at all."""
    path = minutes_path(directory, meeting)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".md.partial")
    partial.write_text(minutes, encoding="utf-8")
    partial.replace(path)
    return path

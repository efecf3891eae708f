"""Votes, as each peer spells them: MeetBot's ``#startvote Q? A, B`` and ``#vote A``,
meetingology's and Mootbot's ``#vote``/``[VOTE]`` answered by ``+1``/``-1``/``+0`` lines,
hcoop-meetbot's ``#motion`` with ``#vote +1|-1|0`` and ``#close``/``#inconclusive``.

One ballot per person, changeable until the vote closes; on Slack and Discord the vote
is a message with a button per option (``vote:<id>:<n>``). Closing puts the question,
the tally and the result (with the quorum, when the group has one) in the minutes.
"""

from __future__ import annotations

import re
from collections import Counter

from bot.commands.notes import confirm, take_note
from bot.commands.turn import Turn
from bot.domain import NoteKind
from bot.effects import Button, Purpose
from bot.store import dialect_rows as rows
from bot.text import small_number

YES_NO = ("+1", "-1", "0")
# The spellings people use for the default options.
_ALIASES = {"+1": "+1", "1": "+1", "yes": "+1", "aye": "+1", "for": "+1", "y": "+1",
            "-1": "-1", "no": "-1", "nay": "-1", "against": "-1", "n": "-1",
            "0": "0", "+0": "0", "-0": "0", "abstain": "0", "abstained": "0"}
# A plain chat line that is a ballot while a vote is open (Mootbot, meetingology).
PLAIN_BALLOT = re.compile(r"([+-][01]|0)(?:\s.*)?", re.DOTALL)


def is_plain_ballot(text: str) -> bool:
    """Whether a chat line (stripped) is a ballot: it opens with "+", "-" or "0", which
    most lines do not, so the pattern rarely runs (a replay asks of every line)."""
    return text[:1] in ("+", "-", "0") and PLAIN_BALLOT.fullmatch(text) is not None
_LABELS = {"+1": "For", "-1": "Against", "0": "Abstained"}
# A button per option: Discord holds 25 in a message and Slack 25 in a block, so a longer
# list would leave the vote open with nothing to press (Discord refuses the whole post).
MOST_OPTIONS = 20
# The largest quorum ``#votesrequired`` takes: more people than any meeting holds, and a
# number every database's integer column takes.
MOST_VOTES_REQUIRED = 10_000


def parse_question(text: str) -> tuple[str, tuple[str, ...]]:
    """``Question? A, B`` -> (``Question?``, (A, B)); no options: +1, -1, 0."""
    question, mark, rest = text.rpartition("?")
    if not mark:
        return text.strip(), YES_NO
    pieces = [p.strip() for p in rest.split(",") if p.strip()]
    if len(pieces) == 1:
        pieces = pieces[0].split()
    options = tuple(dict.fromkeys(pieces))
    return question.strip() + "?", options if len(options) >= 2 else YES_NO


def start_vote(turn: Turn, argument: str, question_only: bool = False) -> None:
    meeting = turn.running()
    if not argument.strip():
        turn.effects.tell("Usage: #startvote <question>? <option>, <option>...")
        return
    if (open_one := rows.open_vote_of(turn.store, meeting.id)) is not None:
        turn.effects.tell(f"A vote is open: {open_one.question} Close it with #endvote "
                          "first.")
        return
    question, options = (argument.strip(), YES_NO) if question_only else parse_question(
        argument)
    if len(options) > MOST_OPTIONS:
        turn.effects.tell(f"A vote takes at most {MOST_OPTIONS} options (each is a button); "
                          f"this one has {len(options)}: shorten the list and start it again.")
        return
    item, section = turn.current_topic()
    vote = rows.open_vote(turn.store, meeting.id, question, options, turn.author_id, turn.now,
                          item.id if item else None, section)
    how = ("vote with +1, -1 or 0 (or #vote +1)" if options == YES_NO
           else "vote with #vote <option>")
    buttons = tuple(Button(f"vote:{vote.id}:{n}", _label(option))
                    for n, option in enumerate(options))
    turn.effects.say(f"Vote: {question} Options: {', '.join(options)}. {how}; a vote can "
                     "be changed until it closes.", buttons=buttons, purpose=Purpose.VOTE)


def motion(turn: Turn, argument: str) -> None:
    """hcoop-meetbot's ``#motion <text>``: a yes/no vote on the text as said."""
    start_vote(turn, argument, question_only=True)


def vote(turn: Turn, argument: str) -> None:
    """``#vote <option>`` while a vote is open; with none open, ``#vote <question>``
    opens one (meetingology)."""
    meeting = turn.running()
    open_one = rows.open_vote_of(turn.store, meeting.id)
    if open_one is None:
        if argument.strip() and argument.strip().casefold() not in _ALIASES:
            start_vote(turn, argument)
        else:
            turn.effects.tell("No vote is open: open one with #startvote <question>? "
                              "<options> or #motion <text>.")
        return
    cast(turn, open_one, argument)


def cast(turn: Turn, open_one: rows.Vote, said: str) -> None:
    choice = _choice(open_one.options, said)
    if choice is None:
        turn.effects.tell(f"'{said.strip()}' is not an option of this vote: "
                          f"{', '.join(open_one.options)}.")
        return
    if not _may_vote(turn):
        turn.effects.tell("Only the group's voting members may vote: "
                          + ", ".join(_voters(turn)) + ".")
        return
    changed = rows.cast(turn.store, open_one.id, turn.author_id, turn.author_name, choice,
                        turn.now)
    confirm(turn, f"Your vote {'is now' if changed else 'is'} {choice}: {open_one.question}")


def press(turn: Turn, action: str) -> None:
    """A vote button: ``vote:<id>:<n>``."""
    _, vote_id, number = [*action.split(":"), "", ""][:3]
    open_one = rows.vote(turn.store, vid) if (vid := small_number(vote_id)) is not None else None
    if turn.meeting is None or open_one is None or open_one.meeting_id != turn.meeting.id:
        turn.effects.tell("This vote belongs to a meeting that has ended.")
        return
    if open_one.closed:
        turn.effects.tell(f"This vote is closed: {open_one.result}")
        return
    choice = small_number(number)
    if choice is None or choice >= len(open_one.options):
        turn.effects.tell("That button is not one of this vote's options.")
        return
    option = open_one.options[choice]
    if not _may_vote(turn):
        turn.effects.tell("Only the group's voting members may vote: "
                          + ", ".join(_voters(turn)) + ".")
        return
    changed = rows.cast(turn.store, open_one.id, turn.author_id, turn.author_name, option,
                        turn.now)
    turn.effects.tell(f"Your vote {'is now' if changed else 'is'} {option}: "
                      f"{open_one.question}")


def end_vote(turn: Turn, argument: str) -> None:
    _close(turn)


def inconclusive(turn: Turn, argument: str) -> None:
    _close(turn, "inconclusive")


def failed(turn: Turn, argument: str) -> None:
    """hcoop-meetbot's ``#failed [text]``: the open motion failed (and a note, if text)."""
    _close(turn, "motion failed", quiet=bool(argument.strip()))
    if argument.strip():
        take_note(turn, NoteKind.REJECTED, argument)


def agreed(turn: Turn, argument: str) -> None:
    """``#agreed`` and its spellings take a decision note; hcoop-meetbot's ``#accepted``
    (or ``#accept``) also closes an open motion as accepted."""
    word = turn.event.text.lstrip("#").split(maxsplit=1)[0].rstrip(":").casefold() if (
        turn.event.text.startswith("#")) else ""
    if word in ("accepted", "accept") and turn.is_chair():
        _close(turn, "motion accepted", quiet=True)
    take_note(turn, NoteKind.AGREED, argument)


def _close(turn: Turn, outcome: str = "", quiet: bool = False) -> None:
    """Close the open vote: its tally, and ``outcome`` if the chair declared one
    (hcoop-meetbot's ``#inconclusive``, ``#accepted``, ``#failed``), else the count's."""
    meeting = turn.running()
    open_one = rows.open_vote_of(turn.store, meeting.id)
    if open_one is None:
        if not quiet:
            turn.effects.tell("No vote is open.")
        return
    ballots = rows.ballots_of(turn.store, open_one.id)
    counts = Counter(choice for _, _, choice in ballots)
    tally = ", ".join(f"{_LABELS.get(o, o)} {counts[o]}" for o in open_one.options)
    result = outcome or _result(open_one.options, counts)
    required = _required(turn)
    quorum = ""
    if required:
        met = len(ballots) >= required
        quorum = (f"; quorum of {required} {'met' if met else 'not met'}")
        if not met and not outcome:
            result = "no result (quorum not met)"
    text = f"Vote: {open_one.question} ({tally}{quorum}) Result: {result}"
    rows.close_vote(turn.store, open_one.id, turn.now, result, required)
    turn.store.add_note(meeting.id, turn.author_id, turn.author_name, turn.now, NoteKind.VOTE,
                        text, open_one.item_id, open_one.section, 0, turn.event.message_id)
    voters = "; ".join(f"{name}: {choice}" for _, name, choice in ballots)
    turn.effects.say(text + (f"\nVotes: {voters}" if voters else ""), purpose=Purpose.VOTE)


def _result(options: tuple[str, ...], counts: Counter[str]) -> str:
    if options == YES_NO:
        if counts["+1"] == counts["-1"]:
            return "inconclusive"
        return "motion accepted" if counts["+1"] > counts["-1"] else "motion failed"
    ranked = sorted(options, key=lambda o: counts[o], reverse=True)
    if not counts or (len(ranked) > 1 and counts[ranked[0]] == counts[ranked[1]]):
        return "tied"
    return ranked[0]


def _label(option: str) -> str:
    return f"{_LABELS[option]} ({option})" if option in _LABELS else option


def _choice(options: tuple[str, ...], said: str) -> str | None:
    folded = " ".join(said.split()).casefold()
    for option in options:
        if option.casefold() == folded:
            return option
    alias = _ALIASES.get(folded)
    return alias if alias in options else None


def _voters(turn: Turn) -> list[str]:
    """Who may vote: the meeting's ``#voters``, else the group's ``voters`` (else all)."""
    named = turn.store.role_names(turn.running().id, "voter")
    return named or list(turn.group.voters)


def _may_vote(turn: Turn) -> bool:
    """By platform user id (console and replay: the nick), as chairs are: a display name
    or a GitHub handle typed in ``#here`` could be anyone's."""
    meeting = turn.running()
    if turn.store.role_names(meeting.id, "voter"):
        return turn.store.has_role(meeting.id, "voter", turn.author_id,
                                   turn.author_id.casefold())
    voters = {v.casefold().lstrip("@") for v in turn.group.voters}
    return not voters or turn.author_id.casefold() in voters


def _required(turn: Turn) -> int:
    named = turn.store.role_names(turn.running().id, "votesrequired")
    return int(named[0]) if named else turn.group.votes_required


def voters(turn: Turn, argument: str) -> None:
    """``#voters`` shows who may vote; with names (mentions on Slack and Discord), chairs
    set the list for this meeting."""
    from bot.commands.meeting import people_named

    meeting = turn.running()
    named = people_named(turn)
    if named:
        if not turn.is_chair():
            turn.only_chairs("set the voters")
            return
        rows.clear_role(turn.store, meeting.id, "voter")
        for who, name, _ in named:
            turn.store.add_role(meeting.id, "voter", who, name)
    listed = _voters(turn)
    turn.effects.say("Voters: " + (", ".join(listed) if listed else "anyone present"))


def votes_required(turn: Turn, argument: str) -> None:
    meeting = turn.running()
    number = small_number(argument.strip())
    if number is None or number > MOST_VOTES_REQUIRED:
        turn.effects.tell(f"Usage: #votesrequired <N>, a number from 0 (no quorum) to "
                          f"{MOST_VOTES_REQUIRED:,}")
        return
    for old in turn.store.role_names(meeting.id, "votesrequired"):
        turn.store.remove_role(meeting.id, "votesrequired", old)
    if number:
        turn.store.add_role(meeting.id, "votesrequired", str(number), str(number))
    confirm(turn, f"Votes required: {number or 'none'}")

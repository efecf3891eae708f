"""Small text rules shared by commands and minutes: names lists, escaping, references."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Kept as typed: an autolink, or a code span (not after a backslash, which makes its
# backtick literal; an unclosed backtick run is no code span, and the text after it is
# escaped as usual).
_KEPT = re.compile(r"<https?://[^<>\s]+>|(?<![`\\])(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
# What Markdown (or a chat platform) would read as markup: "<" before a letter, "/", "!",
# "?", "@", "#" or ":", up to its ">" if on the same line.
_TAG = re.compile(r"<([A-Za-z/!?@#:][^<>\n]*)(>?)")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# The ASCII characters ``_CONTROL`` does not match: tab, line feed and the printable ones.
_ASCII_KEPT = b"\t\n" + bytes(range(0x20, 0x7F))


def split_names(argument: str, full_names: bool = False) -> list[str]:
    """``"Alice, Bob Smith"`` -> two names; without commas, whitespace separates nicks.

    Commas are how people list full names (W3C ``present+ Joe Sepi, Ann Lee``); a bare
    ``#chair alice bob`` is IRC-style nicks. With ``full_names`` (attendance), only commas
    separate: ``#regrets Marco Ippolito`` is one person.
    """
    argument = argument.strip()
    if not argument:
        return []
    if "," in argument or full_names:
        return [part.strip() for part in argument.split(",") if part.strip()]
    return argument.split()


def quote_names(names: Iterable[str]) -> str:
    return ", ".join(names)


def escape_markdown_html(text: str) -> str:
    """Keep Markdown, but show HTML and chat mention syntax (``<!channel>``) literally.

    Only what would render as something else is escaped: a ``<`` that opens a tag, a
    comment or declaration (``<b>``, ``</i>``, ``<!--``, ``<?``) or a chat mention
    (``<@U1>``, ``<#C1>``, ``<!here>``, ``<:emoji:1>``), with its closing ``>``, and a typed
    entity (``&lt;``). ``->``, ``signal < 1`` and ``a > b`` stay as typed. Autolinks
    (``<https://...>``: the Node.js minutes use them) and code spans (```<T>```, shown
    literally by Markdown itself) are kept whole: the text is cut at them and only the
    pieces between are escaped, so nothing a person types is read back as something else.
    """
    if "<" not in text and "&" not in text:
        return text  # nothing to escape, as in most notes (no scan needed)
    pieces: list[str] = []
    end = 0
    for match in _KEPT.finditer(text):
        pieces += [_literal(text[end:match.start()]), match.group(0)]
        end = match.end()
    pieces.append(_literal(text[end:]))
    return "".join(pieces)


def _literal(text: str) -> str:
    text = _ENTITY.sub("&amp;", text)  # "&lt;b&gt;" typed in a note stays literal too
    return _TAG.sub(lambda m: "&lt;" + m.group(1) + ("&gt;" if m.group(2) else ""), text)


def drop_control_characters(text: str) -> str:
    """Text as a person could have meant it: line breaks and tabs kept, ``\\r\\n`` read as a
    line break, and the other control characters (NUL, escapes, C1) and lone surrogates
    (undecodable bytes) dropped: PostgreSQL refuses NUL, and none of them shows anyway."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def has_control_characters(text: str) -> bool:
    """Whether ``drop_control_characters`` would change ``text`` (a carriage return is
    one of them): most lines have none, and checking is cheaper than rebuilding.

    ASCII text (most lines; the core checks every event's) is checked as bytes: deleting
    the characters ``_CONTROL`` keeps leaves the others, in C, in less time than the
    pattern's search takes (``str.isascii`` itself is a flag read)."""
    if text.isascii():
        return bool(text.encode("ascii").translate(None, _ASCII_KEPT))
    return _CONTROL.search(text) is not None


# What a terminal would act on rather than show: C0 controls but tab, DEL, C1 controls,
# and lone surrogates (which no terminal encoding can write).
_UNSEEN = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")


def visible(text: str) -> str:
    """Log text quoted in a message to a terminal, with what would act on the terminal
    (``ESC[2J`` clears it, ``ESC]0;...BEL`` sets its title) shown instead: ``\\x1b``,
    ``\\x07``, ``\\ud800``. Tabs stay; other text, backslashes included, is as typed."""
    if text.isprintable():
        return text  # most text (a tab or a non-ASCII space is checked below)
    return _UNSEEN.sub(_shown, text)


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def small_number(text: str) -> int | None:
    """``text`` as a number when it is ASCII digits that a database's integer column takes
    (at most 18 of them), else None: ``str.isdigit`` admits "²", which ``int`` refuses,
    and ``int`` refuses more than 4,300 digits, which a chat line can hold."""
    return int(text) if len(text) <= 18 and text.isascii() and text.isdigit() else None


def one_line(text: str) -> str:
    """Text that stays Markdown (an action's entry, a link, a change's detail) on one
    line, its HTML and chat mentions shown literally; a name or title is ``literal``'s."""
    return escape_markdown_html(_LINE_BREAKS.sub(" ", text.strip()))


# -- agenda titles as people type them ----------------------------------------------------

# The link a standing item carries after its title in the config (``Vulnerability Review -
# https://...``), which nobody types; any case, so that it is a tail whenever the title's
# casefolded spelling shows one (see ``title_keys``).
_URL_TAIL = re.compile(r"\s+-\s+<?https?://\S+>?\s*$", re.IGNORECASE)


def spaced_title(title: str) -> str:
    """A title in any case, its spaces collapsed: ``#topic`` names an item by this first."""
    return " ".join(title.split()).casefold()


def bare_title(title: str) -> str:
    """A title as people say it: folded, spaces collapsed, without a standing item's URL
    tail. The store keeps it beside each agenda item (``title_key``) so that a title is
    looked up, not searched for, however long the agenda grows."""
    return " ".join(_URL_TAIL.sub("", title).split()).casefold()


def title_keys(text: str) -> tuple[str, str, str]:
    """Keys (``bare_title``) under which every item that ``text`` names, by either rule,
    is stored. Reading the same spaced means reading the same bare (the tail is matched
    in any case, as casefolding reads it), except for a text that is nothing but a tail:
    a tail is cut only after a space, so ``" - https://x"`` and ``"- https://x"`` read the
    same spaced yet differ bare. Hence the text's key, its key with a space before it, and
    its spaced spelling (one value without a tail, two or three with one)."""
    return bare_title(text), bare_title(" " + text), spaced_title(text)


def literal(text: str) -> str:
    """A name, affiliation or title (a meeting's, an agenda item's) as Markdown that shows
    it as typed, on one line: nothing in it becomes a link, an image, emphasis, a
    heading, a list, a quote, a table cell or HTML. Unlike a note's text, which is
    Markdown on purpose (``escape_markdown_html``), none of it is markup.

    Only what could be read as markup is escaped, so the file stays readable: ``[`` and
    ``]`` (links, images: a ``!`` is then only a ``!``), ``*``, ``` ` ```, ``~``, ``|``,
    a ``_`` run that could open emphasis (not one after a letter or digit, as in
    ``some_user``), a ``\\`` that would escape what follows it, HTML and entities as
    ``one_line`` shows them, and what would start a block at its start (``# x``, ``> x``,
    ``- x``, ``+ x``, ``---``, ``===``, ``1. x``): the text is often a list entry's start.
    ``@handle``, ``#12``, ``-x``, ``a > b`` and ``C#`` stay as typed, and so do an
    autolink (``<https://...>``: a standing item's link), which shows where it goes, and
    a code span (``repl: don't use `domain` ``), which shows its text and nothing else:
    GitHub shows an issue's title so, and the Node.js minutes copy it so.
    """
    return _literally(text, pings=True)


def literal_without_pings(text: str) -> str:
    """``literal(text)`` for a GitHub issue, pull request or comment body, where an
    ``@handle`` or ``@org/team`` would notify people: each one outside a code span is
    shown in code, which GitHub does not read mentions in (``ask `@alice` ``); one in a
    kept code span or autolink is left as it is, being no mention already. ``a@b.org``
    is no mention either. Titles need none of this: GitHub does not ping from a title."""
    return _literally(text, pings=False)


def _literally(text: str, pings: bool) -> str:
    text = _LINE_BREAKS.sub(" ", text.strip())
    if ("<" not in text and "`" not in text) or not _KEPT.search(text):
        text = _escaped_markup(text) if pings else _unpinged(_escaped_markup(text), "", "")
    else:  # the pieces between autolinks and code spans
        pieces: list[str] = []
        end = 0
        for match in _KEPT.finditer(text):
            piece = _escaped_markup(text[end:match.start()])
            if not pings:
                piece = _unpinged(piece, text[end - 1:end], match.group(0)[0])
            pieces += [piece, match.group(0)]
            end = match.end()
        piece = _escaped_markup(text[end:])
        pieces.append(piece if pings else _unpinged(piece, text[end - 1:end], ""))
        text = "".join(pieces)
    if text[:1] in _BLOCK_STARTS:
        text = _BLOCK_START.sub(r"\g<0>\\", text, count=1)
    return text


# What ``literal`` escapes anywhere: link, emphasis, code, strikethrough and table
# characters, a run of ``_`` (see ``_escaped``), and a backslash before ASCII punctuation
# or at the end (where it would escape what comes next, or break the line).
_MARKUP = re.compile(r"[\[\]*`~|]|_+|\\(?=[!-/:-@[-`{-~]|$)")
# What would start a block at a line's start (``*``, ``_``, ``` ` ``, ``~``, ``|`` and
# ``[`` are escaped anywhere): a heading ("# x", not "#12"), quote, list item ("- x", not
# "-x"), thematic break or setext underline ("---", "==="), with a backslash before it,
# or an ordered list item ("1. x", not "1.5"), with one between its number and its ".".
_BLOCK_STARTS = frozenset("#>+-=0123456789")
_BLOCK_START = re.compile(r"^(?:[0-9]{1,9}(?=[.)](?:\s|$))"
                          r"|(?=#{1,6}(?:\s|$)|[+-](?:\s|$)|>|-[-\s]*$|=+$))")


# A mention as GitHub reads one: not after a letter, digit or "_" (``a@b.org`` is none);
# a handle, or an org and team. (GitHub's handles have no "_", but "@some_user" shown in
# code whole reads better than "@some" in code and "_user" after it.)
_MENTION = re.compile(r"(?<!\w)@[A-Za-z0-9][\w-]*(?:/[A-Za-z0-9][\w-]*)?")


def _unpinged(piece: str, before: str, after: str) -> str:
    """``piece`` (escaped by ``_escaped_markup``: its backticks are all escaped ones, none
    opens a code span) with each mention in a code span of its own. ``before`` and
    ``after`` are the characters around it: next to a kept code span's backtick, the
    span's would join it in one longer run (```@x``code` `` is one code span, ``@x``code``),
    so there the mention is put in ``<code>``, which GitHub shows the same way."""
    if "@" not in piece:
        return piece

    def quiet(match: re.Match[str]) -> str:
        touches = (match.start() == 0 and before == "`") or \
            (match.end() == len(piece) and after == "`")
        return f"<code>{match.group(0)}</code>" if touches else f"`{match.group(0)}`"

    return _MENTION.sub(quiet, piece)


def _escaped_markup(text: str) -> str:
    if _MARKUP.search(text):
        text = _MARKUP.sub(_escaped, text)
    return _literal(text) if "<" in text or "&" in text else text


def _escaped(match: re.Match[str]) -> str:
    found = match.group(0)
    if found[0] == "_":
        text, start, end = match.string, match.start(), match.end()
        # After a letter or digit ("some_user", "name_") or before a space, a "_" run
        # cannot open emphasis in CommonMark; with every opener escaped, none closes any.
        if (start and text[start - 1].isalnum()) or (end < len(text) and text[end].isspace()):
            return found
        return found.replace("_", "\\_")
    return "\\" + found

"""Effects -> Slack Web API calls (Block Kit and mrkdwn), with nothing in them that pings.

The core's text is plain and may hold anything a person typed, including ``<!channel>`` or
``@here``. Slack reads ``<...>`` as markup and, in mrkdwn that is not ``verbatim``, turns
``@here``/``@channel``/``@everyone`` into broadcasts. So every plain string is escaped
(``&``, ``<``, ``>``), broadcast words get a zero-width joiner after the ``@``, and mrkdwn
objects are ``verbatim``; the only markup in what we send is markup we made (links, dates).

Slack's limits count the escaped text, so long text is cut on the plain text into pieces
that each fit once escaped: a cut never falls inside an entity (``&amp;``), a link
(``<url>``) or a defused broadcast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.effects import Acknowledge, Button, Effect, Post, PrivateReply, SetTopic

SECTION_LIMIT = 3000  # characters of text in one section block
TEXT_LIMIT = 4000  # Slack truncates longer message text; keep notifications short
TOPIC_LIMIT = 250  # conversations.setTopic refuses longer topics
MAX_BLOCKS = 50

_BROADCAST = re.compile(r"@(here|channel|everyone)\b", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>|\"]+[^\s<>|\".,;:!?)\]]")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
ELLIPSIS = "…"


def escape(text: str) -> str:
    """Plain text -> mrkdwn that shows exactly that text and pings nobody."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda m: "@\u2060" + m.group(1), text)


def escape_and_link(text: str) -> str:
    """``escape``, with URLs as explicit links (verbatim mrkdwn does not link them itself)."""
    return "".join(_atoms(text, link=True))


def _atoms(text: str, link: bool) -> list[str]:
    """``text`` escaped, as the smallest pieces it may be cut between: one per character,
    except that an entity, a link and a defused broadcast each stay whole."""
    special = [(m.start(), m.end(), "@\u2060" + m.group(1)) for m in _BROADCAST.finditer(text)]
    if link:
        special += [(m.start(), m.end(), "<" + m.group(0).replace("&", "&amp;") + ">")
                    for m in _URL.finditer(text)]
    special.sort()
    atoms: list[str] = []
    position = 0
    for start, end, rendered in special:
        if start < position:  # a broadcast word inside a URL: the link carries it
            continue
        atoms += [_ENTITIES.get(c, c) for c in text[position:start]]
        atoms.append(rendered)
        position = end
    atoms += [_ENTITIES.get(c, c) for c in text[position:]]
    return atoms


def fit(text: str, limit: int, link: bool = False) -> str:
    """``text`` escaped (and linked), cut on the plain text with an ellipsis when the
    escaped form would pass ``limit`` characters."""
    atoms = _atoms(text, link)
    if sum(len(a) for a in atoms) <= limit:
        return "".join(atoms)
    kept, size = [], len(ELLIPSIS)
    for atom in atoms:
        if size + len(atom) > limit:
            break
        kept.append(atom)
        size += len(atom)
    return "".join(kept) + ELLIPSIS


def _pieces(line: str, limit: int) -> list[str]:
    """One line escaped and linked, in pieces of at most ``limit`` characters, cut at a
    space where there is one, and never inside an entity or a link (a URL longer than a
    whole section is sent as text, cut like any word)."""
    atoms: list[str] = []
    for atom in _atoms(line, link=True):
        atoms += _atoms(atom[1:-1].replace("&amp;", "&"), link=False) \
            if len(atom) > limit else [atom]
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for atom in atoms:
        while current and size + len(atom) > limit:
            # At the last space, unless that leaves a piece under half full: then hard.
            spaces = [n for n, a in enumerate(current) if a.isspace()]
            cut = spaces[-1] if spaces and spaces[-1] >= max(1, len(current) // 2) \
                else len(current)
            pieces.append("".join(current[:cut]))
            current = current[cut:]
            while current and current[0].isspace():
                current.pop(0)
            size = sum(len(a) for a in current)
        current.append(atom)
        size += len(atom)
    pieces.append("".join(current))
    return pieces


def local_time(when: datetime) -> str:
    """An instant every reader sees in their own zone, with a UTC fallback for old clients."""
    unix = int(when.timestamp())
    fallback = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{unix}^{{date_long_pretty}} {{time}}|{fallback}>"


@dataclass(frozen=True, slots=True)
class Call:
    """One Web API call: the ``AsyncWebClient`` method name and its arguments."""

    method: str
    kwargs: dict[str, Any] = field(default_factory=dict)


def sections(text: str) -> list[dict[str, Any]]:
    """Section blocks holding ``text`` (split at line ends to stay under Slack's limit)."""
    chunks: list[str] = []
    current = ""
    for line in (piece for plain in text.split("\n") for piece in _pieces(plain,
                                                                           SECTION_LIMIT)):
        if current and len(current) + 1 + len(line) > SECTION_LIMIT:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current.strip():
        chunks.append(current)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": c, "verbatim": True}}
            for c in chunks][: MAX_BLOCKS - 2]


def _fallback_text(text: str) -> str:
    """The notification text (and what screen readers say): escaped, and short."""
    return fit(text, TEXT_LIMIT)


def _buttons(buttons: tuple[Button, ...]) -> dict[str, Any]:
    elements = []
    for button in buttons[:25]:
        element: dict[str, Any] = {
            "type": "button",
            "text": {"type": "plain_text", "text": button.label[:75], "emoji": True},
        }
        if button.url:
            element["url"] = button.url
            element["action_id"] = f"link:{button.action}"
        else:
            element["action_id"] = button.action
            element["value"] = button.action
            if button.action == "here":
                element["style"] = "primary"
        elements.append(element)
    return {"type": "actions", "block_id": "gavel", "elements": elements}


def render_post(post: Post) -> Call:
    """A channel message; with an attachment, a file upload with the text as its comment."""
    if post.attachment is not None:
        kwargs: dict[str, Any] = {
            "channel": post.place.channel,
            "content": post.attachment.content,
            "filename": post.attachment.filename,
            "title": post.attachment.title or post.attachment.filename,
            "initial_comment": _fallback_text(post.text),
        }
        if post.thread_id:
            kwargs["thread_ts"] = post.thread_id
        return Call("files_upload_v2", kwargs)
    blocks = sections(post.text)
    fallback = _fallback_text(post.text)
    if post.when is not None:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": f":clock3: {local_time(post.when)}"}]})
        fallback += " (" + post.when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") + ")"
    if post.buttons:
        blocks.append(_buttons(post.buttons))
    kwargs = {"channel": post.place.channel, "text": fallback, "blocks": blocks,
              "unfurl_links": False, "unfurl_media": False}
    if post.thread_id:
        kwargs["thread_ts"] = post.thread_id
    return Call("chat_postMessage", kwargs)


def render_private(reply: PrivateReply) -> Call:
    kwargs: dict[str, Any] = {"channel": reply.place.channel, "user": reply.user_id,
                              "text": _fallback_text(reply.text)}
    blocks = sections(reply.text)
    if reply.buttons:  # a Done button per action listed, say
        blocks.append(_buttons(reply.buttons))
    if blocks:
        kwargs["blocks"] = blocks
    return Call("chat_postEphemeral", kwargs)


def render_acknowledge(ack: Acknowledge) -> Call:
    return Call("reactions_add", {"channel": ack.place.channel, "timestamp": ack.message_id,
                                  "name": ack.emoji})


def render_topic(topic: SetTopic) -> Call:
    """Slack counts the topic as sent, escaped: the plain text is cut until that fits."""
    return Call("conversations_setTopic", {"channel": topic.place.channel,
                                           "topic": fit(topic.topic, TOPIC_LIMIT)})


_RENDERERS: dict[type, Any] = {
    Post: render_post,
    PrivateReply: render_private,
    Acknowledge: render_acknowledge,
    SetTopic: render_topic,
}


def render(effect: Effect) -> Call:
    """The Web API call that carries out ``effect``."""
    return _RENDERERS[type(effect)](effect)  # type: ignore[no-any-return]

"""How the agenda is written in Markdown, one definition for every place that shows it.

The meeting issue, the minutes (both Node.js layouts) and the HackMD note all list the
labelled issues and pull requests the same way, under the same "Extracted from" sentence;
the Node.js tooling reads these lines back, so they must not drift apart.
"""

from __future__ import annotations

from bot.config import Group


def agenda_line(title: str, number: int, url: str, repo: str = "") -> str:
    """``* Title [#12](url)``, or ``[nodejs/node#12]`` when the list is not grouped under
    its repository. ``title`` is Markdown already (see ``bot.text.literal``)."""
    return f"* {title} [{repo}#{number}]({url})"


def label_line(group: Group) -> str:
    """The sentence the Node.js minutes and issues put above the agenda."""
    labels = ", ".join(f"**{label}**" for label in group.labels)
    orgs = ", ".join(f"**{org} org**" for org in group.orgs)
    return (f"Extracted from {labels} {group.minutes.label_spelling} issues and pull "
            f"requests from the {orgs} prior to the meeting.")

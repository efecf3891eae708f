"""What the group carries from one meeting to the next, as text: open actions by owner and
agenda items added between meetings. Shown by ``#startmeeting``, ``/meeting agenda``, the
reminder and the meeting issue, so each says the same thing the same way.

Plain text, as effects are: the adapters keep a title from pinging anyone.
"""

from __future__ import annotations

from collections import OrderedDict

from bot.store import Store
from bot.store.actions import ActionItem, ActionStore, PendingItem

UNASSIGNED = "Unassigned"


def flat(text: str) -> str:
    """On one line (chat text: the adapters escape it, so nothing else is done here)."""
    return " ".join(text.split())


def action_line(action: ActionItem) -> str:
    return f"{action.label} {flat(action.text)}"


def by_owner(actions: list[ActionItem]) -> OrderedDict[str, list[ActionItem]]:
    """Owner name -> their open actions (an action with two owners is under both);
    unassigned ones last."""
    owners: OrderedDict[str, list[ActionItem]] = OrderedDict()
    for action in actions:
        for owner in action.owners or (UNASSIGNED,):
            owners.setdefault(flat(owner), []).append(action)
    if UNASSIGNED in owners:
        owners.move_to_end(UNASSIGNED)
    return owners


def open_action_lines(actions: list[ActionItem], bullet: str = "-") -> list[str]:
    """``- Owner: A-1 text`` lines, grouped by owner."""
    return [f"{bullet} {owner}: {action_line(action)}"
            for owner, theirs in by_owner(actions).items() for action in theirs]


def pending_line(item: PendingItem) -> str:
    title = flat(item.title)
    if item.reference:
        return f"{title} ({item.reference}) {item.url}".rstrip()
    return title


def memory_lines(store: Store, group_name: str) -> tuple[list[str], list[str]]:
    """(agenda items added in chat, open actions by owner) as ``- ...`` lines."""
    actions = ActionStore(store)
    pending = [f"- {pending_line(item)}" for item in actions.pending(group_name)]
    return pending, open_action_lines(actions.open_actions(group_name))


def memory_text(store: Store, group_name: str) -> list[str]:
    """The lines a reminder adds: items added in chat, then open actions."""
    pending, actions = memory_lines(store, group_name)
    lines = []
    if pending:
        lines += ["Added in chat for this meeting:", *pending]
    if actions:
        lines += ["Open actions:", *actions]
    return lines

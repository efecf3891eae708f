"""/meeting publish: (re)publish the last ended meeting's minutes as a pull request."""

from __future__ import annotations

from bot.commands.after_commit import PublishMinutes
from bot.commands.turn import Turn
from bot.effects import Purpose


def publish(turn: Turn, argument: str) -> None:
    if not turn.can_publish:
        turn.effects.tell("Publishing to GitHub is not set up here: set GITHUB_TOKEN (or a "
                          "GitHub App) and the group's minutes_repo.")
        return
    if turn.meeting is not None:
        turn.effects.tell("The meeting is still running: #endmeeting saves and publishes "
                          "the minutes.")
        return
    meeting = turn.store.last_ended_meeting(turn.event.place)
    if meeting is None:
        turn.effects.tell("No meeting has ended in this channel yet: nothing to publish.")
        return
    turn.effects.say(f"Publishing the minutes of {meeting.title} {meeting.meeting_date}…",
                     purpose=Purpose.PUBLISH)
    turn.after_commit.append(PublishMinutes(meeting.id))

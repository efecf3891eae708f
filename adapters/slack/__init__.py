"""Gavel on Slack, through slack-bolt: see ``service.py`` for the ways to run it."""

from adapters.slack.service import SlackService

__all__ = ["SlackService"]

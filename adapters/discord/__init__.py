"""The Discord adapter (discord.py): ``/meeting`` app commands, meeting messages, buttons,
voice-channel attendance, scheduled events. The service is ``adapters.discord.service``.

This package file imports nothing, so that ``adapters.discord.invite`` (used by the CLI)
does not pay for importing discord.py.
"""

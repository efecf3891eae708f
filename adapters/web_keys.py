"""The keys under which the web server's application holds what its handlers share.

Its own module so that ``adapters.web`` (which builds the application) and the modules
that add routes to it (``web_calendar``, ``web_archive``, ``web_live``) import it, not
each other: no import cycle, no import inside a function.
"""

from __future__ import annotations

from aiohttp import web

from bot.app import Core

CORE_KEY = web.AppKey("core", Core)

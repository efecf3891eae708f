"""``gavel serve``: the composition root that starts the web server, the platform adapters
and the background jobs (``gavel.service.jobs``), with its logging and metrics.

It may import ``adapters`` and ``bot``; neither imports it.
"""

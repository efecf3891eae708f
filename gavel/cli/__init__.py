"""The ``gavel`` command line. ``main`` builds the parser from the subcommand modules
(``schedule``, ``github``, ``archive``); they share ``core`` and ``groups``, and nothing
imports ``main``.

Imports are lazy on purpose: ``gavel --help`` must not pay for SQLAlchemy, Jinja2 or a
platform SDK, and each command loads only what it uses.
"""

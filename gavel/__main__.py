"""``python -m gavel ...``: the same as the ``gavel`` command."""

from gavel.cli.main import main

raise SystemExit(main())

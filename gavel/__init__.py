"""The application around the core: the command line (``gavel.cli``) and the long-running
service (``gavel.service``), which choose and start the platform adapters.

The layers import downwards only: ``gavel.cli`` → ``gavel.service`` → ``adapters`` →
``bot``. Nothing below imports what is above it.
"""

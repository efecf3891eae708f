"""What every subcommand needs from the global options: the settings and the core.

Shared here (not in ``gavel.cli.main``) so the subcommand modules import it and ``main``
imports them, without a cycle. Imports are lazy: ``gavel --help`` loads none of them.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import Core
    from bot.config import Settings


def settings_of(args: argparse.Namespace) -> Settings:
    """The settings from ``--config`` (or ``$GAVEL_CONFIG``, or ./gavel.toml)."""
    from bot.config_file import load_settings

    return load_settings(Path(args.config) if args.config else None)


def core_of(args: argparse.Namespace) -> Core:
    """The core on those settings and ``--database``; the caller closes it."""
    from bot.app import build_core

    return build_core(settings_of(args), database_url=args.database)

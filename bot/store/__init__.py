"""Persistence: the single source of truth for meetings, notes and people."""

from bot.store.database import StoreError
from bot.store.repository import AlreadyRunning, Database, NoteRow, Store

__all__ = ["AlreadyRunning", "Database", "NoteRow", "Store", "StoreError"]

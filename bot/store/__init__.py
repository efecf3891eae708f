"""Persistence: the single source of truth for meetings, notes and people."""

from bot.store.database import StoreError
from bot.store.repository import AlreadyRunning, Database, Store

__all__ = ["AlreadyRunning", "Database", "Store", "StoreError"]

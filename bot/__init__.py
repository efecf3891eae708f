"""Gavel's core: the meeting logic every platform adapter shares.

Nothing here imports an adapter or a chat platform's SDK.
"""

"""Reminders before each scheduled meeting: the loop that claims and posts them
(``loop``), the posts' text (``text``), their rendering once per meeting (``render``) and
the batching of their claims into few commits (``group_commit``).

Empty on purpose: ``bot.commands.schedule`` needs only ``text``, and should not load the loop.
"""

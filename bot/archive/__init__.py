"""The group's web archive: every past meeting's minutes and transcript, the meetings
list, open actions and attendance, as HTML pages (rendered here, served by
``adapters/web_archive.py``)."""

"""Calendar links, ``.ics`` files and time-zone tables for a group's meetings."""

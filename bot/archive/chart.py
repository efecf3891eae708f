"""The attendance chart: an inline SVG drawn on the server (no script, nothing fetched),
people × meetings, and below it the number present at each meeting over time.

Size matters (the page carries it inline): cells are not one element each but one
``<path>`` per status, a few bytes per cell, so 100 meetings × 60 people stay far under
200 KB. Every name is escaped; present and regrets differ in shape as well as colour.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from bot.attendance_history import PRESENT, REGRETS, AttendanceHistory

CELL = 10  # pitch of the grid, in px
NAME_WIDTH = 170
NAME_CHARS = 24
BARS_HEIGHT = 80
LABEL_HEIGHT = 70  # the rotated dates under the grid


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def _label_every(count: int) -> int:
    """Label each meeting while they fit, else every 2nd, 5th, 10th..."""
    for step in (1, 2, 5, 10, 20, 50):
        if count / step <= 25:
            return step
    return 100


def attendance_svg(history: AttendanceHistory) -> Markup:
    meetings = history.meetings
    people = history.people
    columns, rows = len(meetings), len(people)
    grid_width = columns * CELL
    width = NAME_WIDTH + grid_width + 10
    grid_height = rows * CELL
    bars_top = grid_height + LABEL_HEIGHT + 20
    height = bars_top + BARS_HEIGHT + 20
    summary = (f"Attendance of {len(people)} people at the last {columns} meetings, "
               f"from {meetings[0].date} to {meetings[-1].date}" if meetings else
               "No past meetings yet")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="attendance" role="img" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'aria-labelledby="chart-title"><title id="chart-title">{escape(summary)}'
             "</title>",
             '<style>.p{fill:#1a7f37}.r{fill:none;stroke:#9a6700;stroke-width:1.5}'
             '.bg{fill:#f3f4f6}.b{fill:#0969da}text{font:10px sans-serif;fill:#1f2328}'
             '</style>',
             f'<rect class="bg" x="{NAME_WIDTH}" y="0" width="{grid_width}" '
             f'height="{grid_height}"/>']
    present: list[str] = []
    regrets: list[str] = []
    for y, person in enumerate(people):
        top = y * CELL
        parts.append(f'<text x="{NAME_WIDTH - 6}" y="{top + 8}" text-anchor="end">'
                     f"{escape(_short(person.name))}</text>")
        for x, mark in enumerate(person.marks):
            if mark == PRESENT:
                present.append(f"M{NAME_WIDTH + x * CELL} {top}h8v8h-8z")
            elif mark == REGRETS:
                regrets.append(f"M{NAME_WIDTH + x * CELL + 1} {top + 1}h6v6h-6z")
    if present:
        parts.append(f'<path class="p" d="{"".join(present)}"/>')
    if regrets:
        parts.append(f'<path class="r" d="{"".join(regrets)}"/>')
    step = _label_every(columns)
    for x, meeting in enumerate(meetings):
        if x % step == 0 or x == columns - 1:
            left = NAME_WIDTH + x * CELL + 7
            parts.append(f'<text transform="translate({left} {grid_height + 6}) rotate(90)">'
                         f"{escape(meeting.date)}</text>")
    # Present per meeting, as bars over the same columns.
    most = max((history.present_at(x) for x in range(columns)), default=0) or 1
    bars = []
    for x in range(columns):
        tall = round(history.present_at(x) * BARS_HEIGHT / most)
        if tall:
            bars.append(f"M{NAME_WIDTH + x * CELL} {bars_top + BARS_HEIGHT - tall}"
                        f"h8v{tall}h-8z")
    parts.append(f'<text x="{NAME_WIDTH - 6}" y="{bars_top + 10}" text-anchor="end">'
                 f"present (max {most})</text>")
    if bars:
        parts.append(f'<path class="b" d="{"".join(bars)}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # every piece of text in it went through escape()

"""A log file's lines, decoded as the file was written, read as they are needed.

Old IRC logs (irssi, MeetBot) are often Latin-1 or Windows-1252, or mixed: a client
that changed its setting, a line pasted from another. A line is UTF-8 when it decodes as
UTF-8; a line that does not is read as Windows-1252 (the five bytes that leaves undefined
as Latin-1, so no byte is lost), and ``LogFile.not_utf8_note`` says which lines were. A
file opening with a UTF-16 byte order mark is UTF-16; a UTF-8 one is skipped.

The file is a text file as before, with an error handler: a UTF-8 log (nearly all) is
read exactly as fast, by the same C code, and streamed; only a byte that is not UTF-8
calls Python (``_windows_1252``), which reads the rest of its line as Windows-1252. What
came before that byte on the line was read as UTF-8: the same, unless the line holds
there a pair of Windows-1252 letters that is also a UTF-8 letter (``Ã©``, read as é),
which a Latin-1 line almost never does. The lines that were not UTF-8 are found when
asked for, by reading the file again (``_not_utf8_lines``): only for a log that had one.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

# Windows-1252, with the bytes it leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) read
# as Latin-1 reads them.
_WINDOWS_1252 = "".join(bytes([byte]).decode("cp1252", "ignore") or chr(byte)
                        for byte in range(256))
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
HANDLER = "gavel-windows-1252"
_calls = [0]  # how many times the handler ran in this process (see LogFile.not_utf8_note)


def _windows_1252(error: UnicodeError) -> tuple[str, int]:
    """The bytes from the first that is not UTF-8 to the end of its line (as far as the
    text file has read), as Windows-1252."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    _calls[0] += 1
    data, start = error.object, error.start
    ends = [at for at in (data.find(b"\n", start), data.find(b"\r", start)) if at >= 0]
    end = min(ends) if ends else len(data)
    return codecs.charmap_decode(data[start:end], "strict", _WINDOWS_1252)[0], end


codecs.register_error(HANDLER, _windows_1252)


class LogFile:
    """The lines of a log file, with ``\\n`` line ends: iterate it once, then close it."""

    def __init__(self, path: str | Path) -> None:
        self.path = path
        binary = open(path, "rb")  # noqa: SIM115 (closed with the text file around it)
        try:
            self.utf16 = binary.peek(4)[:4].startswith(_UTF16_BOMS)
            self._calls = _calls[0]
            # The text file ``open`` makes, around the file it has opened already (a pipe
            # is read once). "utf-8-sig": a UTF-8 byte order mark is skipped. UTF-16: the
            # codec reads the mark, and by it the byte order.
            self._text = (io.TextIOWrapper(binary, encoding="utf-16", errors="replace")
                          if self.utf16 else
                          io.TextIOWrapper(binary, encoding="utf-8-sig", errors=HANDLER))
        except BaseException:
            binary.close()
            raise

    def __iter__(self) -> Iterator[str]:
        return iter(self._text)

    def close(self) -> None:
        self._text.close()

    def __enter__(self) -> LogFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def not_utf8_note(self) -> str:
        """``lines 2, 5 and 40 more are not UTF-8: read as Windows-1252``, or ``""``
        when every line read so far was UTF-8 (or the file is UTF-16)."""
        if self.utf16 or _calls[0] == self._calls:
            return ""  # (another file's replay in this process may have called it too)
        try:
            if not Path(self.path).is_file():
                raise OSError("not a file: read once")  # a pipe, /dev/stdin
            found, count = _not_utf8_lines(self.path)
        except OSError:  # no numbers, then
            return "some lines are not UTF-8: read as Windows-1252"
        if not count:
            return ""
        if count == 1:
            which = f"line {found[0]} is"
        elif count == 2:
            which = f"lines {found[0]} and {found[1]} are"
        else:
            which = f"lines {found[0]}, {found[1]} and {count - 2} more are"
        return f"{which} not UTF-8: read as Windows-1252"


def _not_utf8_lines(path: str | Path) -> tuple[list[int], int]:
    """The numbers of the first two lines that are not UTF-8, and how many there are; the
    lines cut where a text file cuts them (``\\n``, ``\\r\\n``, ``\\r``)."""
    found: list[int] = []
    count = number = 0
    with open(path, "rb") as binary:
        for raw in binary:  # (cut at b"\n" only)
            for line in raw.splitlines() if b"\r" in raw else (raw,):
                number += 1
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    count += 1
                    if len(found) < 2:
                        found.append(number)
    return found, count


def open_log(path: str | Path) -> LogFile:
    """The log at ``path``, to iterate once and close (a context manager)."""
    return LogFile(path)

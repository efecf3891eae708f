"""A config saved by a Windows editor: a UTF-8 byte-order mark is accepted; UTF-16 or
Latin-1 is named, with the fix, in one line instead of a decoder's traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CONFIG = '# Réunion du groupe\n[[groups]]\nname = "Sécurité WG"\nchairs = ["José"]\n'


def gavel_meetings(tmp_path: Path, config: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GAVEL_CONFIG", "GAVEL_DATA_DIR")}
    return subprocess.run([sys.executable, "-m", "gavel", "--config", str(config),
                           "meetings", "--group", "Sécurité WG"], capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=60)


def saved_as(tmp_path: Path, encoding: str) -> Path:
    path = tmp_path / "gavel.toml"
    path.write_bytes(CONFIG.encode(encoding))
    return path


def test_a_config_with_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    result = gavel_meetings(tmp_path, saved_as(tmp_path, "utf-8-sig"))
    assert result.returncode == 0, result.stderr
    assert "No meetings stored yet for Sécurité WG." in result.stdout


def test_a_utf16_config_is_named_with_the_fix(tmp_path: Path) -> None:
    for encoding in ("utf-16", "utf-16-le"):  # with and without a byte-order mark
        path = saved_as(tmp_path, encoding)
        result = gavel_meetings(tmp_path, path)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert (f"{path}: saved as UTF-16, but a config must be UTF-8: save it again as UTF-8"
                in result.stderr)


def test_a_latin1_config_is_named_with_the_line_and_the_fix(tmp_path: Path) -> None:
    path = saved_as(tmp_path, "latin-1")
    result = gavel_meetings(tmp_path, path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert (f"{path}: line 1: byte 0xe9 is not UTF-8 (the file looks saved as Latin-1 or "
            "another legacy encoding): save it again as UTF-8") in result.stderr

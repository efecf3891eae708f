"""Where state lives, and what happens when that place is wrong: ``$GAVEL_DATA_DIR`` (the
Docker volume), a database URL naming a folder that does not exist, a read-only folder."""

from __future__ import annotations

import ctypes
import os
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MEETING = "#startmeeting Budget review\n#info the numbers are in\n#endmeeting\n"


def gavel(cwd: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None,
          preexec: Callable[[], None] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items()
            if k not in ("GAVEL_CONFIG", "GAVEL_DATA_DIR", "GAVEL_DATABASE_URL")}
    return subprocess.run([sys.executable, "-m", "gavel", *args], input=stdin,
                          capture_output=True, text=True, cwd=cwd, timeout=60, preexec_fn=preexec,
                          env={**base, "PYTHONPATH": str(ROOT), **(env or {})})


def one_clear_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


# --- item 6: $GAVEL_DATA_DIR keeps every state file in the volume ----------------------

def test_gavel_data_dir_overrides_the_configs_data_dir_for_every_state_file(
        tmp_path: Path) -> None:
    config = tmp_path / "config" / "gavel.toml"
    config.parent.mkdir()
    config.write_text('data_dir = "data"\n[[groups]]\nname = "Ops"\n')  # the example's value
    volume = tmp_path / "volume"
    env = {"GAVEL_DATA_DIR": str(volume)}
    ran = gavel(tmp_path, "--config", str(config), "run", "--user", "ann", stdin=MEETING,
                env=env)
    assert ran.returncode == 0, ran.stderr
    assert f"Saved as {volume / 'minutes'}" in ran.stdout
    assert (volume / "gavel.db").is_file()
    assert list((volume / "minutes").rglob("*.md"))
    assert not (config.parent / "data").exists()  # nothing beside the config file
    # A new container (same volume, same config) finds the meeting.
    listing = gavel(tmp_path, "--config", str(config), "meetings", env=env)
    assert "ended      Ops: Budget review" in listing.stdout


def test_the_docker_image_keeps_its_state_in_the_data_volume() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "GAVEL_DATA_DIR=/data" in dockerfile
    assert 'VOLUME ["/data"]' in dockerfile
    assert "docker run -d --name gavel -p 8080:8080 -v gavel-data:/data" in (
        ROOT / "README.md").read_text()


# --- item 7: a database URL in a folder that does not exist is an error ----------------

def test_a_database_url_in_a_missing_folder_is_named_and_nothing_is_created(
        tmp_path: Path) -> None:
    typo = tmp_path / "dtaa"
    result = gavel(tmp_path, "--database", f"sqlite:///{typo / 'gavel.db'}", "meetings")
    assert result.returncode == 1
    line = one_clear_line(result.stderr)
    assert f"the folder {typo} does not exist" in line
    assert "fix the path in the database URL" in line and "create the folder first" in line
    assert not typo.exists()


def test_a_configured_database_url_in_a_missing_folder_is_named(tmp_path: Path) -> None:
    config = tmp_path / "gavel.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "nowhere" / "gavel.db"}"\n')
    result = gavel(tmp_path, "--config", str(config), "run", stdin=MEETING)
    assert result.returncode == 1
    assert f"the folder {tmp_path / 'nowhere'} does not exist" in one_clear_line(result.stderr)
    assert not (tmp_path / "nowhere").exists()


# --- item 17: a read-only data folder ------------------------------------------------

PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2  # <linux/prctl.h>, capability.h


def _drop_root_override() -> None:
    """Run in the child before exec, when the tests run as root (CI containers): root ignores
    file modes, so drop the capabilities that let it from the bounding set (what
    ``setpriv --bounding-set -dac_override,-dac_read_search`` does; the exec'd command never
    gets them back) and a folder without write permission is read-only for the command as
    it is for any other user."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


@contextmanager
def read_only(folder: Path) -> Iterator[Callable[[], None] | None]:
    modes = {p: p.stat().st_mode for p in [folder, *folder.iterdir()]}
    for path in modes:
        path.chmod(stat.S_IMODE(modes[path]) & ~0o222)
    try:
        yield _drop_root_override if os.geteuid() == 0 else None
    finally:
        for path, mode in modes.items():
            path.chmod(stat.S_IMODE(mode))


def test_reading_commands_work_in_a_read_only_data_folder_and_writes_say_why(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"GAVEL_DATA_DIR": str(data)}
    assert gavel(tmp_path, "run", "--user", "ann", stdin=MEETING, env=env).returncode == 0
    with read_only(data) as preexec:
        listing = gavel(tmp_path, "meetings", env=env, preexec=preexec)
        assert listing.returncode == 0, listing.stderr
        assert "1  " in listing.stdout and "Budget review" in listing.stdout
        minutes = gavel(tmp_path, "minutes", "1", env=env, preexec=preexec)
        assert minutes.returncode == 0, minutes.stderr
        assert minutes.stdout.startswith("# Budget review ")
        assert "the numbers are in" in minutes.stdout
        written = gavel(tmp_path, "run", "--user", "ann", stdin=MEETING, env=env,
                        preexec=preexec)
    assert written.returncode == 1
    line = one_clear_line(written.stderr)
    assert f"database {data / 'gavel.db'}: the database is read-only" in line
    assert f"its folder {data} cannot be written" in line
    assert "make the file and its folder writable" in line


def test_a_read_only_folder_without_a_database_yet_is_named(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with read_only(data) as preexec:
        result = gavel(tmp_path, "meetings", env={"GAVEL_DATA_DIR": str(data)},
                       preexec=preexec)
    assert result.returncode == 1
    line = one_clear_line(result.stderr)
    assert f"the data folder {data} cannot be written by this user" in line
    assert "make the folder writable" in line

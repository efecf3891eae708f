"""The image's contents without Docker (no daemon, no base images on these machines): the
Dockerfile's build stage is read, the files its COPY lines name are copied as Docker would,
its RUN step (``scripts/install-image``) runs with the stage's environment into a fresh
environment, and ``gavel serve`` starts from that environment with the final stage's ENV,
answering /healthz, and the image's HEALTHCHECK command passes against it.

Slow (a full ``pip install`` from the wheel cache and index, about a minute).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
from pathlib import Path

from tests.serve_harness import ServeProcess

ROOT = Path(__file__).resolve().parents[1]


def stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile's instructions per stage, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    found: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        word, _, rest = line.strip().partition(" ")
        if word == "FROM":
            found.append([])
        found[-1].append((word, rest.strip()))
    return found


def env_of(stage: list[tuple[str, str]], base: dict[str, str]) -> dict[str, str]:
    env = dict(base)
    for word, rest in stage:
        if word == "ENV":
            for pair in shlex.split(rest):
                key, _, value = pair.partition("=")
                env[key] = re.sub(r"\$(\w+)", lambda m: env.get(m.group(1), ""), value)
    return env


def test_the_dockerfiles_install_step_makes_a_working_gavel_serve(tmp_path: Path) -> None:
    build, final = stages()[0], stages()[-1]
    # The build stage, as Docker runs it: COPY what it names into a fresh folder...
    src = tmp_path / "src"
    src.mkdir()
    for word, rest in build:
        if word == "COPY":
            *sources, target = rest.split()
            for source in sources:
                to = src / target / Path(source).name if target.endswith("/") else src / target
                if (ROOT / source).is_dir():
                    shutil.copytree(ROOT / source, to,
                                    ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    to.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(ROOT / source, to)
    runs = [rest for word, rest in build if word == "RUN"]
    assert runs == ["scripts/install-image /opt/gavel"]  # the one step this test repeats
    # ...then RUN it with the stage's environment, into a target of our own.
    target = tmp_path / "opt-gavel"
    build_env = env_of(build, {**os.environ})
    result = subprocess.run(["scripts/install-image", str(target)], cwd=src, env=build_env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert not (target / "bin" / "pip").exists()  # nothing that installs, in the image
    # The final stage's environment (PATH to the new environment; /data is this test's).
    image_env = env_of(final, {"PATH": "/usr/bin:/bin"})
    image_env["PATH"] = image_env["PATH"].replace("/opt/gavel", str(target))
    assert image_env["GAVEL_WEB_HOST"] == "0.0.0.0" and image_env["GAVEL_LOG_FORMAT"] == "json"
    data = tmp_path / "data"
    command = [str(target / "bin" / "gavel")]
    config = tmp_path / "gavel.toml"
    config.write_text("", encoding="utf-8")
    service = ServeProcess(config, data, {**image_env, "GAVEL_DATA_DIR": str(data),
                                          "GAVEL_WEB_HOST": "0.0.0.0", "GAVEL_WEB_PORT": "0",
                                          "PYTHONPATH": ""}, command=command)
    try:
        assert service.get("/healthz")[:2] == (200, '{"ok": true}')
        port = service.url.rsplit(":", 1)[1]
        # The image's HEALTHCHECK command, from the image's PATH, on the port it is given.
        check = subprocess.run(["gavel", "healthcheck"], capture_output=True, text=True,
                               timeout=60, env={**image_env, "GAVEL_WEB_PORT": port})
        assert check.returncode == 0, check.stderr
        wrong = subprocess.run(["gavel", "healthcheck"], capture_output=True, text=True,
                               timeout=60, env={**image_env, "GAVEL_WEB_PORT": "9"})
        assert wrong.returncode == 1
        service.signal(signal.SIGTERM)
        assert service.wait(10.0) == 0
    finally:
        service.stop()
    assert (data / "gavel.db").exists()  # the state went to the data volume

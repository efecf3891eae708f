"""The deployment files as an operator uses them: compose.yaml valid under the Compose
Specification and complete (PostgreSQL with a volume and a healthcheck, two replicas that
wait for it, every variable documented in .env.example), and the Dockerfile lint-clean."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "tests" / "specs" / "compose-spec.json"


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_compose_file_is_valid_under_the_compose_specification() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator.iter_errors(compose())]
    assert errors == []


@pytest.mark.skipif(shutil.which("docker-compose") is None,
                    reason="needs Debian's docker-compose (apt-get install docker-compose)")
def test_docker_compose_itself_accepts_the_file_with_the_example_env(tmp_path: Path) -> None:
    """What an operator runs first: `docker-compose config -q` (1.29 needs no daemon), with
    .env copied from .env.example as the README says."""
    shutil.copy(ROOT / "compose.yaml", tmp_path / "compose.yaml")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    checked = subprocess.run(["docker-compose", "-f", "compose.yaml", "config", "-q"],
                             cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stderr


def test_the_schema_refuses_what_compose_refuses() -> None:
    """The check has teeth: a misspelt key and a bad restart policy are errors."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    broken = compose()
    broken["services"]["gavel-1"]["restrat"] = "always"
    broken["services"]["db"]["healthcheck"]["interval"] = ["5s"]
    assert len(list(jsonschema.Draft7Validator(schema).iter_errors(broken))) == 2


def test_postgres_and_two_replicas_that_wait_for_it() -> None:
    services = compose()["services"]
    db = services["db"]
    assert db["image"].startswith("postgres:16")
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    replicas = [s for name, s in services.items() if name.startswith("gavel")]
    assert len(replicas) == 2
    for replica in replicas:
        assert replica["command"] == ["serve"]
        assert replica["depends_on"]["db"]["condition"] == "service_healthy"
        assert replica["healthcheck"]["test"] == ["CMD", "gavel", "healthcheck"]
        assert replica["restart"] == "unless-stopped"
        assert replica["env_file"] == ".env"
        assert replica["environment"]["GAVEL_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert any(v.endswith(":/data") for v in replica["volumes"])


def test_every_variable_an_operator_sets_is_documented_in_env_example() -> None:
    from bot.config import Secrets

    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, re.MULTILINE))
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", (ROOT / "compose.yaml").read_text()))
    secrets = {name.upper() for name in vars(Secrets())} | {"GITHUB_APP_PRIVATE_KEY_FILE"}
    secrets -= {"GITHUB_APP_PRIVATE_KEY"}  # documented as its _FILE form
    assert used - documented == set()
    assert secrets - documented == set()
    assert {"GAVEL_LOG_LEVEL", "GAVEL_LOG_FORMAT"} <= documented


def hadolint() -> str:
    found = Path(sys.executable).parent / "hadolint"
    return str(found) if found.exists() else (shutil.which("hadolint") or "hadolint")


def test_dockerfile_is_lint_clean() -> None:
    result = subprocess.run([hadolint(), "--failure-threshold", "info", "Dockerfile"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_would_catch_a_bad_dockerfile(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get install curl\n", encoding="utf-8")
    result = subprocess.run([hadolint(), str(bad)], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "DL3007" in result.stdout


def test_image_runs_serve_as_non_root_with_a_data_volume_and_a_healthcheck() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM\s+(\S+)", text, re.MULTILINE)
    assert len(stages) >= 2  # multi-stage: the build stage's tools stay behind
    final = text[text.rindex("\nFROM "):]
    assert "RUN scripts/install-image" not in final and "pip" not in final
    assert re.search(r"^USER\s+10001", final, re.MULTILINE)
    assert 'VOLUME ["/data"]' in final
    assert re.search(r'HEALTHCHECK .*\n?.*CMD \["gavel", "healthcheck"\]', final)
    assert 'CMD ["serve"]' in final

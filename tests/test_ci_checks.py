"""What CI checks: the type checker covers the adapters as well as the core; and the
layers (core, adapters, command line and service) import downwards only.

The adapters are where the platform SDKs meet our types (discord.py's overloads, Bolt's
handlers); leaving them out of mypy is how a wrong argument reached a live guild.
"""

from __future__ import annotations

import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _mypy_targets() -> set[str]:
    for line in (ROOT / ".ci" / "run").read_text().splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0].endswith("/mypy"):
            return {w for w in words[1:] if not w.startswith("-")}
    raise AssertionError(".ci/run does not run mypy")


def test_ci_type_checks_the_core_and_the_adapters() -> None:
    assert {"bot", "adapters"} <= _mypy_targets()


def _packages() -> set[str]:
    """Every top-level Python package of the project (tests aside)."""
    return {p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name != "tests"}


def test_ci_type_checks_and_ships_every_package() -> None:
    """A new top-level package (``gavel/``: the command line and the service) is neither
    left out of mypy nor out of the wheel, where ``gavel`` would fail to start."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert _packages() <= _mypy_targets()
    assert _packages() == set(project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"])
    module, _, function = project["project"]["scripts"]["gavel"].partition(":")
    assert (ROOT / (module.replace(".", "/") + ".py")).is_file() and function == "main"


# Who may import whom (by the first words of the module name): the layers point down only,
# so the command line, the service and the adapters can never import each other in a circle.
FORBIDDEN = {
    "bot": ("adapters", "gavel"),  # the core knows no platform and no process
    "adapters": ("gavel",),  # a platform translation knows nothing of how it is run
    "gavel.service": ("gavel.cli",),  # the service is started by the CLI, not the reverse
}


def _imports(path: Path) -> set[str]:
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_layers_import_downwards_only() -> None:
    wrong = []
    paths = sorted(path for package in _packages() for path in (ROOT / package).rglob("*.py"))
    assert paths
    for path in paths:
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for name in _imports(path):
            for layer, banned in FORBIDDEN.items():
                if (module == layer or module.startswith(layer + ".")) and \
                        any(name == b or name.startswith(b + ".") for b in banned):
                    wrong.append(f"{module} imports {name}")
            if name == "gavel.cli.main" and module not in ("gavel.__main__",):
                wrong.append(f"{module} imports {name} (only the entry points may)")
    assert wrong == []

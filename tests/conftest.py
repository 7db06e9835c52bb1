"""Shared fixtures: a throw-away project around the real formats, and the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"
CLI = [sys.executable, "-m", "loaders"]


@dataclass
class Result:
    code: int
    out: str
    err: str


def copy_project(tmp_path: Path) -> Path:
    """The project's files (not its virtualenvs, node modules, outputs or git) in a throw-away folder."""
    import shutil

    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(
        ".venv", ".venv-crucible", "node_modules", "target", "logs", "warehouse", "data", "reports", ".git"))
    return project


def loader_block(project: Path, retailer: str) -> dict:
    """The meta.loader block add-retailer wrote for the first dataset of `retailer`."""
    import yaml

    sources = yaml.safe_load((project / f"models/staging/{retailer}/_{retailer}__sources.yml").read_text())
    return sources["sources"][0]["tables"][0]["config"]["meta"]["loader"]


def run_cli(*args: str, cwd: Path, env: dict | None = None, timeout: int = 600) -> Result:
    full_env = {**os.environ, "DO_NOT_TRACK": "1", "COLUMNS": "200", **(env or {})}
    proc = subprocess.run([*CLI, *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def make_delivery_folders(project: Path, env: dict | None = None) -> None:
    """Create the folder of every local source of `project`, as `demo-data` or a retailer's first drop
    would: a missing folder fails its source, and most tests deliver to some sources only."""
    from loaders.dbt import environ
    from loaders.project import make_delivery_folders as make

    with environ(**(env or {})):
        make(project)


class MiniProject:
    """A dbt-shaped folder with the real formats and one sources YAML we write.

    The loader only needs dbt_project.yml (to find the project), the format
    declarations under macros/formats and the sources YAML under models/.
    """

    def __init__(self, root: Path):
        self.root = root
        self.data = root / "drop"
        self.warehouse = root / "warehouse" / "test.duckdb"
        (root / "models").mkdir(parents=True)
        (root / "macros").mkdir()
        (root / "macros" / "formats").symlink_to(ROOT / "macros" / "formats")
        (root / "dbt_project.yml").write_text("name: mini\nprofile: none\n")
        self.data.mkdir()

    def declare(self, retailer: str, tables: dict[str, tuple[str, str]], extra: dict | None = None) -> None:
        """tables: dataset -> (format, location glob relative to the drop folder)."""
        lines = ["version: 2", "sources:", f"  - name: {retailer}", f"    schema: raw_{retailer}", "    tables:"]
        for dataset, (fmt, glob) in tables.items():
            lines += [f"      - name: {dataset}", "        config:", "          meta:", "            loader:",
                      f"              format: {fmt}", f"              location: \"{self.data / glob}\""]
            for key, value in (extra or {}).items():
                lines.append(f"              {key}: {value}")
        (self.root / "models" / f"_{retailer}__sources.yml").write_text("\n".join(lines) + "\n")

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.data / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def cli(self, *args: str, env: dict | None = None) -> Result:
        return run_cli("--warehouse", str(self.warehouse), *args, cwd=self.root, env=env)

    def query(self, sql: str, params=None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


@pytest.fixture
def mini(tmp_path) -> MiniProject:
    return MiniProject(tmp_path / "project")


@pytest.fixture
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.fail(f"real sample files expected at {REALDATA}")
    return REALDATA


@pytest.fixture(scope="session")
def backend_pool(tmp_path_factory):
    """Storage servers on 127.0.0.1 (tests/backends.py), each started on first use and stopped at the end."""
    from backends import STARTERS, stop

    started = {}

    def get(name: str):
        if name not in started:
            started[name] = STARTERS[name](tmp_path_factory.mktemp(f"server-{name}"))
        return started[name]

    yield get
    for backend in started.values():
        stop(backend)


@pytest.fixture(params=["local", "s3", "gcs", "azure", "sftp", "ftp", "http"])
def backend(request, backend_pool):
    return backend_pool(request.param)
class ProjectCopy:
    """The real dbt project (models, macros, seeds, dbt tests) in a throw-away
    folder, with its own warehouse, data folder, profiles and target, driven
    through the real CLI. The demo retailers find no files there."""

    def __init__(self, root: Path):
        import shutil

        self.root = root
        root.mkdir(parents=True)
        for name in ("dbt_project.yml", "profiles.yml.example"):
            shutil.copy(ROOT / name, root / name)
        for folder in ("models", "macros", "seeds", "snapshots", "tests/dbt"):
            if (ROOT / folder).is_dir():   # the project has no dbt snapshots (models/marts/history instead)
                shutil.copytree(ROOT / folder, root / folder)
        (root / "profiles").mkdir()
        shutil.copy(ROOT / "profiles.yml.example", root / "profiles" / "profiles.yml")
        self.data = root / "drop"
        self.data.mkdir()
        self.warehouse = root / "warehouse.duckdb"
        self.env = {
            "RETAIL_WAREHOUSE": str(self.warehouse),
            "RETAIL_DATA_DIR": str(self.data),
            "DBT_PROFILES_DIR": str(root / "profiles"),
            "DBT_TARGET_PATH": str(root / "target"),
            "DBT_LOG_PATH": str(root / "logs"),
        }
        make_delivery_folders(root, self.env)

    def cli(self, *args: str) -> Result:
        return run_cli(*args, cwd=self.root, env=self.env)

    def add_retailer(self, retailer: str, dataset: str, fmt: str, location: Path | str, **options: str) -> None:
        args = ["add-retailer", retailer, "--dataset", f"{dataset}:{fmt}:{location}"]
        for key, value in options.items():
            args += ["--option", f"{dataset}:{key}={value}"]
        result = self.cli(*args)
        assert result.code == 0, result.err

    def query(self, sql: str, params=None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

"""Dry run and reported import: the whole pipeline, then the import report.

A dry run copies the warehouse file to a temporary folder and runs the real
pipeline there (download, decode, land, `dbt build`: staging, tests, marts),
so what it reports is what the real import would do; the copy is deleted
afterwards and the real file is never opened for writing. A reported import
(`import`) does the same on the real warehouse, comparing with a copy taken
before. Both write the same report (report.py); `--from-dry-run` repeats a
dry run's configuration exactly, refusing files that changed since.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from .dbt import build, environ
from .decode import checksum
from .errors import LoaderError, UsageProblem
from .importer import ImportSummary, Plan, ensure_raw_tables, land_sources, plan
from .lock import run_lock
from .project import Source, SourceProblem, load_sources, select_sources
from .report import Report, collect
from .runs import recorded, trace
from .storage import redacted
from .tempdirs import private_folder
from .warehouse import Warehouse



def warehouse_checksum(path: Path) -> str | None:
    """The warehouse file and its write-ahead log, if any: what a dry run must leave as it was."""
    if not path.exists():
        return None
    digest = hashlib.sha256(checksum(str(path)).encode())
    wal = Path(str(path) + ".wal")
    if wal.exists():
        digest.update(checksum(str(wal)).encode())
    return digest.hexdigest()


def _version(delivered) -> str:
    """What identifies this version of a delivered file: its content checksum, or the remote store's version."""
    if delivered.is_remote:
        return f"fingerprint:{delivered.fingerprint}"
    return f"sha256:{checksum(delivered.path)}"


def _select_files(planned: Plan, project_dir: Path, files: tuple[str, ...]) -> Plan:
    """Keep only the delivered files named (by path, display name or base name)."""
    if not files:
        return planned
    wanted = {str(Path(f).resolve()) for f in files} | set(files)
    kept = [(s, d) for s, d in planned.files
            if d.path in wanted or str(Path(d.path).resolve()) in wanted or d.display_name(project_dir) in wanted
            or d.name in wanted]
    missing = [f for f in files if not any(f in (d.path, d.display_name(project_dir), d.name)
                                           or str(Path(f).resolve()) == str(Path(d.path).resolve())
                                           for _, d in kept)]
    if missing:
        raise UsageProblem(f"no selected source delivers {', '.join(missing)}")
    return Plan(files=kept, errors=planned.errors, empty=planned.empty)


def configuration(project_dir: Path, sources: list[Source], planned: Plan) -> dict:
    return {
        "sources": [{"source": s.key, "format": s.format.name, "location": s.location,
                     "raw_table": f"{s.schema}.{s.identifier}",
                     # as YAML gives them (lists, mappings), in what JSON can hold: rendered as YAML
                     "options": json.loads(json.dumps(redacted(s.options), default=str)),
                     "personal_data": s.personal.describe()} for s in sources],
        "files": [{"source": s.key, "file": d.display_name(project_dir), "path": d.path, "size": d.size,
                   "version": _version(d)} for s, d in planned.files],
    }


def prepare(project_dir: Path, selectors: tuple[str, ...], files: tuple[str, ...],
            from_report: Path | None = None) -> tuple[list[Source], Plan, dict]:
    """The sources and files to import and the configuration to report (or to repeat, with from_report)."""
    problems: list[SourceProblem] = []
    declared = load_sources(project_dir, problems)
    if from_report is not None:
        return _from_report(project_dir, declared, from_report)
    sources = select_sources(declared, tuple(selectors), problems)
    chosen = select_sources(problems, tuple(selectors), declared) if selectors else problems
    if not sources and not chosen:
        raise LoaderError(f"no source in {project_dir / 'models'} has a meta.loader block")
    planned = _select_files(plan(sources, chosen), project_dir, files)
    if files:   # the sources of the files chosen, not every source that was searched for them
        delivering = {s.key for s, _ in planned.files}
        sources = [s for s in sources if s.key in delivering]
    return sources, planned, configuration(project_dir, sources, planned)


def _from_report(project_dir: Path, declared: list[Source], report_path: Path) -> tuple[list[Source], Plan, dict]:
    try:
        saved = json.loads(report_path.read_text(encoding="utf-8"))["configuration"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LoaderError(f"{report_path}: not an import report ({exc})") from None
    keys = [s["source"] for s in saved["sources"]]
    sources = [s for s in declared if s.key in keys]
    if len(sources) != len(keys):
        gone = sorted(set(keys) - {s.key for s in sources})
        raise LoaderError(f"{report_path}: source(s) {', '.join(gone)} no longer declared; dry run again")
    planned = plan(sources)
    current = {(s.key, d.display_name(project_dir)): (s, d) for s, d in planned.files}
    chosen = []
    for entry in saved["files"]:
        found = current.get((entry["source"], entry["file"]))
        if found is None:
            raise LoaderError(f"{entry['file']}: no longer delivered for {entry['source']}; dry run again")
        if _version(found[1]) != entry["version"]:
            raise LoaderError(f"{entry['file']}: changed since the dry run (was {entry['version']}, "
                              f"now {_version(found[1])}); dry run again")
        chosen.append(found)
    config = configuration(project_dir, sources, Plan(files=chosen, errors=planned.errors))
    if config["sources"] != saved["sources"]:
        raise LoaderError(f"{report_path}: the sources' configuration (format, location, options) changed "
                          "since the dry run; dry run again")
    return sources, Plan(files=chosen, errors=planned.errors), config


def _copy(path: Path, to: Path) -> None:
    if path.exists():
        shutil.copyfile(path, to)
        if Path(str(path) + ".wal").exists():
            shutil.copyfile(str(path) + ".wal", str(to) + ".wal")


def target_path(project_dir: Path) -> Path:
    configured = Path(os.environ.get("DBT_TARGET_PATH", "target"))
    return configured if configured.is_absolute() else project_dir / configured


def new_report(warehouse: Path, config: dict, dry: bool) -> Report:
    return Report(dry_run=dry, configuration=config, warehouse=str(warehouse),
                  started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))


def report_stem(folder: Path, report: Report) -> Path:
    """A new report's path without suffix, `<started>-<kind>`, claimed at once: two runs started in the
    same second get `<started>-2-<kind>`... and never overwrite each other's report."""
    started = report.started_at.replace(":", "").replace("+0000", "Z")
    kind = "dry-run" if report.dry_run else "import"
    for n in range(1, 10_000):
        stem = folder / f"{started}{'' if n == 1 else f'-{n}'}-{kind}"
        try:
            with open(stem.with_suffix(".json"), "x", encoding="utf-8"):
                return stem
        except FileExistsError:
            continue
    raise LoaderError(f"{folder}: too many reports started at {report.started_at}")


def execute(report: Report, project_dir: Path, warehouse: Path, sources: list[Source], planned: Plan, *,
            land: callable, dbt_args: tuple[str, ...] = ()) -> Report:
    """Run the pipeline (on a copy when dry) and return the filled-in report.

    `land(wh, sources, planned, on_stage)` lands the files (the CLI passes
    its progress bar); the report compares the marts before and after. A
    real import is recorded in loader.runs like `land`; a dry run writes
    nothing to the real warehouse, so it only traces its stages.
    """
    if os.environ.get("RETAIL_TARGET", "duckdb") != "duckdb":
        raise LoaderError("dry-run and import reports need the duckdb target (RETAIL_TARGET=duckdb)")
    dry = report.dry_run
    with private_folder("dry-run" if dry else "import") as tmp:
        tmp = Path(tmp)
        before = tmp / "before.duckdb"
        work = tmp / "work.duckdb" if dry else warehouse
        with run_lock(warehouse):
            if not dry:
                with recorded(warehouse, "import", [s.key for s in sources]) as run:
                    run.stage("copy warehouse")
                    report.warehouse_checksum_before = warehouse_checksum(warehouse)
                    _copy(warehouse, before)
                    report.status = "in progress"
                    run.summary = _run(report, project_dir, work, before, sources, planned, land, dbt_args,
                                       target_path(project_dir), {}, run.stage)
                    run.ok = bool(report.build_ok)
                    return report
            trace("copy warehouse")
            report.warehouse_checksum_before = warehouse_checksum(warehouse)
            _copy(warehouse, before)
            _copy(warehouse, work)
            report.status = "in progress"
        # A dry run holds no lock after the copy: the real warehouse is not touched again.
        env = {"DBT_TARGET_PATH": str(tmp / "target"), "DBT_LOG_PATH": str(tmp / "logs")}
        partial = target_path(project_dir) / "partial_parse.msgpack"
        if partial.is_file():   # parse once, not at every dry run
            (tmp / "target").mkdir()
            shutil.copyfile(partial, tmp / "target" / "partial_parse.msgpack")
        _run(report, project_dir, work, before, sources, planned, land, dbt_args, tmp / "target", env, trace)
        report.warehouse_checksum_after = warehouse_checksum(warehouse)
        return report


def _run(report: Report, project_dir: Path, work: Path, before: Path, sources, planned, land, dbt_args,
         target: Path, env: dict, on_stage) -> ImportSummary:
    """Land, build and fill in the report; the landing summary."""
    with Warehouse(work) as wh:
        first_load = wh.con.execute("select coalesce(max(load_id), 0) from loader.files").fetchone()[0]
        # dbt builds the whole project: the raw tables of sources not imported must exist too.
        ensure_raw_tables(wh, load_sources(project_dir, problems=[]))
        summary: ImportSummary = land(wh, sources, planned, on_stage)
    on_stage("dbt build")
    with environ(RETAIL_WAREHOUSE=str(work), **env):
        built = build(project_dir, work, dbt_args, record=not report.dry_run)
    collect(report, work, before if before.exists() else None, summary, first_load, target, built,
            {s.key: s.personal for s in sources}, {s.key: s.format.item_field for s in sources})
    return summary

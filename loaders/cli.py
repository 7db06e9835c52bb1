"""retail-imports: land retailers' files and build the dbt project.

Exit codes: 0 success; 1 a file or the build failed; 2 bad usage;
75 skipped because another run holds the warehouse.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timezone
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from . import bigquery, demo, interrupts
from .dbt import BUILD, run_dbt
from .discovery import NameStamp
from .errors import LoaderError, RunInProgress
from .interrupts import EXIT_INTERRUPTED, interrupted
from .importer import ImportSummary, ensure_raw_tables, land_sources, plan
from .lock import run_lock
from .runs import RunRecord, recorded, trace
from .schedule import check as check_cron
from .schedule import configured as configured_schedules
from .schedule import run_schedules
from .project import find_project_dir, load_sources, select_sources
from .scaffold import FRESHNESS
from .warehouse import Warehouse, default_warehouse_path, reading

EXIT_FAILED, EXIT_SKIPPED = 1, 75
console = Console(stderr=True, soft_wrap=True)  # one message, one line: greppable


class Context:
    def __init__(self, project_dir: Path | None, warehouse: Path | None):
        self.project_dir = find_project_dir(project_dir)
        self.warehouse = (warehouse or default_warehouse_path(self.project_dir)).resolve()


def _guard(func):
    """User errors end in one clear line and an exit code, never a traceback."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except RunInProgress as exc:
            console.print(f"[yellow]{exc}[/yellow]")
            sys.exit(EXIT_SKIPPED)
        except LoaderError as exc:
            console.print(f"[red]error:[/red] {exc}")
            sys.exit(EXIT_FAILED)
        except click.ClickException:
            raise   # bad usage: click prints it and exits 2
        except BaseException as exc:
            if not interrupted(exc):
                if isinstance(exc, Exception):
                    _internal_error(exc)
                raise
            console.print("[red]interrupted[/red], nothing half-landed: files landed before are complete, the file "
                          "in progress was rolled back (marked cancelled; the next run lands it)")
            sys.exit(EXIT_INTERRUPTED)

    return wrapper


def _internal_error(exc: Exception) -> None:
    """A bug of ours: say so in one line, keep the details."""
    log = _write_crash_log()
    console.print(f"[red]internal error:[/red] {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                  f" (details in {log}; nothing half-landed: each file lands in one transaction)")
    sys.exit(EXIT_FAILED)


def _write_crash_log() -> str:
    import tempfile
    import traceback

    handle = tempfile.NamedTemporaryFile("w", prefix="retail-imports-", suffix=".log", delete=False)
    with handle:
        traceback.print_exc(file=handle)
    return handle.name


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--project-dir", type=click.Path(file_okay=False, path_type=Path),
              help="dbt project holding the sources YAML (default: found from the current folder).")
@click.option("--warehouse", type=click.Path(dir_okay=False, path_type=Path),
              help="DuckDB file (default: $RETAIL_WAREHOUSE or warehouse/retail.duckdb).")
@click.pass_context
def cli(ctx, project_dir, warehouse):
    """Land retailers' delivered files into DuckDB and build the dbt marts."""
    ctx.obj = (project_dir, warehouse)


def _context(ctx) -> Context:
    return Context(*ctx.obj)


SCHEDULED_HELP = ("Unattended run (cron): a file that failed is retried only after its back-off "
                  "(retry_backoff_seconds, doubling), or as soon as it changes.")


@cli.command()
@click.argument("sources", nargs=-1)
@click.option("--scheduled", is_flag=True, help=SCHEDULED_HELP)
@click.pass_context
@_guard
def land(ctx, sources, scheduled):
    """Land new and changed files of SOURCES (retailer or retailer.dataset; default all).

    Each file lands whole or not at all. Unparseable rows go to loader.rejects
    with file, line and reason; files already landed unchanged are skipped
    (remote files by the store's fingerprint, without downloading them).
    """
    context = _context(ctx)
    with run_lock(context.warehouse), _recorded(context, "land", sources, scheduled=scheduled) as run:
        run.summary = _land(context, sources, locked=True, honour_backoff=scheduled, run=run)
    sys.exit(EXIT_FAILED if run.summary.failed else 0)


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("sources", nargs=-1)
@click.option("--dbt-arg", "dbt_args", multiple=True, help="Extra argument for dbt build (repeatable).")
@click.option("--scheduled", is_flag=True, help=SCHEDULED_HELP)
@click.pass_context
@_guard
def run(ctx, sources, dbt_args, scheduled):
    """Land SOURCES (default all), then `dbt build` the project."""
    context = _context(ctx)
    with run_lock(context.warehouse), _recorded(context, "run", sources, scheduled=scheduled) as run:
        run.summary = _land(context, sources, locked=True, honour_backoff=scheduled, run=run)
        if bigquery.is_bigquery_target():  # RETAIL_TARGET=bigquery|emulator: dbt reads BigQuery
            run.stage("publish")
            _publish(context)
        console.print("[bold]dbt build[/bold]")
        run.stage("dbt build")
        run.ok = run_dbt(context.project_dir, [*BUILD, *dbt_args])
        run.message = None if run.ok else "dbt build failed"
    if not run.ok:
        console.print("[red]error:[/red] dbt build failed (see the dbt output above)")
    sys.exit(EXIT_FAILED if run.summary.failed or not run.ok else 0)


@cli.command()
@click.pass_context
@_guard
def publish(ctx):
    """Upload the landed raw tables, manifest and rejects to BigQuery.

    Project, location and (for an emulator) API endpoint come from
    BIGQUERY_PROJECT, BIGQUERY_LOCATION and BIGQUERY_API_ENDPOINT. Only loads
    BigQuery does not hold yet are uploaded.
    """
    _publish(_context(ctx))


def _publish(context: Context) -> None:
    target = bigquery.Target.from_env()
    console.print(f"[bold]publish[/bold] to BigQuery project {escape(target.project)}")
    summary = bigquery.publish(context.warehouse, target)
    for name, rows in summary.tables.items():
        console.print(f"  {escape(name)}: {rows} rows uploaded")


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, metavar="[CRON] [SOURCE]...")
@click.option("--build", is_flag=True, help="Also `dbt build` after each landing (like `run`).")
@click.option("--now", "run_now", is_flag=True, help="Run once at start, then on the schedule.")
@click.option("--max-runs", type=click.IntRange(1), help="Stop after this many runs (default: run until stopped).")
@click.pass_context
@_guard
def schedule(ctx, args, build, run_now, max_runs):
    """Land SOURCES (default all) at every time of CRON, in UTC, until stopped.

    CRON has five fields, minute hour day-of-month month day-of-week
    ('0 * * * *' hourly, '30 6 * * *' daily at 06:30 UTC), a sixth for the
    year ('30 6 1 * * 2025') or the seconds, and a seventh for the year after
    the seconds. Without CRON, each source runs on its own meta.loader.schedule
    (`retail-imports schedules` lists them). A run is skipped, with one log
    line, when another holds the warehouse (a second scheduler, a manual
    land) or when this one's previous run is still going. Failed files are
    retried with back-off. Instead of this verb, a crontab line can run
    `land --scheduled`.
    """
    context = _context(ctx)
    cron, sources = (args[0], args[1:]) if args and " " in args[0].strip() else (None, args)
    if cron is not None:
        try:
            plans = [(check_cron(cron), tuple(sources), None)]
        except LoaderError as exc:
            raise click.BadParameter(str(exc), param_hint="CRON") from None
    else:
        chosen = select_sources(load_sources(context.project_dir), tuple(sources))
        plans = [(s.expression, s.sources, ", ".join(s.sources)) for s in configured_schedules(chosen)]
        if not plans:
            raise click.UsageError("give a CRON expression, or declare meta.loader.schedule on the sources "
                                   "(`retail-imports schedules` lists them)")

    def job_for(expression: str, selected: tuple[str, ...]):
        def job():
            try:
                with run_lock(context.warehouse), \
                        _recorded(context, "schedule", selected, schedule=expression) as run:
                    run.summary = _land(context, selected, locked=True, honour_backoff=True, run=run)
                    if build:
                        run.stage("dbt build")
                        run.ok = run_dbt(context.project_dir, BUILD)
                        run.message = None if run.ok else "dbt build failed"
            except RunInProgress as exc:
                return EXIT_SKIPPED, str(exc).removeprefix("skipped: ")
            except LoaderError as exc:
                return EXIT_FAILED, str(exc)
            except Exception as exc:  # one bad run must not stop the schedule; keep the details
                if interrupted(exc):
                    raise KeyboardInterrupt from None
                return EXIT_FAILED, f"internal error {type(exc).__name__}: {exc} (details in {_write_crash_log()})"
            return (EXIT_FAILED if run.summary.failed or not run.ok else 0), run.message
        return job

    code = run_schedules([(expression, job_for(expression, selected), label) for expression, selected, label in plans],
                         lambda line: console.print(line, markup=False, highlight=False, soft_wrap=True),
                         max_runs=max_runs, run_now=run_now)
    sys.exit(code)


@cli.command()
@click.argument("sources", nargs=-1)
@click.pass_context
@_guard
def schedules(ctx, sources):
    """List the configured schedules (meta.loader.schedule) with their last run, outcome and next run.

    Works while a run holds the warehouse: it then reads the snapshot that
    run keeps current, and says so.
    """
    from .schedule import describe, next_time

    context = _context(ctx)
    chosen = select_sources(load_sources(context.project_dir), tuple(sources))
    found = configured_schedules(chosen)
    if not found:
        console.print("no schedule configured: set meta.loader.schedule on a source (README \"Schedules\")")
        return
    now = datetime.now(timezone.utc)
    table = Table(title="Schedules (times in UTC)", show_lines=True)
    for col in ("schedule", "when", "sources", "last run", "outcome", "next run"):
        table.add_column(col, no_wrap=col in ("last run", "next run"))
    last, snapshot_at = _last_runs(context.warehouse, found)
    for item in found:
        run = last.get(item.expression)
        following = next_time(item.expression, now)
        outcome = ""
        if run:
            status, stage, message = run[2], run[3], run[4]
            outcome = status + (f" ({stage})" if status == "running" and stage else "") + \
                (f": {message}" if message and status != "running" else "")
        table.add_row(escape(item.expression), escape(describe(item.expression) + " (UTC)"),
                      escape(", ".join(item.sources)),
                      f"{run[0]:%Y-%m-%d %H:%M:%S}" if run else "never", escape(outcome),
                      f"{following:%Y-%m-%d %H:%M:%S}" if following else "none (no later time)")
    Console(soft_wrap=True).print(table)
    if snapshot_at:
        console.print(f"a run holds the warehouse: read from its snapshot of {snapshot_at:%Y-%m-%d %H:%M:%S} UTC")


def _last_runs(warehouse: Path, found) -> tuple[dict, datetime | None]:
    """expression -> (started_at, finished_at, status, stage, message) of its latest run, from loader.runs."""
    if not warehouse.exists():
        return {}, None
    last = {}
    with reading(warehouse) as read:
        if not read.con.execute("select count(*) from information_schema.tables where table_schema = 'loader' "
                                "and table_name = 'runs'").fetchone()[0]:
            return {}, read.snapshot_at
        for item in found:
            # its own runs, or an unattended `land --scheduled` / `run --scheduled` of the same sources (cron)
            row = read.con.execute(
                "select started_at, finished_at, status, stage, message from loader.runs "
                "where schedule = ? or (scheduled and schedule is null and list_has_all(sources, ?)) "
                "order by started_at desc, run_id desc limit 1", [item.expression, list(item.sources)]).fetchone()
            if row:
                last[item.expression] = row
    return last, read.snapshot_at


@cli.command()
@click.option("--rejects", "show_rejects", is_flag=True, help="Also list rejected rows with line and reason.")
@click.pass_context
@_guard
def status(ctx, show_rejects):
    """Show the file manifest: every file seen, its status and row counts."""
    context = _context(ctx)
    if not context.warehouse.exists():
        raise LoaderError(f"no warehouse at {context.warehouse} yet: run `retail-imports land` first")
    with Warehouse(context.warehouse) as wh:
        table = Table(title=f"Files in {context.warehouse}")
        for col in ("source", "file", "file date", "status", "read", "landed", "rejected", "encoding", "message"):
            table.add_column(col, justify="right" if col in {"read", "landed", "rejected"} else "left")
        for retailer, dataset, name, day, state, read, landed, rejected, _, message, encoding, hour \
                in wh.status_rows():
            colour = {"landed": "green", "failed": "red"}.get(state, "white")
            when = str(NameStamp(day, hour)) if day else ""
            table.add_row(f"{retailer}.{dataset}", _short_name(name), when, f"[{colour}]{state}[/{colour}]",
                          *(str(v) if v is not None else "" for v in (read, landed, rejected)), encoding or "",
                          message or "")
        Console().print(table)
        if show_rejects:
            rows = wh.con.execute(
                "select source_file, line_number, error_type, reason, raw_text from loader.rejects "
                "order by source_file, line_number"
            ).fetchall()
            rej = Table(title="Rejected rows")
            for col in ("file", "line", "problem", "reason", "raw text"):
                rej.add_column(col)
            for name, line, problem, reason, raw_text in rows:
                rej.add_row(Path(name).name, str(line), problem or "", reason or "", (raw_text or "")[:80])
            Console().print(rej)


@cli.command("demo-data")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("data/demo"),
              show_default=True, help="Folder to write the sample deliveries into.")
@click.option("--days", type=click.IntRange(1, 366), default=3, show_default=True, help="Daily deliveries per dataset.")
@_guard
def demo_data(out, days):
    """Write deterministic sample deliveries for the demo retailers (acme: comma, zephyr: tab;
    bazaar: conversions, store purchases, CRM users, product feeds; kestrel: Kevel orders)."""
    written = demo.write_demo(out, days=days)
    console.print(f"wrote {len(written)} files under {out}")


@cli.command("add-retailer")
@click.argument("retailer")
@click.option("--dataset", "datasets", multiple=True, metavar="NAME:FORMAT:LOCATION",
              help="A dataset the retailer delivers, e.g. visits:symbiosys_visits_csv:'drop/acme/acme_visits_*.csv' "
                   "(repeatable).")
@click.option("--option", "options", multiple=True, metavar="NAME:KEY=VALUE",
              help="A meta.loader option of a dataset, e.g. orders:order_id_column=Id or "
                   "orders:timezone=America/Toronto (repeatable).")
@click.option("--cadence", type=click.Choice(list(FRESHNESS)), default="daily", show_default=True,
              help="How often the retailer delivers: sets meta.loader.cadence and the source freshness thresholds.")
@click.option("--overwrite", is_flag=True, help="Replace the files of an existing retailer folder.")
@click.option("--rename", "renames", multiple=True, metavar="NAME:FIELD=TO", help="Rename a delivered field (repeatable).")
@click.option("--copy", "copies", multiple=True, metavar="NAME:FIELD=TO", help="Copy a field to another name (repeatable).")
@click.option("--new", "news", multiple=True, metavar="NAME:FIELD=VALUE", help="Add a field with one value on every row.")
@click.option("--delete", "deletes", multiple=True, metavar="NAME:FIELD", help="Drop a delivered field.")
@click.option("--map", "maps", multiple=True, metavar="NAME:FIELD:FROM=TO,...",
              help="Map values of FIELD (as text), e.g. orders:lineItem_status:1=placed,2=paid.")
@click.option("--timestamp", "timestamps", multiple=True, metavar="NAME:FIELD:PATTERN",
              help="Read FIELD with a Java-style pattern, e.g. 'orders:createdAt:dd/MM/yyyy HH:mm'.")
@click.option("--cast", "casts", multiple=True, metavar="NAME:FIELD:TYPE", help="Cast FIELD to string, integer, float or bool.")
@click.pass_context
@_guard
def add_retailer(ctx, retailer, datasets, options, cadence, overwrite, renames, copies, news, deletes, maps,
                 timestamps, casts):
    """Write models/staging/RETAILER/ (sources YAML, staging models, docs and tests) and register it."""
    from .formats import available_formats
    from .scaffold import Dataset, write_retailer

    project_dir = find_project_dir(ctx.obj[0])
    if not datasets:  # interactive: ask for what the flags did not say
        from .scaffold import prompt_datasets
        datasets = prompt_datasets(project_dir, retailer)
    parsed = []
    for spec in datasets:
        parts = spec.split(":", 2)
        if len(parts) != 3 or not all(parts):
            raise LoaderError(f"--dataset {spec!r}: expected NAME:FORMAT:LOCATION "
                              f"(formats: {', '.join(available_formats(project_dir))})")
        parsed.append(Dataset(*parts, cadence=cadence))
    for option in options:
        name, _, assignment = option.partition(":")
        key, equals, value = assignment.partition("=")
        target = next((d for d in parsed if d.name == name), None)
        if not (target and key and equals):
            raise LoaderError(f"--option {option!r}: expected NAME:KEY=VALUE with NAME one of the --dataset names")
        target.options[key] = value
    from .scaffold import add_transformation
    for kind, flags in (("rename", renames), ("copy", copies), ("new", news), ("delete", deletes),
                        ("map", maps), ("timestamp", timestamps), ("cast", casts)):
        for flag in flags:
            add_transformation(parsed, kind, flag)
    for path in write_retailer(project_dir, retailer, parsed, overwrite=overwrite):
        console.print(f"wrote {path.relative_to(project_dir)}")
    console.print("next: drop files at the locations above, then `retail-imports run`")


@cli.command()
@click.argument("sample", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--retailer", default="RETAILER", help="Retailer name to put in the proposed command.")
@click.option("--dataset", default="DATASET", help="Dataset name to put in the proposed command.")
@click.option("--folder", default=None, help="Folder the retailer's files will be dropped in (default: the sample's).")
@click.pass_context
@_guard
def discover(ctx, sample, retailer, dataset, folder):
    """Sniff SAMPLE (a file a retailer sent) and propose the add-retailer command for it."""
    from .discover import discover as sniff_sample

    project_dir = find_project_dir(ctx.obj[0])
    found = sniff_sample(sample, project_dir, folder)
    layout = {"json_lines": "JSON lines", "delimited": f"delimiter {found.delimiter!r}"}.get(found.layout, found.layout)
    click.echo(f"encoding: {found.encoding}{' (with BOM)' if found.has_bom else ''}; {layout}; "
               f"header: {'yes' if found.has_header else 'no'}")
    if found.name_stamp:
        stamp = found.name_stamp
        hour = f", hour {stamp.hour:02d}" if stamp.hour is not None else ""
        click.echo(f"date in the name: {stamp.text} ({stamp.format}{hour})")
    click.echo(f"closest format: {found.format or 'none'}" + (f" (shares {', '.join(found.shared)})" if found.shared else ""))
    if found.missing:
        click.echo(f"required fields the file lacks: {', '.join(found.missing)} (rename a field to each, or pick "
                   "another format)")
    for name, pattern in found.timestamps.items():
        click.echo(f"timestamp field {name} looks like {pattern}")
    for note in found.notes:
        click.echo(f"note: {note}")
    click.echo("proposed:")
    click.echo("  " + found.command(retailer, dataset))
REPORT_DIR_HELP = "Folder for the report's .json and .html (default: reports/ in the project)."


@cli.command("dry-run", context_settings={"ignore_unknown_options": True})
@click.argument("sources", nargs=-1)
@click.option("--file", "files", multiple=True, help="Only this delivered file (path or name; repeatable).")
@click.option("--report-dir", type=click.Path(file_okay=False, path_type=Path), help=REPORT_DIR_HELP)
@click.option("--dbt-arg", "dbt_args", multiple=True, help="Extra argument for dbt build (repeatable).")
@click.pass_context
@_guard
def dry_run(ctx, sources, files, report_dir, dbt_args):
    """Import SOURCES (default all) into a throw-away copy of the warehouse and report what it would do.

    Everything runs (download, decode, land, dbt build: staging, tests,
    marts); the real warehouse file stays byte-for-byte unchanged. Writes the
    import report (terminal, .html, .json); exit code 1 when a record would
    be discarded. `import --from-dry-run REPORT.json` then does it for real.
    """
    sys.exit(_reported(ctx, sources, files, report_dir, dbt_args, dry=True))


@cli.command("import", context_settings={"ignore_unknown_options": True})
@click.argument("sources", nargs=-1)
@click.option("--file", "files", multiple=True, help="Only this delivered file (path or name; repeatable).")
@click.option("--from-dry-run", "from_report", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Repeat this dry run's report.json exactly (refused if a file changed since).")
@click.option("--report-dir", type=click.Path(file_okay=False, path_type=Path), help=REPORT_DIR_HELP)
@click.option("--dbt-arg", "dbt_args", multiple=True, help="Extra argument for dbt build (repeatable).")
@click.pass_context
@_guard
def import_(ctx, sources, files, from_report, report_dir, dbt_args):
    """Like `run` (land SOURCES, dbt build), and write the import report of what it did."""
    if from_report and (sources or files):
        raise click.UsageError("--from-dry-run repeats the dry run's sources and files: give no others")
    sys.exit(_reported(ctx, sources, files, report_dir, dbt_args, dry=False, from_report=from_report))


def _reported(ctx, selectors, files, report_dir, dbt_args, dry: bool, from_report: Path | None = None) -> int:
    from . import dryrun, report_html, report_terminal

    context = _context(ctx)
    sources, planned, config = dryrun.prepare(context.project_dir, tuple(selectors), tuple(files), from_report)
    report = dryrun.new_report(context.warehouse, config, dry)
    folder = (report_dir or context.project_dir / "reports").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"{report.started_at.replace(':', '').replace('+0000', 'Z')}-{'dry-run' if dry else 'import'}"
    report.write_json(stem.with_suffix(".json"))   # status queued: visible before the lock is ours

    def land(wh, sources, planned, on_stage):
        with _progress() as progress:
            task = progress.add_task("landing", total=planned.total_bytes or 1)
            summary = land_sources(wh, context.project_dir, sources, planned=planned, on_stage=on_stage,
                                   on_file=lambda o, size: progress.update(task, advance=size,
                                                                            description=_short_name(o.file_name)))
        _print_summary(summary)
        console.print("[bold]dbt build[/bold]" + (" (in the dry run's copy)" if dry else ""))
        return summary

    try:
        dryrun.execute(report, context.project_dir, context.warehouse, sources, planned, land=land,
                       dbt_args=tuple(dbt_args))
    except BaseException as exc:
        # cancelled (Ctrl-C, SIGTERM) or failed: the report says so, in both forms
        report.status = "cancelled" if interrupted(exc) else "failed"
        report.write_json(stem.with_suffix(".json"))
        report_html.write_html(report, stem.with_suffix(".html"))
        console.print(f"report ({report.status}): {stem.with_suffix('.html')} (and .json)", soft_wrap=True)
        raise
    report.write_json(stem.with_suffix(".json"))
    report_html.write_html(report, stem.with_suffix(".html"))
    report_terminal.show(report, Console(soft_wrap=False))
    console.print(f"report: {stem.with_suffix('.html')} (and .json)", soft_wrap=True)
    return EXIT_FAILED if report.errors or report.status != "completed" else 0


def _land(context: Context, selectors, locked: bool = False, honour_backoff: bool = False,
          run: RunRecord | None = None) -> ImportSummary:
    declared = load_sources(context.project_dir)
    sources = select_sources(declared, tuple(selectors))
    if not sources:
        raise LoaderError(f"no source in {context.project_dir / 'models'} has a meta.loader block")
    if not locked:
        with run_lock(context.warehouse):
            return _land(context, selectors, locked=True, honour_backoff=honour_backoff, run=run)
    if run:
        run.stage("listing")
    files = plan(sources)
    with Warehouse(context.warehouse) as wh, _progress() as progress:
        ensure_raw_tables(wh, declared)   # landing one source must not break the build of the others
        task = progress.add_task("landing", total=files.total_bytes or 1)

        def advance(outcome, size):
            progress.update(task, advance=size, description=f"{outcome.source} {_short_name(outcome.file_name)}")

        summary = land_sources(wh, context.project_dir, sources, on_file=advance, planned=files,
                               honour_backoff=honour_backoff,
                               on_stage=(lambda stage: run.stage(stage, wh)) if run else trace)
    _print_summary(summary)
    return summary


def _recorded(context: Context, command: str, selectors, schedule: str | None = None, scheduled: bool = False):
    """The run's row in loader.runs (runs.recorded), for the sources the selectors pick."""
    keys = [s.key for s in select_sources(load_sources(context.project_dir), tuple(selectors))]
    return recorded(context.warehouse, command, keys, schedule=schedule, scheduled=scheduled)


def _short_name(name: str) -> str:
    """A file's name without its folder; an archive member keeps its archive: `x.zip/member.csv`."""
    parts = name.split("/")
    for i, part in enumerate(parts[:-1]):
        if part.lower().endswith(".zip"):
            return "/".join(parts[i:])
    return parts[-1]


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
        console=console, transient=True, disable=not console.is_terminal,
    )


def _print_summary(summary: ImportSummary) -> None:
    for outcome in summary.outcomes:
        for warning in outcome.warnings:
            console.print(f"[yellow]warning[/yellow] {escape(warning)}", soft_wrap=True)
        decoded = ""
        if outcome.encoding and outcome.encoding != "utf-8":
            decoded = f" (decoded from {outcome.encoding}{', auto-detected' if outcome.detected else ''})"
        if outcome.status == "failed":
            console.print(f"[red]failed[/red] {escape(outcome.message or '')}", soft_wrap=True)
        elif outcome.status == "waiting":
            console.print(f"[yellow]waiting[/yellow] {escape(outcome.message or '')}", soft_wrap=True)
        elif outcome.status == "landed" and (outcome.rows_rejected or decoded):
            rejected = (f", {outcome.rows_rejected} rejected (see `retail-imports status --rejects`)"
                        if outcome.rows_rejected else "")
            console.print(f"[yellow]landed[/yellow] {escape(outcome.file_name)}: {outcome.rows_landed} rows"
                          f"{rejected}{escape(decoded)}", soft_wrap=True)
    waiting = f", {summary.count('waiting')} waiting to retry" if summary.count("waiting") else ""
    downloaded = (f"; downloaded {summary.downloaded_files} files ({summary.downloaded_bytes} bytes)"
                  if summary.remote else "")
    console.print(
        f"{summary.count('landed')} landed, {summary.count('unchanged')} unchanged, "
        f"{summary.count('failed')} failed{waiting}; {summary.rows_rejected} rows rejected{downloaded}",
        soft_wrap=True,
    )


def main() -> None:
    # Storage clients log their retries with tracebacks (gcsfs, azure); the error
    # that ends them reaches the user as one line, so their log records are dropped.
    logging.getLogger().addHandler(logging.NullHandler())
    interrupts.install()   # SIGTERM ends a run like Ctrl-C: the file in progress rolls back, the run is `cancelled`
    try:
        cli(prog_name="retail-imports")
    except SystemExit as exc:
        if exc.code == EXIT_INTERRUPTED:
            interrupts.exit_interrupted()
        raise


if __name__ == "__main__":
    main()

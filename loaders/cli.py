"""retail-imports: land retailers' files and build the dbt project.

Exit codes: 0 success; 1 a file or the build failed; 2 bad usage;
75 skipped because another run holds the warehouse.

Everything printed that comes from a delivery (file names, fields, rows,
messages quoting them) goes through shown.markup / shown.plain.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from pathlib import Path

import click
from rich import box
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from . import bigquery, demo, interrupts
from .dbt import build as dbt_build
from .errors import (LoaderError, RunInProgress, UnknownFormat, UsageProblem, did_you_mean, disk_full,
                     missing_extra)
from .interrupts import EXIT_INTERRUPTED, interrupted
from .importer import ImportSummary, ensure_raw_tables, land_sources, plan
from .lock import run_lock
from .runs import RunRecord, recorded, trace
from .schedule import check as check_cron
from .schedule import configured as configured_schedules
from .schedule import run_schedules
from .project import SourceProblem, find_project_dir, load_sources, select_sources
from .scaffold import FRESHNESS
from .pii import mask_text
from .shown import markup, plain
from .storage import public_url
from .status import STATUSES, short_name
from .warehouse import Warehouse, default_warehouse_path, manifest_rows, reading

EXIT_FAILED, EXIT_USAGE, EXIT_SKIPPED = 1, 2, 75
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
            console.print(f"[yellow]{markup(exc)}[/yellow]")
            sys.exit(EXIT_SKIPPED)
        except UsageProblem as exc:
            console.print(f"[red]error:[/red] {markup(exc)}")
            sys.exit(EXIT_USAGE)
        except LoaderError as exc:
            console.print(f"[red]error:[/red] {markup(exc)}")
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
    """A bug of ours: say so in one line, keep the details. A full disk is not one: it says so."""
    full = disk_full(exc)
    if full is not None:
        console.print(f"[red]error:[/red] {markup(full)}")
        sys.exit(EXIT_FAILED)
    log = _write_crash_log()
    first = mask_text(str(exc).splitlines()[0]) if str(exc) else ""   # a database error may quote a value
    console.print(f"[red]internal error:[/red] {type(exc).__name__}: {markup(first)}"
                  f" (details in {log}; nothing half-landed: each file lands in one transaction)")
    sys.exit(EXIT_FAILED)


def _write_crash_log() -> str:
    import tempfile
    import traceback

    handle = tempfile.NamedTemporaryFile("w", prefix="retail-imports-", suffix=".log", delete=False)
    with handle:
        handle.write(mask_text(traceback.format_exc()))
    return handle.name


def _global(ctx, param, value):
    """A global option, given before the verb or after it (the later one wins)."""
    if value is not None:
        ctx.ensure_object(dict)[param.name] = value
    return value


GLOBAL_OPTIONS = [
    click.Option(["--project-dir"], type=click.Path(file_okay=False, path_type=Path), callback=_global,
                 expose_value=False, is_eager=True,
                 help="dbt project holding the sources YAML (default: found from the current folder)."),
    click.Option(["--warehouse"], type=click.Path(dir_okay=False, path_type=Path), callback=_global,
                 expose_value=False, is_eager=True,
                 help="DuckDB file (default: $RETAIL_WAREHOUSE or warehouse/retail.duckdb)."),
]


class _Verbs(click.Group):
    """Every verb also takes the global options, so `status --warehouse x.duckdb` works like
    `--warehouse x.duckdb status` (dlt and Meltano accept both)."""

    def add_command(self, cmd, name=None):
        cmd.params.extend(GLOBAL_OPTIONS)
        super().add_command(cmd, name)


@click.group(cls=_Verbs, params=list(GLOBAL_OPTIONS), context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="retail-imports", prog_name="retail-imports",
                      message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx):
    """Land retailers' delivered files into DuckDB and build the dbt marts."""
    ctx.ensure_object(dict)


def _project_dir(ctx) -> Path | None:
    return (ctx.find_root().obj or {}).get("project_dir")


def _context(ctx) -> Context:
    given = ctx.find_root().obj or {}
    return Context(given.get("project_dir"), given.get("warehouse"))


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


FULL_TESTS_HELP = ("Run every data test on whole tables, including the whole-table checks (tag whole_table). "
                   "Without it, a build tests only the rows landed since the last successful build. "
                   "Schedule it weekly, and after changing models or tests.")


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("sources", nargs=-1)
@click.option("--dbt-arg", "dbt_args", multiple=True, help="Extra argument for dbt build (repeatable).")
@click.option("--scheduled", is_flag=True, help=SCHEDULED_HELP)
@click.option("--full-tests", is_flag=True, help=FULL_TESTS_HELP)
@click.pass_context
@_guard
def run(ctx, sources, dbt_args, scheduled, full_tests):
    """Land SOURCES (default all), then `dbt build` the project.

    The build is incremental: it costs what landed, not the warehouse's
    history, and its data tests read only the rows landed since the last
    successful build (--full-tests: everything).
    """
    context = _context(ctx)
    with run_lock(context.warehouse), _recorded(context, "run", sources, scheduled=scheduled) as run:
        run.summary = _land(context, sources, locked=True, honour_backoff=scheduled, run=run)
        if bigquery.is_bigquery_target():  # RETAIL_TARGET=bigquery|emulator: dbt reads BigQuery
            run.stage("publish")
            _publish(context)
        console.print("[bold]dbt build[/bold]" + (" (full tests)" if full_tests else ""))
        run.stage("dbt build")
        run.ok = dbt_build(context.project_dir, context.warehouse, dbt_args, full_tests=full_tests)
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
    console.print(f"[bold]publish[/bold] to BigQuery project {markup(target.project)}")
    summary = bigquery.publish(context.warehouse, target)
    for name, rows in summary.tables.items():
        console.print(f"  {markup(name)}: {rows} rows uploaded")


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, metavar="[CRON] [SOURCE]...")
@click.option("--build", is_flag=True, help="Also `dbt build` after each landing (like `run`).")
@click.option("--full-tests", is_flag=True, help="With --build: " + FULL_TESTS_HELP)
@click.option("--now", "run_now", is_flag=True, help="Run once at start, then on the schedule.")
@click.option("--max-runs", type=click.IntRange(1), help="Stop after this many runs (default: run until stopped).")
@click.pass_context
@_guard
def schedule(ctx, args, build, full_tests, run_now, max_runs):
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
        problems: list[SourceProblem] = []   # a source declared wrong fails its runs, not the scheduler
        chosen = select_sources(load_sources(context.project_dir, problems), tuple(sources), problems)
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
                        run.ok = dbt_build(context.project_dir, context.warehouse, full_tests=full_tests)
                        run.message = None if run.ok else "dbt build failed"
            except RunInProgress as exc:
                return EXIT_SKIPPED, str(exc).removeprefix("skipped: ")
            except LoaderError as exc:
                return EXIT_FAILED, str(exc)
            except Exception as exc:  # one bad run must not stop the schedule; keep the details
                if interrupted(exc):
                    raise KeyboardInterrupt from None
                full = disk_full(exc)
                if full is not None:
                    return EXIT_FAILED, full
                first = mask_text(str(exc).splitlines()[0]) if str(exc) else ""   # a database error may quote a value
                return EXIT_FAILED, f"internal error {type(exc).__name__}: {first} (details in {_write_crash_log()})"
            return (EXIT_FAILED if run.summary.failed or not run.ok else 0), run.message
        return job

    code = run_schedules([(expression, job_for(expression, selected), label) for expression, selected, label in plans],
                         lambda line: console.print(plain(line), markup=False, highlight=False, soft_wrap=True),
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
    problems: list[SourceProblem] = []   # a source declared wrong has no schedule to show; the others do
    chosen = select_sources(load_sources(context.project_dir, problems), tuple(sources), problems)
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
            # the stage names a delivery as `status` does; a message may quote delivered values: masked
            outcome = markup(status + (f" ({stage})" if status == "running" and stage else "")) + \
                (f": {markup(mask_text(message))}" if message and status != "running" else "")
        table.add_row(markup(item.expression), markup(describe(item.expression) + " (UTC)"),
                      markup(", ".join(item.sources)),
                      f"{run[0]:%Y-%m-%d %H:%M:%S}" if run else "never", outcome,
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
@click.argument("sources", nargs=-1)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface; usually a reverse proxy's upstream instead).")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True, help="Port to listen on.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes (about one per core); each writes segments of its own.")
@click.option("--access-log", is_flag=True,
              help="Log every request (off by default: access lines hold client addresses and browser keys).")
@click.option("--forwarded-allow-ips", metavar="IPS",
              help="Behind a reverse proxy: the proxy addresses whose X-Forwarded-For/-Proto are trusted "
                   "(comma-separated, or '*').")
@click.option("--root-path", default="", help="Path prefix the reverse proxy serves the API under (e.g. /collect).")
@click.pass_context
@_guard
def serve(ctx, sources, host, port, workers, access_log, forwarded_allow_ips, root_path):
    """Run the Event API: events POSTed by sites and apps for the event_api SOURCES (default all).

    Each request is answered only once its events are on disk (fdatasync'd
    spool segment); `land` / `run` / `schedule` then land closed segments
    like delivered files. Stops cleanly on Ctrl-C or SIGTERM, closing its
    open segments. Endpoints: POST /v1/events, GET /health, /tag.js,
    /openapi.json, /docs.
    """
    import os

    try:
        import uvicorn

        from .collector import app as collector_app
        from .collector.sources import KIND, api_sources
    except ImportError as exc:
        raise missing_extra("collector", exc) from None

    context = _context(ctx)
    chosen = [s for s in select_sources(load_sources(context.project_dir), sources) if s.kind == KIND]
    if not chosen:
        raise LoaderError(f"no source in {context.project_dir / 'models'} has meta.loader.source: {KIND}"
                          + (f" among {', '.join(sources)}" if sources else ""))
    for api in api_sources(chosen):   # keys and settings checked here, in one clear line, before any worker starts
        try:
            api.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LoaderError(f"{api.key}: cannot create the spool folder {api.folder}: {exc.strerror}") from None
        if not os.access(api.folder, os.W_OK):
            raise LoaderError(f"{api.key}: the spool folder {api.folder} is not writable")
        limit = f"{api.rate_per_second:g} events/s" if api.rate_per_second else "no rate limit"
        console.print(markup(f"{api.key} ({api.source.format.name}): spool {api.folder}; {limit}; "
                             f"origins {', '.join(api.cors_origins) or 'none (server-side only)'}"), soft_wrap=True)
    os.environ.update({collector_app.ENV_PROJECT: str(context.project_dir),
                       collector_app.ENV_SELECT: ",".join(sources), collector_app.ENV_WORKERS: str(workers)})
    console.print(f"Event API on http://{host}:{port}{root_path}/v1/events (docs: /docs); Ctrl-C stops it")
    uvicorn.run("loaders.collector.app:app_from_environment", factory=True, host=host, port=port, workers=workers,
                loop="uvloop", http="httptools", access_log=access_log, proxy_headers=bool(forwarded_allow_ips),
                forwarded_allow_ips=forwarded_allow_ips, root_path=root_path, log_level="info",
                timeout_graceful_shutdown=30, server_header=False)


@cli.command()
@click.option("--files", "per_file", is_flag=True, help="List files (newest first) instead of a line per source.")
@click.option("--source", "sources", multiple=True, metavar="SOURCE",
              help="Only this source: retailer or retailer.dataset (repeatable).")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES),
              help="Only files with this status (repeatable).")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Only files of this day or later (their file date, else the day they landed).")
@click.option("--limit", type=click.IntRange(1), metavar="N", help="Only the newest N files.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the same rows, every field) for scripts.")
@click.option("--rejects", "show_rejects", is_flag=True, help="Also list rejected rows with line and reason.")
@click.pass_context
@_guard
def status(ctx, per_file, sources, statuses, since, limit, as_json, show_rejects):
    """Show what landed: per source (files, rows, rejects, last delivery, failures), or --files.

    Filters apply to files first: `status --source acme --since 2024-06-01`
    sums the files of acme from that day. Works while a run holds the
    warehouse.
    """
    from . import status as shown_status

    context = _context(ctx)
    with reading(context.warehouse) as read:
        rows = manifest_rows(read.con)
        # the snapshot a run keeps holds the manifest, not the rejects
        rejects = _rejects(read.con, sources) if show_rejects and read.snapshot_at is None else []
        snapshot_at = read.snapshot_at
    if sources:
        _check_sources(context, sources, rows)
    filters = shown_status.Filters(tuple(sources), tuple(statuses), since.date() if since else None, limit)
    chosen = shown_status.select(rows, filters)
    if as_json:
        data = shown_status.as_json(chosen) if per_file else shown_status.as_json(shown_status.per_source(chosen))
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _show_status(shown_status, context, chosen, per_file, bool(sources or statuses or since))
    if show_rejects and snapshot_at is not None:
        console.print("rejected rows: not in the snapshot; `status --rejects` lists them once the run ends")
    elif show_rejects:
        _show_rejects(rejects)
    if snapshot_at is not None:
        console.print(f"a run holds the warehouse: read from its snapshot of {snapshot_at:%Y-%m-%d %H:%M:%S} UTC")


def _show_status(shown_status, context: Context, chosen: list[dict], per_file: bool, filtered: bool) -> None:
    out = Console()
    where = markup(_shown_path(context.warehouse))
    if per_file:
        out.print(f"Files in {where}", soft_wrap=True)
        tables, notes = shown_status.files_tables(chosen, out.width)
        for table in tables:
            out.print(table)
        for note in notes:
            out.print(markup(note), soft_wrap=False)
    else:
        out.print(shown_status.summary_table(shown_status.per_source(chosen), f"Sources in {where}"))
    if not chosen:
        out.print("no file matches" if filtered else "no file landed yet")


def _show_rejects(rejects: list[tuple]) -> None:
    table = Table(title="Rejected rows", box=box.SIMPLE_HEAD, title_justify="left")
    for col in ("file", "line", "problem", "reason", "raw text"):
        table.add_column(col, no_wrap=col == "line")
    for name, line, problem, reason, raw_text in rejects:
        # stored masked; a source keeping personal data (pii: keep) is still not shown on screen
        table.add_row(markup(Path(name).name), str(line), markup(problem), markup(mask_text(reason)),
                      markup(plain(mask_text(raw_text))[:80]))
    Console().print(table)


def _shown_path(path: Path) -> str:
    """A path as short as it can be said: from the current folder when it is below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _rejects(con, sources: tuple[str, ...]) -> list[tuple]:
    rows = con.execute("select retailer, retailer || '.' || dataset, source_file, line_number, error_type, reason, "
                       "raw_text from loader.rejects order by source_file, line_number").fetchall()
    return [r[2:] for r in rows if not sources or r[0] in sources or r[1] in sources]


def _check_sources(context: Context, sources: tuple[str, ...], rows: list[dict]) -> None:
    """A name that is no declared source and no source in the manifest is bad usage, with a suggestion."""
    known = {r["source"] for r in rows} | {r["retailer"] for r in rows}
    try:
        known |= {n for s in load_sources(context.project_dir, problems=[]) for n in (s.key, s.retailer)}
    except LoaderError:
        pass    # the manifest's names are enough to check against
    unknown = [s for s in sources if s not in known]
    if unknown:
        raise UsageProblem(f"unknown source {', '.join(unknown)}{did_you_mean(unknown[0], known)} "
                           f"(known: {', '.join(sorted(known)) or 'none'})")


@cli.command("check-personal-data")
@click.pass_context
@_guard
def check_personal_data(ctx):
    """Search every table and view of the warehouse for e-mail addresses and phone numbers in plaintext.

    Lists each column holding any, with row counts. Exit code 1 when one is
    found outside the raw table of a source that keeps personal data (pii:
    keep). Names and addresses have no pattern: the format declarations drop
    them (README "Personal data").
    """
    from .pii_scan import scan

    context = _context(ctx)
    if not context.warehouse.exists():
        raise LoaderError(f"no warehouse at {context.warehouse} yet: run `retail-imports land` first")
    kept = {f"{s.schema}.{s.identifier}": s.key for s in load_sources(context.project_dir) if s.personal.keep}
    with Warehouse(context.warehouse) as wh:
        hits = scan(wh.con)
    table = Table(title=f"Plaintext e-mails and phone numbers in {context.warehouse}")
    for col in ("relation", "column", "rows with e-mails", "rows with phones", "note"):
        table.add_column(col, justify="right" if col.startswith("rows") else "left")
    for hit in hits:
        note = f"{kept[hit.relation]} keeps personal data (pii: keep)" if hit.relation in kept else "unexpected"
        table.add_row(*(markup(c) for c in (hit.relation, hit.column, str(hit.emails), str(hit.phones), note)))
    unexpected = [h for h in hits if h.relation not in kept]
    if hits:
        Console().print(table)
    console.print(f"{len(unexpected)} column(s) with personal data in plaintext"
                  + (f", {len(hits) - len(unexpected)} in the raw tables of sources that keep it" if kept else ""),
                  soft_wrap=True)
    sys.exit(EXIT_FAILED if unexpected else 0)


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


class _InOrder(click.Command):
    """A command that remembers the order its options were given in (ctx.meta["given_order"]):
    field transformations run in command-line order (vendor spec 003 applies them one after the other)."""

    def make_parser(self, ctx):
        parser = super().make_parser(ctx)
        parse = parser.parse_args

        def parse_args(args):
            opts, rest, order = parse(args)
            ctx.meta["given_order"] = [getattr(param, "name", None) for param in order]
            return opts, rest, order

        parser.parse_args = parse_args
        return parser


TRANSFORMATION_FLAGS = {"renames": "rename", "copies": "copy", "news": "new", "deletes": "delete", "maps": "map",
                        "timestamps": "timestamp", "casts": "cast"}


@cli.command("add-retailer", cls=_InOrder)
@click.argument("retailer")
@click.option("--dataset", "datasets", multiple=True, metavar="NAME:FORMAT[:LOCATION]",
              help="A dataset the retailer delivers, e.g. visits:symbiosys_visits_csv:'drop/acme/acme_visits_*.csv' "
                   "(repeatable); a format fetched from an API takes no location: contacts:egoi_contacts.")
@click.option("--option", "options", multiple=True, metavar="NAME:KEY=VALUE",
              help="A meta.loader option of a dataset; VALUE is YAML (text, [lists], {maps}; a number stays the "
                   "text given), e.g. "
                   "orders:order_id_column=Id, orders:timezone=America/Toronto, orders:optional_columns='[Email, Id]', "
                   "contacts:list_id=321, contacts:api_key_env=EGOI_API_KEY (repeatable). "
                   "An unknown KEY is refused with the list of known ones.")
@click.option("--user-id-field", "user_id_fields", multiple=True, metavar="NAME:FIELD",
              help="The field holding the user id (formats with a user_id column, e.g. users:email).")
@click.option("--user-id-type", "user_id_types", multiple=True, metavar="NAME:TYPE",
              help="The user id type of the dataset's ids (e.g. users:email, users:crm_id).")
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
def add_retailer(ctx, **given):
    """Write models/staging/RETAILER/ (sources YAML, staging models, docs and tests) and register it.

    Transformations (--rename, --copy, --new, --delete, --map, --timestamp,
    --cast) run in the order they are given.
    """
    try:
        _add_retailer(ctx, **given)
    except UsageProblem:
        raise
    except LoaderError as exc:   # everything it refuses is in its arguments, checked before a file is written
        raise UsageProblem(str(exc)) from None


def _add_retailer(ctx, retailer, datasets, options, user_id_fields, user_id_types, cadence, overwrite, **flags):
    from .formats import available_formats, load_format
    from .scaffold import Dataset, add_transformation, set_option, set_user_id, write_retailer

    project_dir = find_project_dir(_project_dir(ctx))
    if not datasets:  # interactive: ask for what the flags did not say
        from .scaffold import prompt_datasets
        datasets, asked = prompt_datasets(project_dir, retailer)
        options = (*options, *asked)
    parsed = []
    for spec in datasets:
        parts = spec.split(":", 2)
        if len(parts) == 2 and all(parts):   # a format fetched from an API has no location
            parts.append("")
        if len(parts) != 3 or not all(parts[:2]):
            raise UsageProblem(f"--dataset {spec!r}: expected NAME:FORMAT:LOCATION, or NAME:FORMAT for a format "
                              f"fetched from an API (formats: {', '.join(available_formats(project_dir))})")
        parsed.append(Dataset(*parts, cadence=cadence))
        try:
            load_format(project_dir, parts[1])
        except UnknownFormat as exc:
            raise UsageProblem(f"--dataset {spec!r}: {exc}") from None
    for option in options:
        set_option(project_dir, parsed, option)
    for field_flag in user_id_fields:
        set_user_id(project_dir, parsed, field_flag, "field")
    for type_flag in user_id_types:
        set_user_id(project_dir, parsed, type_flag, "type")
    remaining = {name: list(values) for name, values in flags.items()}
    for name in ctx.meta.get("given_order", []):
        if name in TRANSFORMATION_FLAGS and remaining[name]:
            add_transformation(parsed, TRANSFORMATION_FLAGS[name], remaining[name].pop(0))
    for name, values in remaining.items():   # a parser that told no order: declaration order
        for value in values:
            add_transformation(parsed, TRANSFORMATION_FLAGS[name], value)
    for path in write_retailer(project_dir, retailer, parsed, overwrite=overwrite):
        console.print(f"wrote {path.relative_to(project_dir)}")
    from .api import kind_of_format
    fetched = [d.name for d in parsed if kind_of_format(d.format)]
    if len(fetched) < len(parsed):
        console.print("next: drop files at the locations above, then `retail-imports run`")
    if fetched:
        console.print(f"next: make the API key of {', '.join(fetched)} available (the variable api_key_env names, "
                      "or the credentials profile), then `retail-imports run`")


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

    project_dir = find_project_dir(_project_dir(ctx))
    found = sniff_sample(sample, project_dir, folder)
    layout = {"json_lines": "JSON lines", "parquet": "Parquet",
              "delimited": f"delimiter {found.delimiter!r}"}.get(found.layout, found.layout)

    def echo(text: str) -> None:   # the sample's fields are delivered data
        click.echo(plain(text))

    echo(f"encoding: {found.encoding}{' (with BOM)' if found.has_bom else ''}; {layout}; "
         f"header: {'yes' if found.has_header else 'no'}")
    if found.name_stamp:
        stamp = found.name_stamp
        hour = f", hour {stamp.hour:02d}" if stamp.hour is not None else ""
        echo(f"date in the name: {stamp.text} ({stamp.format}{hour})")
    echo(f"closest format: {found.format or 'none'}" + (f" (shares {', '.join(found.shared)})" if found.shared else ""))
    if found.missing:
        echo(f"required fields the file lacks: {', '.join(found.missing)} (rename a field to each, pick "
             "another format, or, when the retailer's export omits them, add --option "
             f"{dataset}:optional_columns='[{', '.join(found.missing)}]')")
    for name, pattern in found.timestamps.items():
        echo(f"timestamp field {name} looks like {pattern}")
    for note in found.notes:
        echo(f"note: {note}")
    echo("proposed:")
    echo("  " + found.command(retailer, dataset))
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
    from . import dryrun, report_html, report_index, report_terminal

    context = _context(ctx)
    sources, planned, config = dryrun.prepare(context.project_dir, tuple(selectors), tuple(files), from_report)
    report = dryrun.new_report(context.warehouse, config, dry)
    folder = (report_dir or context.project_dir / "reports").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    stem = dryrun.report_stem(folder, report)
    report.write_json(stem.with_suffix(".json"))   # status queued: visible before the lock is ours

    def land(wh, sources, planned, on_stage):
        _warn_personal_data_kept(sources)
        with _progress() as progress:
            task = progress.add_task("landing", total=planned.total_bytes or 1)
            summary = land_sources(wh, context.project_dir, sources, planned=planned, on_stage=on_stage,
                                   on_file=lambda o, size: progress.update(
                                       task, advance=size, description=markup(short_name(o.file_name))))
        _print_summary(summary, planned)
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
        report_index.write_index(folder)
        console.print(f"report ({report.status}): {stem.with_suffix('.html')} (and .json)", soft_wrap=True)
        raise
    report.write_json(stem.with_suffix(".json"))
    report_html.write_html(report, stem.with_suffix(".html"))
    index = report_index.write_index(folder)
    report_terminal.show(report, Console(soft_wrap=False))
    console.print(f"report: {stem.with_suffix('.html')} (and .json); every run: {index}", soft_wrap=True)
    return 0 if report.outcome == "completed" else EXIT_FAILED


def _land(context: Context, selectors, locked: bool = False, honour_backoff: bool = False,
          run: RunRecord | None = None) -> ImportSummary:
    problems: list[SourceProblem] = []   # sources declared wrong: each fails alone, the others land
    declared = load_sources(context.project_dir, problems)
    sources = select_sources(declared, tuple(selectors), problems)
    broken = select_sources(problems, tuple(selectors), declared) if selectors else problems
    if not sources and not broken:
        raise LoaderError(f"no source in {context.project_dir / 'models'} has a meta.loader block")
    if not locked:
        with run_lock(context.warehouse):
            return _land(context, selectors, locked=True, honour_backoff=honour_backoff, run=run)
    if run:
        run.stage("listing")
    files = plan(sources, broken)
    _warn_personal_data_kept(sources)
    with Warehouse(context.warehouse) as wh, _progress() as progress:
        ensure_raw_tables(wh, declared)   # landing one source must not break the build of the others
        task = progress.add_task("landing", total=files.total_bytes or 1)

        def advance(outcome, size):
            progress.update(task, advance=size,
                            description=f"{outcome.source} {markup(short_name(outcome.file_name))}")

        summary = land_sources(wh, context.project_dir, sources, on_file=advance, planned=files,
                               honour_backoff=honour_backoff,
                               on_stage=(lambda stage: run.stage(stage, wh)) if run else trace)
    _print_summary(summary, files)
    return summary


def _recorded(context: Context, command: str, selectors, schedule: str | None = None, scheduled: bool = False):
    """The run's row in loader.runs (runs.recorded), for the sources the selectors pick."""
    problems: list[SourceProblem] = []   # a source declared wrong is in the run too: it fails alone
    declared = load_sources(context.project_dir, problems)
    chosen = [*select_sources(declared, tuple(selectors), problems),
              *select_sources(problems, tuple(selectors), declared)]
    keys = [s.key for s in chosen]
    return recorded(context.warehouse, command, keys, schedule=schedule, scheduled=scheduled)


def _warn_personal_data_kept(sources) -> None:
    """A source that opted out of hashing is said at every landing, not only in its YAML."""
    for source in sources:
        if source.personal.keep:
            console.print(f"[bold red]personal data kept:[/bold red] {markup(source.key)} sets pii: keep, so its "
                          "e-mails, phones, names and addresses land in plaintext (README \"Personal data\")",
                          soft_wrap=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
        console=console, transient=True, disable=not console.is_terminal,
    )


def _print_summary(summary: ImportSummary, planned=None) -> None:
    for source, warning in summary.warnings.items():
        console.print(f"[yellow]warning[/yellow] {markup(source)}: {markup(warning)}", soft_wrap=True)
    for source in (planned.empty if planned else []):
        # other kinds list segments, tables or API answers: no glob to name
        what = (f"no file matches {markup(public_url(source.location))}" if source.kind == "files"
                else f"no delivery yet (source: {markup(source.kind)})")
        console.print(f"[yellow]nothing found[/yellow] {source.key}: {what}", soft_wrap=True)
    for outcome in summary.outcomes:
        for note in outcome.notes:
            console.print(f"[yellow]warning[/yellow] {markup(outcome.file_name)}: {markup(note)}", soft_wrap=True)
        for warning in outcome.warnings:
            console.print(f"[yellow]warning[/yellow] {markup(warning)}", soft_wrap=True)
        decoded = ""
        if outcome.encoding and outcome.encoding != "utf-8":
            decoded = f" (decoded from {outcome.encoding}{', auto-detected' if outcome.detected else ''})"
        if outcome.status in ("failed", "waiting", "duplicate"):
            colour = "red" if outcome.status == "failed" else "yellow"
            where = f"{outcome.source}: " if not outcome.file_name else ""
            console.print(f"[{colour}]{outcome.status}[/{colour}] {where}{markup(outcome.message)}", soft_wrap=True)
        elif outcome.status == "landed" and (outcome.rows_rejected or decoded):
            rejected = (f", {outcome.rows_rejected} rejected (see `retail-imports status --rejects`)"
                        if outcome.rows_rejected else "")
            console.print(f"[yellow]landed[/yellow] {markup(outcome.file_name)}: {outcome.rows_landed} rows"
                          f"{rejected}{markup(decoded)}", soft_wrap=True)
        if outcome.doubt:
            console.print(f"[yellow]uncertain encoding[/yellow] {markup(outcome.file_name)}: decoded as "
                          f"{outcome.encoding}, but {markup(outcome.doubt)}; set the source's `encoding:` if "
                          "that is wrong", soft_wrap=True)
    waiting = f", {summary.count('waiting')} waiting to retry" if summary.count("waiting") else ""
    duplicate = f", {summary.count('duplicate')} duplicate" if summary.count("duplicate") else ""
    downloaded = (f"; downloaded {summary.downloaded_files} files ({summary.downloaded_bytes} bytes)"
                  if summary.remote else "")
    console.print(
        f"{summary.count('landed')} landed, {summary.count('unchanged')} unchanged{duplicate}, "
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

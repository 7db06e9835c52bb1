"""The import report: what an import did (or, dry, would do), from the warehouse it ran in.

One report for a dry run and a real import (the dry run says so in a banner):
configuration and status; per file rows read / valid / rejected with the
detected encoding, delimiter, header and file date; records added / updated /
unchanged per mart compared with the warehouse before; the order events it
emits; the first and last five records; and the issues (loader.rejects,
staging's `_rejection_reason`, dbt test results), errors (record discarded)
apart from warnings. Rendered by the CLI (rich), report_html.py and as JSON.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import yaml

from . import reasons
from .pii import Policy, mask_text, mask_values
from .sql import ident, qualified

SAMPLE = 5
EXAMPLES = 3        # first lines and example values shown per problem
# Order events come from fct_order_events when the project has it (vendor spec 003:
# orderPlace for an unknown order, orderUpdate when the import brings news).
ORDER_EVENTS = "fct_order_events"
EVENT_TYPE_COLUMNS = ("event_type", "event_name", "event", "type")
# The column naming the landing a mart row came from: lineage, or an event's own load.
LOAD_COLUMNS = ("_load_id", "load_id")


@dataclass
class Issue:
    level: str          # error (record discarded) | warning (record kept)
    source: str
    column: str
    problem: str
    hint: str
    count: int          # records of this import with the problem
    percent: float = 0.0    # of the source's records in this import
    code: str = ""      # reasons.py: stable, what the hint is chosen by
    first_lines: list[str] = field(default_factory=list)    # file:line of the first records
    examples: list[str] = field(default_factory=list)       # the values (or lines) found there, masked


@dataclass
class Report:
    dry_run: bool
    configuration: dict
    warehouse: str
    started_at: str
    status: str = "queued"    # queued | in progress | completed | cancelled | failed (spec 003)
    finished_at: str | None = None
    warehouse_checksum_before: str | None = None
    warehouse_checksum_after: str | None = None
    files: list[dict] = field(default_factory=list)
    records: dict = field(default_factory=dict)      # read / items / valid / rejected over all files
    overview: list[dict] = field(default_factory=list)   # per mart: valid rows, added / updated / unchanged / removed
    overview_left_out: list[str] = field(default_factory=list)   # marts with no tested row key: not compared
    order_events: dict = field(default_factory=lambda: {"available": False})
    samples: list[dict] = field(default_factory=list)    # per source: first and last five records
    issues: list[Issue] = field(default_factory=list)
    tests: list[dict] = field(default_factory=list)      # dbt tests that failed or warned (whole tables)
    deliveries: list[dict] = field(default_factory=list)  # per source: files per day lately, and its cadence
    build_ok: bool | None = None

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "warning"]

    @property
    def outcome(self) -> str:
        """The status, and whether records were discarded: what the badge shows and the exit code follows."""
        if self.status == "completed" and self.errors:
            return "completed with errors"
        return self.status

    @property
    def imported_sources(self) -> list[str]:
        """The sources this import read files of (else those selected): what the title names."""
        delivered = list(dict.fromkeys(f["source"] for f in self.configuration.get("files", [])))
        return delivered or [s["source"] for s in self.configuration["sources"]]

    @property
    def personal_data_kept(self) -> list[str]:
        """Sources that opted out of hashing personal data (pii: keep): said loudly in every rendering."""
        return [s["source"] for s in self.configuration["sources"] if s.get("personal_data", "").startswith("kept")]

    def to_dict(self) -> dict:
        data = asdict(self)
        data["kind"] = "dry run" if self.dry_run else "import"
        data["outcome"] = self.outcome
        data["personal_data_kept"] = self.personal_data_kept
        data["error_count"] = len(self.errors)
        data["warning_count"] = len(self.warnings)
        return data

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=2, default=_plain, ensure_ascii=False) + "\n",
                        encoding="utf-8")


def options_yaml(options: dict) -> str:
    """A source's options as the YAML they are written in (meta.loader), not Python's dict text."""
    return yaml.safe_dump(options, default_flow_style=False, sort_keys=False, allow_unicode=True).strip() \
        if options else ""


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def collect(report: Report, work: Path, before: Path | None, summary, first_load: int, target: Path,
            built: bool, policies: dict[str, Policy] | None = None,
            item_fields: dict[str, str | None] | None = None) -> None:
    """Fill the report from the warehouse the pipeline ran in, compared with its copy from before.

    policies: each source's personal-data policy; what the report shows of
    stored records is masked (pii.mask_values), so a report file never holds
    personal data, even of a source that keeps it in the warehouse.
    item_fields: per source, the field naming the item a row belongs to
    (Format.item_field), to count items rather than rows.
    """
    policies = policies or {}
    # Not read_only: dbt-duckdb keeps its connection to this file open in this process,
    # and DuckDB refuses a second one with another configuration. Only reads follow.
    con = duckdb.connect(str(work))
    try:
        if before is not None:
            con.execute(f"attach '{before}' as before (read_only)")
        loads = [r[0] for r in con.execute(
            "select load_id from loader.files where load_id > ? order by load_id", [first_load]).fetchall()]
        tables = {s["source"]: s["raw_table"] for s in report.configuration["sources"]}
        report.files = _files(con, summary, loads, tables, item_fields or {})
        landed = [f for f in report.files if f["landed"]]
        staged = _staged_rejects(con, landed)
        for entry in report.files:
            entry["rejected_staging"] = len({line for line, _ in staged.get((entry["source"], entry["file"]), [])})
            entry["valid"] = max(entry["rows_landed"] - entry["rejected_staging"], 0) if entry["landed"] else 0
        report.records = {
            "read": sum(f["rows_read"] for f in landed),
            "items": sum(f["items"] for f in landed),
            "valid": sum(f["valid"] for f in report.files),
            "rejected": sum(f["rows_rejected"] + f["rejected_staging"] for f in landed),
        }
        report.issues = (_loader_rejects(con, loads) + _staging_issues(con, staged, tables, policies)
                         + _file_issues(summary) + _loader_warnings(summary) + _delivery_warnings(summary))
        read = Counter()
        for entry in landed:
            read[entry["source"]] += entry["rows_read"]
        for issue in report.issues:
            issue.percent = round(100.0 * issue.count / read[issue.source], 2) if read[issue.source] else 0.0
        nodes = _manifest_nodes(target)
        report.tests = _test_results(target, nodes)
        report.overview, report.overview_left_out = [], []
        for name, key in _marts(nodes):
            if not _exists(con, "main", name):
                continue
            if key:
                report.overview.append(_compare(con, before is not None, name, key, loads))
            else:
                report.overview_left_out.append(name)
        report.order_events = _order_events(con, before is not None, loads)
        report.deliveries = _deliveries(con, report.configuration["sources"], report.imported_sources)
        report.samples = _samples(con, report.configuration, loads, policies)
    finally:
        con.close()
    report.build_ok = built
    failed_files = any(f["status"] == "failed" for f in report.files)
    report.status = "failed" if failed_files or not built else "completed"
    report.finished_at = datetime.now().astimezone().isoformat(timespec="seconds")


def _files(con, summary, loads: list[int], tables: dict[str, str], item_fields: dict[str, str | None]) -> list[dict]:
    manifest = {}
    if loads:
        marks = ", ".join("?" for _ in loads)
        for row in con.execute(
            f"select retailer || '.' || dataset, file_name, file_date, delimiter, encoding, load_id, message, pages "
            f"from loader.files where load_id in ({marks})", loads).fetchall():
            manifest[(row[0], row[1])] = row
    files = []
    for outcome in summary.outcomes:
        row = manifest.get((outcome.source, outcome.file_name))
        landed = outcome.status in ("landed", "unchanged")
        rows_read = outcome.rows_read if landed else 0
        items = _items(con, tables.get(outcome.source), item_fields.get(outcome.source), outcome) \
            if outcome.status == "landed" else None
        files.append({
            "source": outcome.source, "file": outcome.file_name, "status": outcome.status,
            "landed": outcome.status == "landed",
            "rows_read": rows_read,
            "items": rows_read if items is None else items,
            "item_field": item_fields.get(outcome.source),
            "rows_landed": outcome.rows_landed if landed else 0,
            "rows_rejected": outcome.rows_rejected if landed else 0,
            "file_date": row[2].isoformat() if row and row[2] else None,
            "delimiter": row[3] if row else None,
            "encoding": (outcome.encoding or (row[4] if row else None)) or None,
            "encoding_detected": outcome.detected,
            "header": _header(con, tables.get(outcome.source), outcome) if outcome.status == "landed" else None,
            "pages": row[7] if row else None,       # API deliveries: pages fetched
            "message": _message(outcome, row[6] if row else None),
            "encoding_doubt": outcome.doubt,
            "previous_version_kept": outcome.previous_version_kept,
        })
    return files


def _items(con, table: str | None, item_field: str | None, outcome) -> int | None:
    """Items in a file whose items span rows (orders, products): distinct item names landed, plus each
    record the loader rejected (its item cannot be told). None: one row is one item."""
    if not table or not item_field:
        return None
    schema, name = table.split(".", 1)
    if not _has_column(con, schema, name, item_field):
        return None
    landed = con.execute(f"select count(distinct {ident(item_field)}) from {qualified(schema, name)} "
                         "where _source_file = ?", [outcome.file_name]).fetchone()[0]
    return landed + outcome.rows_rejected


DELIVERY_DAYS = 31     # how far back the deliveries chart looks, from the newest delivery


def _deliveries(con, sources: list[dict], imported: list[str]) -> list[dict]:
    """Files per day of each imported source over its last DELIVERY_DAYS days (the file's date, else the
    day it landed), with the cadence it declares (meta.loader.cadence)."""
    found = []
    for source in sources:
        if source["source"] not in imported:
            continue
        retailer, dataset = source["source"].split(".", 1)
        days = con.execute(
            "with d as (select coalesce(file_date, cast(finished_at as date)) as day from loader.files "
            "where retailer = ? and dataset = ? and status <> 'duplicate') "
            "select day, count(*) from d where day > (select max(day) from d) - ? group by 1 order by 1",
            [retailer, dataset, DELIVERY_DAYS]).fetchall()
        found.append({"source": source["source"], "cadence": (source.get("options") or {}).get("cadence"),
                      "days": [[day.isoformat(), n] for day, n in days if day is not None]})
    return found


def _has_column(con, schema: str, table: str, column: str) -> bool:
    return column in _columns(con, schema, table)


def _columns(con, schema: str, table: str, catalog: str | None = None) -> list[str]:
    return [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        f"and table_catalog = {'?' if catalog else 'current_database()'} order by ordinal_position",
        [schema, table, *([catalog] if catalog else [])]).fetchall()]


def _message(outcome, manifest_message: str | None) -> str | None:
    """The outcome's message (or the manifest's), with the loader's warnings the manifest does not hold yet."""
    message = outcome.message or manifest_message
    extra = [w for w in outcome.warnings if w.split(": ", 1)[-1] not in (message or "")]
    return "; ".join(filter(None, [message, *extra])) or None


def _file_issues(summary) -> list[Issue]:
    """Files that landed with a doubt, or did not land though nothing failed: warnings."""
    issues = []
    for outcome in summary.outcomes:
        if outcome.doubt:
            issues.append(Issue("warning", outcome.source, "(encoding)",
                                f"{outcome.file_name}: decoded as {outcome.encoding}, auto-detected but uncertain",
                                f"{outcome.doubt}; set the source's encoding if that is wrong", outcome.rows_read,
                                code="encoding_doubt"))
        if outcome.status == "duplicate":
            issues.append(Issue("warning", outcome.source, "(file)", "same content as a file already landed",
                                outcome.message or "", 0, code="duplicate_file"))
    return issues


def _header(con, table: str | None, outcome) -> bool | None:
    """Whether the file had a header row: its first record is on line 2 (line 1 held the column names)."""
    if not table or not outcome.rows_landed:
        return None
    schema, name = table.split(".", 1)
    first = con.execute(f"select min(_line_number) from {qualified(schema, name)} where _source_file = ?",
                        [outcome.file_name]).fetchone()[0]
    return None if first is None else first > 1


def _staged_rejects(con, landed: list[dict]) -> dict[tuple[str, str], list[tuple[int, str]]]:
    """(line, reason) of each staged record of this import's files that staging rejected, per (source, file)."""
    if not landed or not _exists(con, "main", "audit_rejected_rows"):
        return {}
    found: dict = {}
    pairs = [(f["source"], f["file"]) for f in landed]
    con.execute("create or replace temp table _report_files (source varchar, file varchar)")
    con.executemany("insert into _report_files values (?, ?)", pairs)
    for source, file, line, reason in con.execute(
        "select a.retailer || '.' || a.dataset, a.source_file, a.line_number, a.reason "
        "from main.audit_rejected_rows a join _report_files f "
        "on f.source = a.retailer || '.' || a.dataset and f.file = a.source_file "
        "where a.rejected_by = 'staging' order by 1, 2, 3").fetchall():
        found.setdefault((source, file), []).append((line, reason or ""))
    con.execute("drop table _report_files")
    return found


def _loader_rejects(con, loads: list[int]) -> list[Issue]:
    """Records the loader could not read (loader.rejects), one issue per source, reason code and column."""
    if not loads:
        return []
    marks = ", ".join("?" for _ in loads)
    rows = con.execute(
        f"select retailer || '.' || dataset, error_type, column_name, source_file, line_number, reason, raw_text "
        f"from loader.rejects where load_id in ({marks}) order by 1, 2, 4, 5", loads).fetchall()
    groups: dict = {}
    for source, code, column, file, line, reason, raw_text in rows:
        why = reasons.loader_reason(code)
        # a record with the wrong number of fields is wrong as a whole, whichever column DuckDB stopped at
        key = (source, why.code, "(row)" if why.per_row or not column else column)
        groups.setdefault(key, []).append((file, line, reason, raw_text))
    issues = []
    for (source, code, column), found in groups.items():
        why = reasons.loader_reason(code)
        issues.append(Issue(
            "error", source, column, why.text, why.hint, len(found), code=why.code,
            first_lines=[f"{_short(file)}:{line}" for file, line, _, _ in found[:EXAMPLES]],
            examples=[_clip(mask_text(f"{reason} | {raw_text}" if raw_text else reason or ""))
                      for _, _, reason, raw_text in found[:EXAMPLES]]))
    return sorted(issues, key=lambda i: -i.count)


def _staging_issues(con, staged: dict, tables: dict[str, str], policies: dict[str, Policy]) -> list[Issue]:
    """Staged records with a rejection reason: one issue per source, column and problem, counted once per record."""
    groups: dict = {}
    for (source, file), records in staged.items():
        for line, reason in records:
            for part in dict.fromkeys(reason.split("; ")):
                column, problem = _issue_of(part)
                groups.setdefault((source, column, problem), []).append((file, line))
    issues = []
    for (source, column, problem), found in groups.items():
        kind = reasons.staging_problem(problem)
        first = found[:EXAMPLES]
        issues.append(Issue(
            "error", source, column, problem, kind.hint, len(found), code=kind.code,
            first_lines=[f"{_short(file)}:{line}" for file, line in first],
            examples=_values(con, tables.get(source), column, first, policies.get(source))))
    return sorted(issues, key=lambda i: -i.count)


def _values(con, table: str | None, column: str, found: list[tuple[str, int]], policy: Policy | None) -> list[str]:
    """The delivered values of `column` on the lines named (masked), when the raw table has that column."""
    if not table or column.startswith("("):
        return []
    schema, name = table.split(".", 1)
    if not _has_column(con, schema, name, column):
        return []
    values = []
    for file, line in found:
        row = con.execute(f"select {ident(column)} from {qualified(schema, name)} "
                          "where _source_file = ? and _line_number = ?", [file, line]).fetchone()
        value = None if row is None else row[0]
        shown = mask_values([value], [column], policy)[0]
        values.append("(empty)" if shown in (None, "") else _clip(str(shown)))
    return values


def _short(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _clip(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _loader_warnings(summary) -> list[Issue]:
    """What the loader warned about while landing: records kept, but not as the vendor asks."""
    issues = []
    for source, text in summary.warnings.items():
        read = sum(o.rows_read for o in summary.outcomes if o.source == source and o.status == "landed")
        issues.append(Issue("warning", source, "(source)", text,
                            "the vendor requires these fields: ask the retailer for a full export", read,
                            code="required_fields_optional"))
    for outcome in summary.outcomes:
        for note in outcome.notes:
            issues.append(Issue("warning", outcome.source, "(header)", f"{outcome.file_name}: {note}",
                                "rename the field in the file, or map it with a rename transformation",
                                outcome.rows_read if outcome.status == "landed" else 0, code="header_note"))
    return issues


# Order-level reasons name the order and its lines (int_order_lines__validated):
# counted as one problem each, whatever the order.
_ORDER_REASONS = [
    (re.compile(r"order .* discarded: \d+ of its rows rejected"),
     "order discarded: another of its rows is rejected (spec 003: import errors invalidate the entry)"),
    (re.compile(r"order .*: rows not adjacent, "),
     "rows not adjacent: an earlier run of the order's rows is dropped, its last run kept"),
]
_ORDER_DETAILS = re.compile(r"order details \(line \d+\): ")


def _issue_of(part: str) -> tuple[str, str]:
    """(column, problem) of one reason: `column: problem`, order-level reasons as (order)."""
    for pattern, problem in _ORDER_REASONS:
        if pattern.match(part):
            return "(order)", problem
    column, _, problem = _ORDER_DETAILS.sub("", part, count=1).partition(": ")
    return (column, problem) if problem else ("(row)", part)


def _manifest_nodes(target: Path) -> dict:
    try:
        return json.loads((target / "manifest.json").read_text(encoding="utf-8"))["nodes"]
    except (OSError, ValueError, KeyError):
        return {}


def _delivery_warnings(summary) -> list[Issue]:
    """What the loader warned about a landed file (e.g. a second file for a date): its records are kept,
    but the user must know."""
    return [Issue("warning", o.source, "(file)", w.split(": ", 1)[-1],
                  "the vendor expects one file per date: check which file is the right report", o.rows_read,
                  code="second_file_of_date")
            for o in summary.outcomes for w in o.warnings]


def _test_results(target: Path, nodes: dict) -> list[dict]:
    """dbt tests that failed or warned, and models that did not build: about whole tables, so apart
    from this import's issues, each with what to run to see the rows."""
    try:
        results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError):
        return []
    found = []
    for result in results:
        status = result.get("status")
        if status not in ("fail", "error", "warn"):
            continue
        node = nodes.get(result["unique_id"], {})
        name = node.get("name", result["unique_id"].split(".")[-1])
        if node.get("resource_type") != "test":
            found.append({"level": "error", "model": name, "test": "(build)", "column": "", "rows": None,
                          "hint": f"the model did not build: `dbt build --select {name}` shows the database's "
                                  "error (logs/dbt.log keeps it)"})
            continue
        model = (node.get("attached_node") or "").split(".")[-1] or name
        test = (node.get("test_metadata") or {}).get("name") or name
        rows = int(result.get("failures") or 0)
        found.append({"level": "warning" if status == "warn" else "error", "model": model, "test": test,
                      "column": node.get("column_name") or "", "rows": rows,
                      "hint": f"{rows} row(s) of {model} (the whole table, not only this import) fail it: "
                              f"`dbt test --select {name} --store-failures` keeps them in a table to read"})
    return found


def _marts(nodes: dict) -> list[tuple[str, list[str] | None]]:
    """Mart models and their row keys: the column their `unique` test covers, or the columns of their
    `unique_combination_of_columns` test (a tested key that identifies one row); None when they have neither.
    Not the incremental unique_key: that one names what is replaced together (an order's lines)."""
    keys: dict[str, list[str]] = {}
    for node in nodes.values():
        meta = node.get("test_metadata") or {}
        if node.get("resource_type") != "test" or meta.get("name") not in (
                "unique", "unique_combination_of_columns", "unique_combination"):
            continue
        if (node.get("config") or {}).get("where"):
            continue    # a key of some rows only
        model = (node.get("attached_node") or "")
        kwargs = meta.get("kwargs") or {}
        columns = [node["column_name"]] if meta["name"] == "unique" and node.get("column_name") \
            else list(kwargs.get("combination_of_columns") or kwargs.get("columns") or [])
        if columns and (model not in keys or len(columns) < len(keys[model])):
            keys[model] = columns
    marts = []
    for unique_id, node in nodes.items():
        if node.get("resource_type") == "model" and "marts" in node.get("fqn", []):
            marts.append((node.get("alias") or node["name"], keys.get(unique_id)))
    return sorted(marts)


def _exists(con, schema: str, name: str, catalog: str | None = None) -> bool:
    sql = "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
    params = [schema, name]
    if catalog:
        sql += " and table_catalog = ?"
        params.append(catalog)
    else:
        sql += " and table_catalog = current_database()"
    return con.execute(sql, params).fetchone()[0] > 0


# Columns that say when or how a row was delivered, not what it is: a record
# delivered again unchanged in a later file is "unchanged", not "updated".
DELIVERY_COLUMNS = {"file_date", "days_late", "loaded_at", "landed_at", "source_file", "line_number", "load_id"}


def _row_hash(columns: list[str]) -> str:
    """A hash of a row's business columns: lineage (_loaded_at, _load_id, file_date...) does not make it 'updated'."""
    fields = ", ".join(f"'{c}': {ident(c)}" for c in columns
                       if not c.startswith("_") and c not in DELIVERY_COLUMNS)
    return f"md5(cast({{{fields}}} as varchar))"


def _load_filter(columns: list[str], loads: list[int], alias: str = "") -> str | None:
    """SQL true for rows of this import's landings, or None when the model does not say its landing."""
    column = next((c for c in LOAD_COLUMNS if c in columns), None)
    if column is None:
        return None
    return f"{alias}{ident(column)} in ({', '.join(str(int(x)) for x in loads)})" if loads else "false"


def _compare(con, have_before: bool, name: str, key: list[str], loads: list[int]) -> dict:
    """Rows added, updated and removed by this import, by row key over the whole mart; of the rows this
    import delivered (where the mart says its landing), how many it left unchanged."""
    columns = _columns(con, "main", name)
    keys = ", ".join(ident(k) for k in key)
    table = qualified("main", name)
    told = _load_filter(columns, loads)
    mine = told or "true"
    after = f"select {keys}, {_row_hash(columns)} as _h, {mine} as _mine from {table}"
    total = con.execute(f"select count(*) from {table}").fetchone()[0]
    if have_before and _exists(con, "main", name, "before"):
        old = f"select {keys}, {_row_hash(_columns(con, 'main', name, 'before'))} as _h from before.{table}"
        added, updated, unchanged, valid = con.execute(
            f"select count(*) filter (where b._h is null), count(*) filter (where b._h <> a._h), "
            f"count(*) filter (where a._mine and b._h = a._h), count(*) filter (where a._mine) "
            f"from ({after}) a left join ({old}) b using ({keys})").fetchone()
        removed = con.execute(f"select count(*) from ({old}) b anti join ({after}) a using ({keys})").fetchone()[0]
    else:
        added, valid = con.execute(f"select count(*), count(*) filter (where _mine) from ({after})").fetchone()
        updated = unchanged = removed = 0
    if told is None:    # which rows came with this import is not kept: only the whole-table changes are known
        valid = unchanged = None
    return {"model": name, "key": key, "valid": valid, "added": added, "updated": updated, "unchanged": unchanged,
            "removed": removed, "rows_after": total}


def _order_events(con, have_before: bool, loads: list[int]) -> dict:
    """The order events this import emits: those of its landings (the event's load), else those new
    since before."""
    if not _exists(con, "main", ORDER_EVENTS):
        return {"available": False, "note": f"not available: the project has no {ORDER_EVENTS} model"}
    columns = _columns(con, "main", ORDER_EVENTS)
    kind = next((c for c in EVENT_TYPE_COLUMNS if c in columns), None)
    table = qualified("main", ORDER_EVENTS)
    row = "md5(cast({" + ", ".join(f"'{c}': {ident(c)}" for c in columns) + "} as varchar))"
    new = f"select * from {table}"
    mine = _load_filter(columns, loads)
    if mine is not None:
        new += f" where {mine}"
    elif have_before and _exists(con, "main", ORDER_EVENTS, "before"):
        new += f" where {row} not in (select {row} from before.{table})"
    counts = dict(con.execute(f"select {ident(kind)}, count(*) from ({new}) group by 1 order by 1").fetchall()) \
        if kind else {"events": con.execute(f"select count(*) from ({new})").fetchone()[0]}
    cursor = con.execute(f"select * from ({new}) limit {SAMPLE}")
    names = [d[0] for d in cursor.description]
    sample = [dict(zip(names, mask_values(list(r), names))) for r in cursor.fetchall()]
    return {"available": True, "counts": {str(k): v for k, v in counts.items()}, "columns": names,
            "sample": json.loads(json.dumps(sample, default=_plain))}


def _samples(con, configuration: dict, loads: list[int], policies: dict[str, Policy]) -> list[dict]:
    """First and last five records of each source, as landed (text, with file and line), masked."""
    if not loads:
        return []
    samples = []
    load_list = ", ".join(str(int(x)) for x in loads)
    for source in configuration["sources"]:
        retailer = source["source"].split(".", 1)[0]
        target = tuple(source["raw_table"].split(".", 1))
        if not _exists(con, *target):
            continue
        table = qualified(*target)
        columns = [r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
            "and table_catalog = current_database() order by ordinal_position", list(target)).fetchall()]
        shown = [c for c in columns if not c.startswith("_")]
        select = ", ".join(["_source_file", "_line_number", *map(ident, shown)])
        where = f"_retailer = ? and _load_id in ({load_list})"
        first = con.execute(f"select {select} from {table} where {where} order by _source_file, _line_number "
                            f"limit {SAMPLE}", [retailer]).fetchall()
        last = con.execute(f"select * from (select {select} from {table} where {where} "
                           f"order by _source_file desc, _line_number desc limit {SAMPLE}) "
                           "order by _source_file, _line_number", [retailer]).fetchall()
        if not first:
            continue
        names = ["_source_file", "_line_number", *shown]
        policy = policies.get(source["source"])
        samples.append({"source": source["source"], "columns": names,
                        "first": [mask_values(list(map(_text, r)), names, policy) for r in first],
                        "last": [mask_values(list(map(_text, r)), names, policy) for r in last]})
    return samples


def _text(value):
    return None if value is None else (value if isinstance(value, (int, str)) else _plain(value))

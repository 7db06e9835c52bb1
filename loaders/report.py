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

from .pii import Policy, mask_text, mask_values
from .sql import ident, qualified

SAMPLE = 5
# Order events come from fct_order_events when the project has it (vendor spec 003:
# orderPlace for an unknown order, orderUpdate when the import brings news).
ORDER_EVENTS = "fct_order_events"
EVENT_TYPE_COLUMNS = ("event_type", "event_name", "event", "type")

HINTS = {
    "required value missing": ("fill the column in the file, or declare a default for it in the source's meta.loader "
                               "(a field the retailer's export omits: meta.loader.optional_columns)"),
    "not a valid": "check the value's format against the vendor spec (dates, numbers, booleans)",
    "not one of": "use one of the accepted values listed (spelled exactly where the problem says case sensitive)",
    "not a valid e-mail address": "the column holds e-mail addresses: fix or remove the value",
    "not a complete URL": "give a full URL with protocol and domain, or set default_protocol",
    "one is required": "give at least one of the columns named",
    "order discarded": "fix the rejected row named for the order; the whole order is imported again with it",
    "rows not adjacent": "list all line items of an order one after the other",
}


@dataclass
class Issue:
    level: str          # error (record discarded) | warning (record kept)
    source: str
    column: str
    problem: str
    hint: str
    count: int
    percent: float = 0.0


@dataclass
class Report:
    dry_run: bool
    configuration: dict
    warehouse: str
    started_at: str
    status: str = "queued"    # queued | in progress | completed | cancelled | failed
    finished_at: str | None = None
    warehouse_checksum_before: str | None = None
    warehouse_checksum_after: str | None = None
    files: list[dict] = field(default_factory=list)
    records: dict = field(default_factory=dict)      # read / valid / rejected over all files
    overview: list[dict] = field(default_factory=list)   # per mart: valid rows, added / updated / unchanged
    order_events: dict = field(default_factory=lambda: {"available": False})
    samples: list[dict] = field(default_factory=list)    # per source: first and last five records
    issues: list[Issue] = field(default_factory=list)
    build_ok: bool | None = None

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "warning"]

    @property
    def personal_data_kept(self) -> list[str]:
        """Sources that opted out of hashing personal data (pii: keep): said loudly in every rendering."""
        return [s["source"] for s in self.configuration["sources"] if s.get("personal_data", "").startswith("kept")]

    def to_dict(self) -> dict:
        data = asdict(self)
        data["kind"] = "dry run" if self.dry_run else "import"
        data["personal_data_kept"] = self.personal_data_kept
        data["error_count"] = len(self.errors)
        data["warning_count"] = len(self.warnings)
        return data

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=2, default=_plain, ensure_ascii=False) + "\n",
                        encoding="utf-8")


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def collect(report: Report, work: Path, before: Path | None, summary, first_load: int, target: Path,
            built: bool, policies: dict[str, Policy] | None = None) -> None:
    """Fill the report from the warehouse the pipeline ran in, compared with its copy from before.

    policies: each source's personal-data policy; what the report shows of
    stored records is masked (pii.mask_values), so a report file never holds
    personal data, even of a source that keeps it in the warehouse.
    """
    # Not read_only: dbt-duckdb keeps its connection to this file open in this process,
    # and DuckDB refuses a second one with another configuration. Only reads follow.
    con = duckdb.connect(str(work))
    try:
        if before is not None:
            con.execute(f"attach '{before}' as before (read_only)")
        loads = [r[0] for r in con.execute(
            "select load_id from loader.files where load_id > ? order by load_id", [first_load]).fetchall()]
        tables = {s["source"]: s["raw_table"] for s in report.configuration["sources"]}
        report.files = _files(con, summary, loads, tables)
        report.issues = (_row_issues(con, loads) + _file_issues(summary) + _loader_warnings(summary)
                         + _delivery_warnings(summary) + _test_issues(target))
        staged_rejects = _staging_rejected_per_file(con, [f["file"] for f in report.files if f["landed"]])
        for entry in report.files:
            entry["rejected_staging"] = staged_rejects.get(entry["file"], 0)
            entry["valid"] = max(entry["rows_landed"] - entry["rejected_staging"], 0) if entry["landed"] else 0
        read = sum(f["rows_read"] for f in report.files if f["landed"])
        report.records = {
            "read": read,
            "valid": sum(f["valid"] for f in report.files),
            "rejected": sum(f["rows_rejected"] + f["rejected_staging"] for f in report.files if f["landed"]),
        }
        for issue in report.issues:
            issue.percent = round(100.0 * issue.count / read, 2) if read else 0.0
        marts = _marts(target)
        report.overview = [_compare(con, before is not None, name, key, loads) for name, key in marts
                           if _exists(con, "main", name)]
        report.order_events = _order_events(con, before is not None, loads)
        report.samples = _samples(con, report.configuration, loads, policies or {})
    finally:
        con.close()
    report.build_ok = built
    failed_files = any(f["status"] == "failed" for f in report.files)
    report.status = "failed" if failed_files or not built else "completed"
    report.finished_at = datetime.now().astimezone().isoformat(timespec="seconds")


def _files(con, summary, loads: list[int], tables: dict[str, str]) -> list[dict]:
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
        files.append({
            "source": outcome.source, "file": outcome.file_name, "status": outcome.status,
            "landed": outcome.status == "landed",
            "rows_read": outcome.rows_read if landed else 0,
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
                                f"{outcome.doubt}; set the source's encoding if that is wrong", 1))
        if outcome.status == "duplicate":
            issues.append(Issue("warning", outcome.source, "(file)", "same content as a file already landed",
                                outcome.message or "", 1))
    return issues


def _header(con, table: str | None, outcome) -> bool | None:
    """Whether the file had a header row: its first record is on line 2 (line 1 held the column names)."""
    if not table or not outcome.rows_landed:
        return None
    schema, name = table.split(".", 1)
    first = con.execute(f"select min(_line_number) from {qualified(schema, name)} where _source_file = ?",
                        [outcome.file_name]).fetchone()[0]
    return None if first is None else first > 1


def _staging_rejected_per_file(con, names: list[str]) -> dict[str, int]:
    if not names or not _exists(con, "main", "audit_rejected_rows"):
        return {}
    marks = ", ".join("?" for _ in names)
    return dict(con.execute(
        f"select source_file, count(distinct line_number) from main.audit_rejected_rows "
        f"where rejected_by = 'staging' and source_file in ({marks}) group by source_file", names).fetchall())


def _row_issues(con, loads: list[int]) -> list[Issue]:
    """Records discarded: unparseable rows (loader.rejects) and staged rows with a rejection reason."""
    issues: Counter = Counter()
    if loads:
        marks = ", ".join("?" for _ in loads)
        for source, column, problem, reason, count in con.execute(
            f"select retailer || '.' || dataset, coalesce(column_name, '(row)'), coalesce(error_type, 'parse error'), "
            f"min(reason), count(*) from loader.rejects where load_id in ({marks}) group by all", loads).fetchall():
            issues[(source, column, problem, f"the line could not be read: {mask_text(reason)}")] += count
        files = [r[0] for r in con.execute(
            f"select file_name from loader.files where load_id in ({marks})", loads).fetchall()]
        if files and _exists(con, "main", "audit_rejected_rows"):
            fmarks = ", ".join("?" for _ in files)
            for source, reason in con.execute(
                f"select retailer || '.' || dataset, reason from main.audit_rejected_rows "
                f"where rejected_by = 'staging' and source_file in ({fmarks})", files).fetchall():
                for part in dict.fromkeys((reason or "").split("; ")):   # one count per record and problem
                    column, problem = _issue_of(part)
                    issues[(source, column, problem, _hint(problem))] += 1
    return [Issue("error", s, c, p, h, n) for (s, c, p, h), n in sorted(issues.items(), key=lambda x: -x[1])]


def _loader_warnings(summary) -> list[Issue]:
    """What the loader warned about while landing: records kept, but not as the vendor asks."""
    issues = []
    for source, text in summary.warnings.items():
        read = sum(o.rows_read for o in summary.outcomes if o.source == source and o.status == "landed")
        issues.append(Issue("warning", source, "(source)", text,
                            "the vendor requires these fields: ask the retailer for a full export", read))
    for outcome in summary.outcomes:
        for note in outcome.notes:
            issues.append(Issue("warning", outcome.source, "(header)", f"{outcome.file_name}: {note}",
                                "rename the field in the file, or map it with a rename transformation",
                                outcome.rows_read))
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


def _delivery_warnings(summary) -> list[Issue]:
    """What the loader warned about a landed file (e.g. a second file for a date): kept, but to be known."""
    return [Issue("warning", o.source, "(file)", w.split(": ", 1)[-1],
                  "the vendor expects one file per date: check which file is the right report", 1)
            for o in summary.outcomes for w in o.warnings]


def _hint(problem: str) -> str:
    for start, hint in HINTS.items():
        if problem.startswith(start) or start in problem:
            return hint
    return "see the vendor spec for the column"


def _test_issues(target: Path) -> list[Issue]:
    """dbt tests that failed (error) or warned, and models that did not build."""
    try:
        results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
        manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))["nodes"]
    except (OSError, ValueError, KeyError):
        return []
    issues = []
    for result in results:
        status = result.get("status")
        if status not in ("fail", "error", "warn"):
            continue
        node = manifest.get(result["unique_id"], {})
        attached = (node.get("attached_node") or "").split(".")[-1] or node.get("name", result["unique_id"])
        column = node.get("column_name") or "(table)"
        test = (node.get("test_metadata") or {}).get("name") or node.get("resource_type", "node")
        issues.append(Issue(
            "warning" if status == "warn" else "error", attached, column, f"dbt {test} {status}",
            (result.get("message") or "").splitlines()[0][:300] if result.get("message") else "",
            int(result.get("failures") or 1)))
    return issues


def _marts(target: Path) -> list[tuple[str, list[str]]]:
    """Mart models and their unique keys, from the dbt manifest."""
    try:
        nodes = json.loads((target / "manifest.json").read_text(encoding="utf-8"))["nodes"]
    except (OSError, ValueError, KeyError):
        return []
    marts = []
    for node in nodes.values():
        if node.get("resource_type") != "model" or "marts" not in node.get("fqn", []):
            continue
        key = node.get("config", {}).get("unique_key")
        if key:
            marts.append((node["alias"] or node["name"], [key] if isinstance(key, str) else list(key)))
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
DELIVERY_COLUMNS = {"file_date", "days_late", "loaded_at", "landed_at", "source_file", "line_number"}


def _row_hash(con, name: str) -> str:
    """A hash of a row's business columns: lineage (_loaded_at, _load_id, file_date...) does not make it 'updated'."""
    columns = [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'main' and table_name = ? "
        "and table_catalog = current_database() order by ordinal_position", [name]).fetchall()]
    fields = ", ".join(f"'{c}': {ident(c)}" for c in columns
                       if not c.startswith("_") and c not in DELIVERY_COLUMNS)
    return f"md5(cast({{{fields}}} as varchar))"


def _compare(con, have_before: bool, name: str, key: list[str], loads: list[int]) -> dict:
    columns = {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'main' and table_name = ? "
        "and table_catalog = current_database()", [name]).fetchall()}
    keys = ", ".join(ident(k) for k in key)
    hashed = _row_hash(con, name)
    touched = "true"
    if "_load_id" in columns:
        touched = f"_load_id in ({', '.join(str(int(x)) for x in loads)})" if loads else "false"
    after = f"select {keys}, {hashed} as _h from {qualified('main', name)} where {touched}"
    total = con.execute(f"select count(*) from {qualified('main', name)}").fetchone()[0]
    if have_before and _exists(con, "main", name, "before"):
        old = f"select {keys}, {hashed} as _h from before.{qualified('main', name)}"
        added, updated, unchanged = con.execute(
            f"select count(*) filter (where b._h is null), count(*) filter (where b._h is not null and b._h <> a._h), "
            f"count(*) filter (where b._h = a._h) from ({after}) a left join ({old}) b using ({keys})").fetchone()
    else:
        added, updated, unchanged = con.execute(f"select count(*), 0, 0 from ({after})").fetchone()
    return {"model": name, "key": key, "valid": added + updated + unchanged, "added": added, "updated": updated,
            "unchanged": unchanged, "rows_after": total}


def _order_events(con, have_before: bool, loads: list[int]) -> dict:
    if not _exists(con, "main", ORDER_EVENTS):
        return {"available": False, "note": f"not available: the project has no {ORDER_EVENTS} model"}
    columns = [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'main' and table_name = ? "
        "and table_catalog = current_database() order by ordinal_position", [ORDER_EVENTS]).fetchall()]
    kind = next((c for c in EVENT_TYPE_COLUMNS if c in columns), None)
    table = qualified("main", ORDER_EVENTS)
    row = "md5(cast({" + ", ".join(f"'{c}': {ident(c)}" for c in columns) + "} as varchar))"
    new = f"select * from {table}"
    if "_load_id" in columns:
        new += f" where _load_id in ({', '.join(str(int(x)) for x in loads)})" if loads else " where false"
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

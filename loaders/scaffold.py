"""Write a retailer's staging folder from the format declarations.

models/staging/<retailer>/ gets the sources YAML (the source contract), one
staging model per dataset (a single call of stage_source), and the models
YAML with every column described and tested. The staging model is then
registered with its entity's union in dbt_project.yml.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .api import kind_of_format
from .errors import LoaderError, UsageProblem, did_you_mean
from .formats import Format, load_format
from .project import SAFE_NAME
from .storage import check_inline_secrets, local_folder


@dataclass(frozen=True)
class Dataset:
    name: str
    format: str
    location: str
    options: dict = field(default_factory=dict)
    cadence: str = "daily"
    transformations: list = field(default_factory=list)


# How often a retailer delivers (vendor spec 000: "hourly or at least once
# daily") and so how old the newest landing may get before `dbt source
# freshness` warns / errors. The cadence is written into meta.loader too:
# audit_deliveries reads it to tell when a day's file is due.
FRESHNESS = {
    "daily": {"warn_after": {"count": 36, "period": "hour"}, "error_after": {"count": 72, "period": "hour"}},
    "hourly": {"warn_after": {"count": 3, "period": "hour"}, "error_after": {"count": 12, "period": "hour"}},
}


def staging_model_name(retailer: str, dataset: str) -> str:
    return f"stg_{retailer}__{dataset}"


def write_retailer(project_dir: Path, retailer: str, datasets: list[Dataset], overwrite: bool = False) -> list[Path]:
    for value, label in [(retailer, "retailer")] + [(d.name, "dataset") for d in datasets]:
        if not SAFE_NAME.fullmatch(value) or "__" in value:
            raise UsageProblem(
                f"{label} name {value!r} is not safe: use lower-case letters, digits and single underscores, "
                "starting with a letter"
            )
    folder = project_dir / "models" / "staging" / retailer
    if folder.exists() and not overwrite:
        raise UsageProblem(f"{folder} already exists (pass --overwrite to replace its files)")
    for d in datasets:
        if d.cadence not in FRESHNESS:
            raise LoaderError(f"dataset {d.name}: cadence {d.cadence!r} is not one of {', '.join(FRESHNESS)}")
    in_place = [d for d in datasets if d.options.get("source") == "bigquery"]
    if in_place and len(datasets) > 1:
        raise LoaderError(f"dataset {in_place[0].name} is read in place (source=bigquery): a dbt source names one "
                          "BigQuery dataset, so add it alone, as a retailer of its own (e.g. "
                          f"add-retailer {retailer}_ga4 --dataset ...)")
    if in_place:
        bigquery_table(in_place[0])   # refuse a malformed location before writing anything
    formats = {d.name: load_format(project_dir, d.format) for d in datasets}
    for d in datasets:   # refused before anything is written: the options as the loader will read them
        _loader_block(d, f"dataset {d.name}")
        formats[d.name].for_source(d.options, f"dataset {d.name}")
    folder.mkdir(parents=True, exist_ok=True)
    written = [
        _write(folder / f"_{retailer}__sources.yml", _sources_yaml(retailer, datasets, formats)),
        _write(folder / f"_{retailer}__models.yml", _models_yaml(retailer, datasets, formats, project_dir)),
    ]
    for d in datasets:
        model = staging_model_name(retailer, d.name)
        # read in place: the new tables' rows are kept, a day's newest table replacing the day
        config = ("{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='_file_date', "
                  "on_schema_change='fail', "
                  "partition_by={'field': '_file_date', 'data_type': 'date'}) }}\n"
                  if d.options.get("source") == "bigquery" else "")
        written.append(_write(folder / f"{model}.sql", f"{config}{{{{ stage_source('{retailer}', '{d.name}') }}}}\n"))
        register_staging_model(project_dir, formats[d.name].entity, model)
        for derived in derived_models(formats[d.name]):
            name = f"{model}_{derived['suffix']}"
            written.append(_write(folder / f"{name}.sql", f"{{{{ {derived['macro']}(ref('{model}')) }}}}\n"))
            register_staging_model(project_dir, derived["entity"], name)
        if d.location and d.options.get("source", "files") == "files":
            _make_drop_folder(project_dir, d.location)
    return written


# meta.loader keys add-retailer writes from flags of their own.
_OWN_FLAGS = {"format": "--dataset", "location": "--dataset", "cadence": "--cadence",
              "transformations": "--rename, --copy, --new, --delete, --map, --timestamp and --cast"}


def _dataset(datasets: list[Dataset], name: str, flag: str, form: str) -> Dataset:
    target = next((d for d in datasets if d.name == name), None)
    if target is None:
        raise UsageProblem(f"{flag}: expected {form} with NAME one of the --dataset names "
                          f"({', '.join(d.name for d in datasets) or 'none given'})")
    return target


def set_option(project_dir: Path, datasets: list[Dataset], flag: str) -> None:
    """--option NAME:KEY=VALUE: VALUE is read as YAML (a map or list is one; a number stays the text
    given), KEY must be a known option."""
    from .options import known_options

    name, _, assignment = flag.partition(":")
    key, equals, text = assignment.partition("=")
    target = _dataset(datasets, name, f"--option {flag!r}", "NAME:KEY=VALUE")
    if not (key and equals):
        raise UsageProblem(f"--option {flag!r}: expected NAME:KEY=VALUE")
    if key in _OWN_FLAGS:
        raise UsageProblem(f"--option {flag!r}: {key} is set by {_OWN_FLAGS[key]}")
    known = known_options(load_format(project_dir, target.format))
    if key not in known:
        listed = "; ".join(f"{k} ({v})" for k, v in known.items() if k not in _OWN_FLAGS)
        raise UsageProblem(f"--option {flag!r}: unknown option {key!r} for format {target.format}"
                           f"{did_you_mean(key, known)} (known options: {listed})")
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problem = str(exc).splitlines()[0]
        raise UsageProblem(f"--option {flag!r}: VALUE is read as YAML and this does not parse ({problem}); "
                          f"quote it: {name}:{key}='\"{text}\"'") from None
    if value is None:
        raise UsageProblem(f"--option {flag!r}: give a value after =")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = text.strip()   # as given: an id keeps its digits (list_id=0123 is not 83); numbers are read from text
    previous = target.options.get(key)
    if isinstance(previous, dict) and isinstance(value, dict):
        value = {**previous, **value}   # --option a:columns={x: ...} --option a:columns={y: ...}
    target.options[key] = value


def set_user_id(project_dir: Path, datasets: list[Dataset], flag: str, what: str) -> None:
    """--user-id-field NAME:FIELD / --user-id-type NAME:TYPE (vendor spec 003, Users: "You can select
    which field contains the User ID and the associated User ID type")."""
    option = f"--user-id-{what}"
    name, sep, value = flag.partition(":")
    target = _dataset(datasets, name, f"{option} {flag!r}", f"NAME:{what.upper()}")
    if not (sep and value):
        raise UsageProblem(f"{option} {flag!r}: expected NAME:{what.upper()}")
    column = "user_id" if what == "field" else "user_id_type"
    fmt = load_format(project_dir, target.format)
    if fmt.column(column) is None:
        raise UsageProblem(f"{option} {flag!r}: format {target.format} has no {column} column")
    if what == "field":
        columns = target.options.setdefault("columns", {})
        columns[column] = {**(columns.get(column) or {}), "source": value}
    else:
        target.options.setdefault("defaults", {})[column] = value


def derived_models(fmt: Format) -> list[dict]:
    """The staging models a format's source gets besides its own, built on it (format key
    `derived_models`: a GA4 export feeds page views and order lines)."""
    return list(fmt.extra.get("derived_models") or [])


def bigquery_table(d: Dataset) -> tuple[str, str, str]:
    """(project, dataset, table glob) of a dataset read in place: its location is project.dataset.events_*."""
    parts = d.location.split(".")
    if len(parts) != 3 or not all(parts):
        raise LoaderError(f"dataset {d.name}: a source=bigquery location is PROJECT.DATASET.TABLES, e.g. "
                          f"my-project.analytics_123456.events_* (got {d.location!r})")
    return parts[0], parts[1], parts[2]


def _make_drop_folder(project_dir: Path, location: str) -> None:
    """The local folder the files will be dropped in: the loader fails a source whose folder is missing."""
    if "{{" in location:
        return   # rendered by the loader from the environment; whoever sets it makes the folder
    folder = local_folder(location if "://" in location or Path(location).is_absolute()
                          else str(project_dir / location))
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _loader_block(d: Dataset, where: str) -> dict:
    """The meta.loader block of a dataset: a location for files, the API kind and its options otherwise."""
    transformations = {"transformations": d.transformations} if d.transformations else {}
    check_inline_secrets(d.options, where)   # a secret passed with --option is never written
    kind = kind_of_format(d.format)
    if kind is None:
        if not d.location:
            raise UsageProblem(f"{where}: format {d.format} reads delivered files: give NAME:FORMAT:LOCATION")
        return {"format": d.format, "location": d.location, "cadence": d.cadence, **d.options, **transformations}
    if d.location:
        raise UsageProblem(f"{where}: format {d.format} is fetched from an API ({kind.name}), it has no location: "
                          f"give NAME:{d.format} and its settings with --option")
    block = {"source": kind.name, "format": d.format, **d.options, **transformations}
    kind.check(block, where)
    return block


def _sources_yaml(retailer: str, datasets: list[Dataset], formats: dict[str, Format]) -> str:
    tables = []
    for d in datasets:
        fmt = formats[d.name]
        # An API source's raw table changes only when the API's answer does: the age of its
        # newest landing is no sign of a late delivery, so no freshness.
        freshness = {} if kind_of_format(d.format) else {"loaded_at_field": "_loaded_at",
                                                      "freshness": FRESHNESS[d.cadence]}
        tables.append({
            "name": d.name,
            "description": f"Raw {d.name} of {retailer}, landed as text by the loader ({fmt.vendor or fmt.name}).",
            "config": {**freshness, "meta": {"loader": _loader_block(d, f"dataset {d.name}")}},
        })
    source = {
        "name": retailer,
        "description": f"Files delivered by {retailer}, landed by `retail-imports land`.",
        "schema": f"raw_{retailer}",
        "tables": tables,
    }
    if datasets[0].options.get("source") == "bigquery":
        # tables already in BigQuery: dbt reads them where they are; the loader registers each new one
        project, dataset, glob = bigquery_table(datasets[0])
        source.update(description=f"{retailer}'s tables in BigQuery, read in place (README \"GA4 / BigQuery export\").",
                      database=project, schema=dataset)
        loader = tables[0]["config"]["meta"]["loader"]
        del loader["location"]
        tables[0].update(identifier=glob, description=f"{retailer}'s {datasets[0].name} tables ({glob}), read in place.")
        # its tables have no _loaded_at, and freshness would scan every day: audit_deliveries watches the days
        tables[0]["config"] = {"meta": {"loader": loader}}
    doc = {"version": 2, "sources": [source]}
    return "# The source contract of this retailer: the loader lands what meta.loader says.\n" + _dump(doc)


def _models_yaml(retailer: str, datasets: list[Dataset], formats: dict[str, Format], project_dir: Path) -> str:
    models = []
    for d in datasets:
        fmt = formats[d.name]
        line_items = bool(fmt.extra.get("line_items"))
        # Values are only promised on rows staging accepts (rejected rows are
        # kept, flagged, and reported by no_rejected_rows).
        valid = "_rejection_reason is null" + (" and _order_rejection_reason is null" if line_items else "")
        columns = [{"name": "retailer", "description": "{{ doc('col_retailer') }}", "data_tests": ["not_null"]}]
        for c in fmt.columns:
            col: dict = {"name": c.name, "description": c.description or c.name}
            tests = []
            if c.accepted:
                # rows with another value are flagged in _rejection_reason (and kept): check the others
                tests.append({"accepted_values": {"arguments": {"values": list(c.accepted)}, "config": {"where": valid}}})
            if tests:
                col["data_tests"] = tests
            columns.append(col)
        columns += extra_staging_columns(fmt)
        custom = fmt.extra.get("custom_fields")
        if custom:
            columns.append({"name": custom["name"], "description": "{{ doc('col_custom_fields') }}"})
        if line_items:
            columns.append({"name": "_order_group", "description": "{{ doc('col_order_group') }}"})
        columns += [
            {"name": "_rejection_reason", "description": "{{ doc('col_rejection_reason') }}"},
            *([{"name": "_order_rejection_reason", "description": "{{ doc('col_order_rejection_reason') }}"}]
              if line_items else []),
            {"name": "_source_format", "description": "{{ doc('col_source_format') }}"},
            {"name": "_source_file", "description": "{{ doc('col_source_file') }}", "data_tests": ["not_null"]},
            {"name": "_file_date", "description": "{{ doc('col_file_date') }}"},
            {"name": "_line_number", "description": "{{ doc('col_line_number') }}", "data_tests": ["not_null"]},
            {"name": "_loaded_at", "description": "{{ doc('col_loaded_at') }}"},
            {"name": "_load_id", "description": "{{ doc('col_load_id') }}"},
        ]
        models.append({
            "name": staging_model_name(retailer, d.name),
            "description": f"{retailer}'s {d.name}, renamed and cast per the {fmt.name} format; "
                           "invalid rows are kept and flagged in _rejection_reason.",
            "data_tests": [
                # a record is a line, except in JSON rows (spec 002's example holds its rows on one line)
                *([] if fmt.json_syntax == "json5_rows" else
                  [{"unique_combination_of_columns": {"arguments": {"combination_of_columns": ["_source_file", "_line_number"]}}}]),
                # Line-item formats are reported whole by their validation model.
                *([] if line_items else [{"no_rejected_rows": {"config": {"severity": "warn"}}}]),
                *_row_key_test(fmt),
            ],
            "columns": columns,
        })
        models += [_derived_model_yaml(project_dir, retailer, d, derived) for derived in derived_models(fmt)]
    return _dump({"version": 2, "models": models})


def _derived_model_yaml(project_dir: Path, retailer: str, d: Dataset, derived: dict) -> dict:
    """A model built on a staging model: its entity's columns, described as its union model describes them."""
    entity, model = derived["entity"], staging_model_name(retailer, d.name)
    columns = [dict(c) for c in union_columns(project_dir, entity)]
    key = ["_source_file", "_line_number"] + (["_item_index"] if any(c["name"] == "_item_index" for c in columns) else [])
    validated = entity in (_project_vars(project_dir).get("validation_models") or {})
    return {
        "name": f"{model}_{derived['suffix']}",
        "description": f"{retailer}'s {entity.replace('_', ' ')} from its {d.name} ({model}, macro "
                       f"{derived['macro']}); invalid rows are kept and flagged in _rejection_reason.",
        "config": {"meta": {"entity": entity}},   # check_union_members: the union it belongs to
        "data_tests": [
            {"unique_combination_of_columns": {"arguments": {"combination_of_columns": key}}},
            # entities re-checked by a validation model are reported whole by it
            *([] if validated else [{"no_rejected_rows": {"config": {"severity": "warn"}}}]),
        ],
        "columns": columns,
    }


def union_columns(project_dir: Path, entity: str) -> list[dict]:
    """The documented columns of int_<entity>__unioned (name, description), from its models YAML."""
    wanted = f"int_{entity}__unioned"
    for path in sorted((project_dir / "models" / "intermediate").rglob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in doc.get("models") or []:
            if model.get("name") == wanted:
                return [{"name": c["name"], "description": c.get("description") or c["name"]}
                        for c in model.get("columns") or []]
    raise LoaderError(f"no documented model {wanted} under models/intermediate: the union of entity {entity}")


def _project_vars(project_dir: Path) -> dict:
    return (yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8")) or {}).get("vars") or {}


def _row_key_test(fmt: Format) -> list[dict]:
    """A format's row_key (what one valid row of a file stands for) is unique per file; warn-level,
    since the marts keep the last such row."""
    if not fmt.extra.get("row_key"):
        return []
    return [{"unique_combination_of_columns": {
        "arguments": {"combination_of_columns": ["_source_file", *fmt.extra["row_key"]]},
        "config": {"severity": "warn", "where": "_rejection_reason is null"},
    }}]


def extra_staging_columns(fmt: Format) -> list[dict]:
    """Columns stage_source adds beyond the declared ones, per the format's options."""
    extra = []
    for c in fmt.columns:
        if c.type == "url" and c.options.get("default_protocol"):
            extra.append({"name": f"is_{c.name}_protocol_defaulted",
                          "description": f"Whether {c.name} came without a protocol and took the source's default one."})
    trailing = (fmt.extra.get("_file") or {}).get("trailing_columns") or {}
    if trailing.get("list"):
        extra.append({"name": trailing["list"],
                      "description": f"The row's trailing fields ({trailing['prefix']}_1, _2...) in order, "
                                     "as many as it has; delivered empty ones are ''."})
    if fmt.extra.get("other_columns"):
        extra.append({"name": fmt.extra["other_columns"],
                      "description": "Every field the format does not declare, as one JSON object keyed by "
                                     "field name (text from CSV unless cast; JSON lines keep their types)."})
    if fmt.extra.get("continuation_rows"):
        extra.append({"name": "_is_continuation_row",
                      "description": "The row continues the row above it with the same "
                                     f"{fmt.extra['continuation_rows']['key']} (variants, images)."})
    return extra


def _dump(doc: dict) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def register_staging_model(project_dir: Path, entity: str, model: str) -> None:
    """Add `model` to vars.staging_models.<entity> in dbt_project.yml, keeping its comments."""
    path = project_dir / "dbt_project.yml"
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"^(\s+{re.escape(entity)}:\s*)\[(.*?)\]\s*$", re.M)
    block = re.search(r"^\s+staging_models:\s*$", text, re.M)
    if not block:
        raise LoaderError(f"{path}: vars.staging_models is missing")
    match = pattern.search(text, block.end())
    if match:
        members = [m.strip() for m in match.group(2).split(",") if m.strip()]
        if model in members:
            return
        members.append(model)
        text = text[: match.start()] + f"{match.group(1)}[{', '.join(members)}]" + text[match.end():]
    else:
        indent = re.match(r"^(\s+)", text[block.start():]).group(1) + "  "
        text = text[: block.end()] + f"\n{indent}{entity}: [{model}]" + text[block.end():]
    yaml.safe_load(text)
    path.write_text(text, encoding="utf-8")


# Transformations from add-retailer flags (README "Field transformations"):
# --rename / --copy NAME:FIELD=TO, --new NAME:FIELD=VALUE, --delete NAME:FIELD,
# and value changes of a field a rename / copy writes (or of a delivered field,
# which then gets a rename to itself): --map NAME:FIELD:FROM=TO[,FROM=TO...],
# --timestamp NAME:FIELD:PATTERN, --cast NAME:FIELD:TYPE.
CAST_TYPES = ("string", "integer", "float", "bool")


def add_transformation(datasets: list[Dataset], kind: str, flag: str) -> None:
    name, sep, rest = flag.partition(":")
    target = next((d for d in datasets if d.name == name), None)
    if not (target and sep and rest):
        raise UsageProblem(f"--{kind} {flag!r}: expected NAME:... with NAME one of the dataset names")
    steps = target.transformations
    if kind in ("rename", "copy", "new"):
        field_name, equals, value = rest.partition("=")
        if not (field_name and equals and (value or kind == "new")):
            raise UsageProblem(f"--{kind} {flag!r}: expected NAME:FIELD=" + ("VALUE" if kind == "new" else "TO"))
        steps.append({kind: field_name, "value": value} if kind == "new" else {kind: field_name, "to": value})
        return
    if kind == "delete":
        steps.append({"delete": rest})
        return
    field_name, sep, value = rest.partition(":")
    if not (field_name and sep and value):
        raise UsageProblem(f"--{kind} {flag!r}: expected NAME:FIELD:" + {"map": "FROM=TO,...", "timestamp": "PATTERN",
                                                                      "cast": "TYPE"}[kind])
    step = next((s for s in reversed(steps) if ("rename" in s or "copy" in s) and s["to"] == field_name), None)
    if step is None:
        step = {"rename": field_name, "to": field_name}
        steps.append(step)
    if kind == "map":
        pairs = [p.partition("=") for p in value.split(",")]
        if not all(p[0] and p[1] for p in pairs):
            raise UsageProblem(f"--map {flag!r}: expected FROM=TO pairs separated by commas")
        # from the command line every value is text, as CSV fields are
        step.setdefault("values", []).extend({"from": p[0], "to": p[2]} for p in pairs)
    elif kind == "timestamp":
        step["timestamp"] = value
    else:
        if value not in CAST_TYPES:
            raise UsageProblem(f"--cast {flag!r}: type {value!r} is not one of {', '.join(CAST_TYPES)}")
        step["cast"] = value


def prompt_datasets(project_dir: Path, retailer: str) -> tuple[list[str], list[str]]:
    """Ask for the datasets (name, format, location, or an API's settings) when add-retailer got no
    --dataset flag; the --dataset and --option values they stand for."""
    import click

    from .formats import available_formats

    formats = [f for f in available_formats(project_dir)]
    specs, options = [], []
    while True:
        name = click.prompt("dataset name (e.g. visits, orders)")
        fmt = click.prompt("format", type=click.Choice(formats))
        kind = kind_of_format(fmt)
        if kind is None:
            location = click.prompt("location of its files", default=f"drop/{retailer}/{retailer}_{name}_*.csv")
            specs.append(f"{name}:{fmt}:{location}")
        else:
            specs.append(f"{name}:{fmt}")
            for key, question in kind.settings.items():
                value = click.prompt(question, default="", show_default=False).strip()
                if value:   # an answer is text, whatever YAML would make of it
                    options.append(f"{name}:{key}={json.dumps(value)}")
        if not click.confirm("another dataset?", default=False):
            return specs, options

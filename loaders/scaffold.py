"""Write a retailer's staging folder from the format declarations.

models/staging/<retailer>/ gets the sources YAML (the source contract), one
staging model per dataset (a single call of stage_source), and the models
YAML with every column described and tested. The staging model is then
registered with its entity's union in dbt_project.yml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import LoaderError
from .formats import Format, load_format
from .project import SAFE_NAME


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
            raise LoaderError(
                f"{label} name {value!r} is not safe: use lower-case letters, digits and single underscores, "
                "starting with a letter"
            )
    folder = project_dir / "models" / "staging" / retailer
    if folder.exists() and not overwrite:
        raise LoaderError(f"{folder} already exists (pass --overwrite to replace its files)")
    for d in datasets:
        if d.cadence not in FRESHNESS:
            raise LoaderError(f"dataset {d.name}: cadence {d.cadence!r} is not one of {', '.join(FRESHNESS)}")
    formats = {d.name: load_format(project_dir, d.format) for d in datasets}
    folder.mkdir(parents=True, exist_ok=True)
    written = [
        _write(folder / f"_{retailer}__sources.yml", _sources_yaml(retailer, datasets, formats)),
        _write(folder / f"_{retailer}__models.yml", _models_yaml(retailer, datasets, formats)),
    ]
    for d in datasets:
        written.append(_write(
            folder / f"{staging_model_name(retailer, d.name)}.sql",
            f"{{{{ stage_source('{retailer}', '{d.name}') }}}}\n",
        ))
        register_staging_model(project_dir, formats[d.name].entity, staging_model_name(retailer, d.name))
    return written


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _sources_yaml(retailer: str, datasets: list[Dataset], formats: dict[str, Format]) -> str:
    tables = []
    for d in datasets:
        fmt = formats[d.name]
        tables.append({
            "name": d.name,
            "description": f"Raw {d.name} of {retailer}, landed as text by the loader ({fmt.vendor or fmt.name}).",
            "config": {
                "loaded_at_field": "_loaded_at",
                "freshness": FRESHNESS[d.cadence],
                "meta": {"loader": {"format": d.format, "location": d.location, "cadence": d.cadence, **d.options,
                                    **({"transformations": d.transformations} if d.transformations else {})}},
            },
        })
    doc = {"version": 2, "sources": [{
        "name": retailer,
        "description": f"Files delivered by {retailer}, landed by `retail-imports land`.",
        "schema": f"raw_{retailer}",
        "tables": tables,
    }]}
    return "# The source contract of this retailer: the loader lands what meta.loader says.\n" + _dump(doc)


def _models_yaml(retailer: str, datasets: list[Dataset], formats: dict[str, Format]) -> str:
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
                  [{"unique_combination": {"arguments": {"columns": ["_source_file", "_line_number"]}}}]),
                # Line-item formats are reported whole by their validation model.
                *([] if line_items else [{"no_rejected_rows": {"config": {"severity": "warn"}}}]),
                *_row_key_test(fmt),
            ],
            "columns": columns,
        })
    return _dump({"version": 2, "models": models})


def _row_key_test(fmt: Format) -> list[dict]:
    """A format's row_key (what one valid row of a file stands for) is unique per file; warn-level,
    since the marts keep the last such row."""
    if not fmt.extra.get("row_key"):
        return []
    return [{"unique_combination": {
        "arguments": {"columns": ["_source_file", *fmt.extra["row_key"]]},
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
        raise LoaderError(f"--{kind} {flag!r}: expected NAME:... with NAME one of the dataset names")
    steps = target.transformations
    if kind in ("rename", "copy", "new"):
        field_name, equals, value = rest.partition("=")
        if not (field_name and equals and (value or kind == "new")):
            raise LoaderError(f"--{kind} {flag!r}: expected NAME:FIELD=" + ("VALUE" if kind == "new" else "TO"))
        steps.append({kind: field_name, "value": value} if kind == "new" else {kind: field_name, "to": value})
        return
    if kind == "delete":
        steps.append({"delete": rest})
        return
    field_name, sep, value = rest.partition(":")
    if not (field_name and sep and value):
        raise LoaderError(f"--{kind} {flag!r}: expected NAME:FIELD:" + {"map": "FROM=TO,...", "timestamp": "PATTERN",
                                                                      "cast": "TYPE"}[kind])
    step = next((s for s in reversed(steps) if ("rename" in s or "copy" in s) and s["to"] == field_name), None)
    if step is None:
        step = {"rename": field_name, "to": field_name}
        steps.append(step)
    if kind == "map":
        pairs = [p.partition("=") for p in value.split(",")]
        if not all(p[0] and p[1] for p in pairs):
            raise LoaderError(f"--map {flag!r}: expected FROM=TO pairs separated by commas")
        # from the command line every value is text, as CSV fields are
        step.setdefault("values", []).extend({"from": p[0], "to": p[2]} for p in pairs)
    elif kind == "timestamp":
        step["timestamp"] = value
    else:
        if value not in CAST_TYPES:
            raise LoaderError(f"--cast {flag!r}: type {value!r} is not one of {', '.join(CAST_TYPES)}")
        step["cast"] = value


def prompt_datasets(project_dir: Path, retailer: str) -> list[str]:
    """Ask for the datasets (name, format, location) when add-retailer got no --dataset flag."""
    import click

    from .formats import available_formats

    formats = [f for f in available_formats(project_dir)]
    specs = []
    while True:
        name = click.prompt("dataset name (e.g. visits, orders)")
        fmt = click.prompt("format", type=click.Choice(formats))
        location = click.prompt("location of its files", default=f"drop/{retailer}/{retailer}_{name}_*.csv")
        specs.append(f"{name}:{fmt}:{location}")
        if not click.confirm("another dataset?", default=False):
            return specs

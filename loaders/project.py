"""The source contract: which files each retailer source lands, read from dbt.

Every `sources:` table in the project's YAML whose `config.meta.loader` (or
`meta.loader`) block names a format is a landing source. `env_var()` in that
YAML is rendered the way dbt renders it, so one file serves both tools.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import yaml

from .api import KINDS as API_KINDS
from .errors import LoaderError, UsageProblem, did_you_mean
from .formats import Format, YamlLoader, load_format
from .pii import Policy
from .storage import check_inline_secrets, local_folder

SAFE_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")

# How a source's deliveries arrive (meta.loader.source): each kind lists its
# deliveries in discovery.KINDS; every kind lands through the same path.
# `files` (the default) is a location glob on a local folder or a store;
# `event_api`: events POSTed to `retail-imports serve`, spooled in segments (loaders/collector);
# the API kinds (loaders/api/, e.g. egoi_contacts) fetch one delivery per run;
# `bigquery`: tables already in BigQuery (a GA4 export's events_*), read in
# place by dbt: the loader only records each new table in the manifest.
SOURCE_KINDS = ("files", "event_api", "bigquery", *API_KINDS)
# What a kind's deliveries look like, whatever its format's file options say:
# the collector's segments are JSON lines, with refused input marked.
KIND_FILE_OPTIONS = {"event_api": {"layouts": ["json_lines"], "refused_lines": True}}


@dataclass(frozen=True)
class Source:
    retailer: str          # the dbt source name
    dataset: str           # the dbt source table name
    schema: str
    identifier: str
    format: Format
    location: str
    options: dict = field(default_factory=dict)
    declared_in: Path | None = None
    kind: str = "files"    # meta.loader.source: one of SOURCE_KINDS
    database: str | None = None   # the dbt source's database (BigQuery project of a `bigquery` source)
    personal: Policy = field(default_factory=Policy)   # what landing does with its personal data

    @property
    def key(self) -> str:
        return f"{self.retailer}.{self.dataset}"


@dataclass(frozen=True)
class SourceProblem:
    """A source whose meta.loader block is wrong (a literal secret, an unknown format...): it fails alone."""

    retailer: str
    dataset: str
    message: str

    @property
    def key(self) -> str:
        return f"{self.retailer}.{self.dataset}"


def find_project_dir(start: Path | None = None) -> Path:
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "dbt_project.yml").is_file():
            return candidate
    raise UsageProblem(f"no dbt_project.yml in {here} or its parents; pass --project-dir")


def _env_var(name: str, default: str | None = None) -> str:
    if name in os.environ:
        return os.environ[name]
    if default is not None:
        return default
    raise LoaderError(f"environment variable {name} is not set and has no default")


_jinja = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
_jinja.globals["env_var"] = _env_var


def _render(value, path: Path):
    """Render Jinja in YAML values after parsing, as dbt does."""
    if isinstance(value, dict):
        return {k: _render(v, path) for k, v in value.items()}
    if isinstance(value, list):
        return [_render(v, path) for v in value]
    if isinstance(value, str) and ("{{" in value or "{%" in value):
        try:
            return _jinja.from_string(value).render()
        except jinja2.TemplateError as exc:
            raise LoaderError(f"{path}: cannot render {value!r}: {exc}") from None
    return value


def _loader_block(table: dict) -> dict | None:
    config_meta = (table.get("config") or {}).get("meta") or {}
    return config_meta.get("loader") or (table.get("meta") or {}).get("loader")


def load_sources(project_dir: Path, problems: list[SourceProblem] | None = None) -> list[Source]:
    """Every landing source of the project. A wrong source declaration raises LoaderError, or, when a
    `problems` list is given, is added to it so that the other sources can still land."""
    sources: list[Source] = []
    for path in sorted((project_dir / "models").rglob("*.yml")):
        text = path.read_text(encoding="utf-8")
        if not re.search(r"^sources:", text, re.M):
            continue
        try:
            doc = yaml.load(text, Loader=YamlLoader) or {}
        except yaml.YAMLError as exc:
            raise LoaderError(f"{path}: YAML does not parse: {exc}") from None
        for src in doc.get("sources") or []:
            for table in src.get("tables") or []:
                raw = _loader_block(table)
                if not raw:
                    continue
                try:
                    # before rendering: {{ env_var('X') }} is the right way to pass a secret
                    check_inline_secrets(raw, f"{path}: source {src.get('name')}.{table.get('name')}")
                    block = _render(raw, path)
                    if block:
                        sources.append(_to_source(project_dir, path, src, table, block))
                except LoaderError as exc:
                    if problems is None:
                        raise
                    problems.append(SourceProblem(str(src.get("name")), str(table.get("name")), str(exc)))
    _check_unique(sources)
    return sources


def _to_source(project_dir: Path, path: Path, src: dict, table: dict, block: dict) -> Source:
    retailer, dataset = src["name"], table["name"]
    for label, value in (("source name", retailer), ("table name", dataset)):
        if not SAFE_NAME.fullmatch(value):
            raise LoaderError(f"{path}: {label} {value!r} must be lower-case letters, digits and _")
    kind = block.get("source", "files")
    if kind not in SOURCE_KINDS:
        raise LoaderError(f"{path}: source {retailer}.{dataset}: unknown meta.loader.source {kind!r} "
                          f"(known: {', '.join(SOURCE_KINDS)})")
    for key in ("format", "location") if kind == "files" else ("format",):
        if not block.get(key):
            raise LoaderError(f"{path}: source {retailer}.{dataset} meta.loader needs '{key}'")
    if kind in KIND_FILE_OPTIONS:
        block = {**block, "file": {**(block.get("file") or {}), **KIND_FILE_OPTIONS[kind]}}
    if kind in API_KINDS:
        API_KINDS[kind].check(block, f"{path}: source {retailer}.{dataset}")
    fmt = load_format(project_dir, block["format"])
    refusal = fmt.extra.get("no_transformations")
    for key in ("transformations", "casts") if refusal else ():
        if block.get(key):   # castTo is one of the spec's transformations
            raise LoaderError(f"{path}: source {retailer}.{dataset}: meta.loader.{key} is not allowed for format "
                              f"{fmt.name} (vendor spec: \"{refusal}\")")
    location = str(block.get("location") or "")
    if location and "://" not in location and not os.path.isabs(location):
        location = str(project_dir / location)
    where = f"{path}: source {retailer}.{dataset}"
    fmt = fmt.for_source(block, where)
    options = {k: v for k, v in block.items() if k not in {"format", "location", "source"}}
    return Source(
        retailer=retailer,
        dataset=dataset,
        schema=src.get("schema", retailer),
        identifier=table.get("identifier", dataset),
        format=fmt,
        location=location,
        options=options,
        declared_in=path,
        kind=kind,
        database=src.get("database"),
        personal=Policy.for_source(fmt, options, project_dir, where),
    )


def _check_unique(sources: list[Source]) -> None:
    seen: dict[tuple[str, str], Source] = {}
    for s in sources:
        target = (s.schema, s.identifier)
        if target in seen:
            raise LoaderError(
                f"sources {seen[target].key} and {s.key} both land into {s.schema}.{s.identifier}"
            )
        seen[target] = s


def make_delivery_folders(project_dir: Path) -> None:
    """Create the folder of every local file source of the project, as a retailer's first drop
    would: a missing folder fails its source. For a data folder made from nothing (the
    benchmark, tests) that delivers to some sources only; reads RETAIL_DATA_DIR as set."""
    for source in load_sources(project_dir, problems=[]):
        folder = local_folder(source.location) if source.kind == "files" else None
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)


def select_sources(sources: list, selectors: tuple[str, ...], problems: list[SourceProblem] = ()) -> list:
    """`acme` picks every dataset of a retailer, `acme.visits` one source (of `sources`; a name of a
    source in `problems` is known too). A name that is neither is bad usage."""
    if not selectors:
        return sources
    chosen = [s for s in sources if s.key in selectors or s.retailer in selectors]
    everything = [*sources, *problems]
    unknown = [x for x in selectors if not any(x in (s.key, s.retailer) for s in everything)]
    if unknown:
        known = ", ".join(s.key for s in everything) or "none"
        names = {n for s in everything for n in (s.key, s.retailer)}
        raise UsageProblem(f"unknown source {', '.join(unknown)}{did_you_mean(unknown[0], names)} (declared: {known})")
    return chosen

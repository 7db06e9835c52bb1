"""One meta.loader block, read by the loader (Python) and by staging (Jinja), means the same thing.

The loader reads a source's block with `Format.for_source` and checks a
delivered header with `required_columns` (loaders/formats.py,
loaders/required.py); staging reads it with `source_spec`, `staged_columns`
and `field_transformations` (macros/staging, macros/transformations). Two
readers of one contract can drift; this test reads every block of the
project's own sources, and blocks that use each override (columns, defaults,
optional_columns, a per-source column choice, transformations), both ways:
- each column has the same source field, default and required flag;
- the header the loader demands is exactly what staging needs: after the
  source's transformations every required column's field holds a delivered
  value, and dropping any one demanded field leaves one without.
"""

from __future__ import annotations

import json

import pytest
import yaml
from dbt_show import ROOT, dbt_show

from loaders.formats import load_format
from loaders.required import delivered_field, required_columns

CRAFTED = [
    # a retailer's Kevel export with its own names: a column moved, a default, a field made optional,
    # fields renamed and copied before the format reads them
    {"format": "kevel_orders_csv", "columns": {"order_id": {"source": "orderRef"}},
     "defaults": {"currency_code": "EUR"}, "optional_columns": ["refund"],
     "transformations": [{"rename": "Commande", "to": "orderRef"}, {"copy": "montant", "to": "total"},
                         {"new": "discount", "value": "0"}]},
    # Shopify keyed by Id instead of Name, Taxes left out
    {"format": "shopify_orders_csv", "order_id_column": "Id", "optional_columns": ["Taxes"]},
    # CRM users: the id in another field, its type a setting, an e-mail field renamed twice
    {"format": "kevel_users", "columns": {"user_id": {"source": "Email"}},
     "defaults": {"user_id_type": "email", "hash_email": True},
     "transformations": [{"rename": "mail", "to": "courriel"}, {"rename": "courriel", "to": "Email"}]},
    # visits with defaults on columns that have one in the format already, and a field deleted
    {"format": "symbiosys_visits_csv", "defaults": {"platform": "app", "event_type": "click"},
     "transformations": [{"delete": "referrer"}, {"rename": "page", "to": "url"}]},
]


def project_blocks() -> list[dict]:
    """The meta.loader block of every source the project declares (its location left out: not read here)."""
    blocks = []
    for path in sorted((ROOT / "models").rglob("_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source.get("tables") or []:
                config = table.get("config") or {}
                loader = (config.get("meta") or table.get("meta") or {}).get("loader")
                if loader and loader.get("format"):
                    blocks.append({k: v for k, v in loader.items() if k != "location"})
    return blocks


BLOCKS = CRAFTED + project_blocks()


def python_reading(block: dict) -> dict:
    fmt = load_format(ROOT, block["format"]).for_source(block, "parity")
    untransformed = {**block, "transformations": []}
    return {
        "columns": {c.name: {"source": delivered_field(fmt, c, untransformed, "parity"), "default": c.default,
                             "required": c.required} for c in fmt.columns},
        "header": required_columns(fmt, block),
    }


JINJA = """
{%- set cases = fromjson(CASES) -%}
{%- for case in cases %}
{%- set block = case.block -%}
{%- set columns = {} -%}
{%- for c in staged_columns(source_spec(block), block) -%}
    {%- do columns.update({c.name: {'source': c.get('source'), 'default': c.get('default'),
                                    'required': c.get('required', false)}}) -%}
{%- endfor -%}
{%- set steps = block.get('transformations') or [] -%}
{%- set fed = [] -%}
{#- the whole header, then the header without each field in turn -#}
{%- for i in range(case.header | length + 1) -%}
    {%- set delivered = case.header if i == 0 else case.header | reject('equalto', case.header[i - 1]) | list -%}
    {#- the fields staging reads a value from (a field a transformation found no source for is null) -#}
    {%- set names = [] -%}
    {%- for sql, name in field_transformations(steps, delivered, false)['columns'] if 'cast(null as' not in sql -%}
        {%- do names.append(name) -%}
    {%- endfor -%}
    {%- do fed.append(names) -%}
{%- endfor -%}
{%- set reading = {'columns': columns, 'names': fed[0], 'names_without_each': fed[1:]} %}
select {{ loop.index0 }} as n, {{ text_literal(tojson(reading)) }} as reading
{% if not loop.last %}union all{% endif %}
{%- endfor %}
"""


@pytest.fixture(scope="module")
def readings(tmp_path_factory) -> list[tuple[dict, dict, dict]]:
    python = [python_reading(b) for b in BLOCKS]
    cases = json.dumps([{"block": b, "header": p["header"]} for b, p in zip(BLOCKS, python)])
    sql = "{%- set CASES = " + json.dumps(cases) + " -%}" + JINJA
    rows = sorted(dbt_show(sql, tmp_path_factory.mktemp("parity")), key=lambda r: r["n"])
    assert len(rows) == len(BLOCKS)
    return [(b, p, json.loads(r["reading"])) for b, p, r in zip(BLOCKS, python, rows)]


@pytest.mark.dbt
def test_the_project_declares_blocks_to_compare():
    formats = {b["format"] for b in project_blocks()}
    assert len(formats) >= 8, formats


@pytest.mark.dbt
def test_columns_renames_and_defaults_agree(readings):
    for block, python, jinja in readings:
        assert jinja["columns"] == python["columns"], block


@pytest.mark.dbt
def test_the_demanded_header_is_what_staging_reads(readings):
    for block, python, jinja in readings:
        required = {c["source"].lower() for c in jinja["columns"].values() if c["required"] and c["source"]}
        if not python["header"]:
            continue   # headerless or nested formats: nothing demanded of a header
        assert required <= {n.lower() for n in jinja["names"]}, block
        for dropped, names in zip(python["header"], jinja["names_without_each"]):
            assert not required <= {n.lower() for n in names}, (block, dropped)

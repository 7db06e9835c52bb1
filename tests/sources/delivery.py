"""Helpers of the source tests: declaring remote sources, and one retailer's delivery to serve from every backend."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import zipfile
from pathlib import Path

import yaml

def declare(mini, retailer: str, tables: dict[str, dict]) -> None:
    """tables: dataset -> the meta.loader block (format, location, options), written as YAML."""
    doc = {"version": 2, "sources": [{
        "name": retailer, "schema": f"raw_{retailer}",
        "tables": [{"name": name, "config": {"meta": {"loader": block}}} for name, block in tables.items()],
    }]}
    (mini.root / "models" / f"_{retailer}__sources.yml").write_text(yaml.safe_dump(doc, sort_keys=False))


# -- the delivery every backend serves: plain, gzip and zip files of one retailer -------------------------------
HEADER = "event_id,event_time,visitor_id,url"


def _csv(rows: list[str]) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def delivery_units(day2_rows: int = 2) -> dict[str, bytes]:
    """What lands: unit name (relative to the visits folder) -> content."""
    return {
        "acme_visits_20240601.csv": _csv([
            "e1,2024-06-01T10:00:00Z,v1,https://x.example/café",
            "e2,2024-06-01T10:01:00Z,v2",                               # one field short: rejected
            'e3,2024-06-01T10:02:00Z,v3,"https://x.example/a,b"',
        ]),
        "acme_visits_20240602.csv.gz": _csv([f"f{i},2024-06-02T09:00:00Z,w{i},https://x.example/{i}"
                                             for i in range(day2_rows)]),
        "acme_visits_20240603.zip/acme_visits_20240603.csv": _csv(["g1,2024-06-03T08:00:00Z,u1,https://x.example/ü"]),
        "acme_visits_20240603.zip/late/acme_visits_20240604.csv": _csv([
            "h1,2024-06-04T08:00:00Z,u2,https://x.example/h1",
            "h2,2024-06-04T08:00:01Z,u3,https://x.example/h2",
        ]),
    }


def delivery_files(units: dict[str, bytes]) -> dict[str, bytes]:
    """The files as delivered: units packed by their names."""
    files, archives = {}, {}
    for name, content in units.items():
        if ".zip/" in name:
            archive, member = name.split(".zip/", 1)
            archives.setdefault(archive + ".zip", []).append((member, content))
        elif name.endswith(".gz"):
            files[name] = gzip.compress(content, mtime=0)
        else:
            files[name] = content
    for archive, members in archives.items():
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for member, content in members:
                zf.writestr(member, content)
        files[archive] = buffer.getvalue()
    return files


def write_delivery(folder: Path, units: dict[str, bytes]) -> None:
    for name, data in delivery_files(units).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)


def expected_rows(units: dict[str, bytes]) -> list[tuple]:
    """(unit, line, event_id, url) of every well-formed record, read with Python's csv module."""
    rows = []
    for name, content in units.items():
        reader = csv.reader(io.StringIO(content.decode("utf-8"), newline=""))
        width = len(next(reader))
        for row in reader:
            if len(row) == width:
                rows.append((name, reader.line_num, row[0], row[3]))
    return sorted(rows)


def expected_checksums(units: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(content).hexdigest() for name, content in units.items()}


def landed(mini, table: str, prefix: str) -> list[tuple]:
    """The raw rows of a table as (unit, line, event_id, url), unit named relative to the delivery folder."""
    rows = mini.query(f"select _source_file, _line_number, event_id, url from {table}")
    return sorted((_relative(name, prefix), line, event, url) for name, line, event, url in rows)


def manifest(mini, dataset: str, prefix: str) -> dict[str, tuple]:
    rows = mini.query("select file_name, checksum, status, rows_read, rows_landed, rows_rejected, load_id "
                      "from loader.files where dataset = ?", [dataset])
    return {_relative(name, prefix): tuple(rest) for name, *rest in rows}


def _relative(name: str, prefix: str) -> str:
    assert name.startswith(prefix), (name, prefix)
    return name[len(prefix):].lstrip("/")

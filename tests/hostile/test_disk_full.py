"""Issue 25.12: a full disk stops the run with "no space left on device" and the path, exit 1, and the
warehouse stays whole; once there is space again the next run lands everything.

The disk is real: a small tmpfs mounted in a private mount namespace (`unshare --mount`, as root, or
with a user namespace otherwise), holding the warehouse in one case and $TMPDIR in the other.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys

import duckdb
import pytest

from conftest import ROOT, MiniProject

from .corpus import V, rows

SMALL_ROWS, LARGE_ROWS = 3, 200_000


def _namespace() -> list[str]:
    """The unshare command that lets this process mount a tmpfs of its own, or skip."""
    if not shutil.which("unshare"):
        pytest.skip("unshare(1) is not installed")
    for prefix in (["unshare", "--mount"], ["unshare", "--user", "--map-root-user", "--mount"]):
        probe = subprocess.run([*prefix, "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt && echo mounted"],
                               capture_output=True, text=True)
        if probe.stdout.strip() == "mounted":
            return prefix
    pytest.skip("no mount namespace with tmpfs here (needs root or unprivileged user namespaces)")


def _consistent(path) -> dict[str, tuple[str, int]]:
    """Files whose rows are in raw, per the manifest, and raw agreeing with it (status, rows)."""
    with duckdb.connect(str(path), read_only=True) as con:
        manifest = {name: (status, n) for name, status, n in con.execute(
            "select file_name, status, rows_landed from loader.files where status in ('landed', 'numbering')"
        ).fetchall()}
        raw = dict(con.execute("select _source_file, count(*) from raw_shop.visits group by 1").fetchall())
    assert raw == {name: n for name, (_, n) in manifest.items() if n}, (raw, manifest)
    return manifest


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    prefix = _namespace()
    tmp = tmp_path_factory.mktemp("full")
    project = MiniProject(tmp / "project")
    project.declare("shop", {"visits": ("symbiosys_visits_csv", "shop_visits_*")})
    project.write("shop_visits_20240601.csv", V + rows(SMALL_ROWS))
    project.write("shop_visits_20240602.csv", V + rows(LARGE_ROWS, start=1000))
    project.write("shop_visits_20240603.csv.gz", gzip.compress((V + rows(LARGE_ROWS, start=900_000)).encode()))
    small, out = tmp / "small", tmp / "out"
    small.mkdir()
    out.mkdir()
    cli = f"{sys.executable} -m loaders"
    script = f"""
        cd {project.root}
        mount -t tmpfs -o size=6m tmpfs {small}
        # 1. the warehouse's disk fills while the large file lands
        {cli} --warehouse {small}/w.duckdb land shop >{out}/1.out 2>{out}/1.err; echo $? >{out}/1.code
        cp {small}/w.duckdb* {out}/ 2>/dev/null; mkdir {out}/after-full; cp {small}/w.duckdb* {out}/after-full/
        # 2. space again: the next run lands what is missing
        mount -o remount,size=512m {small}
        {cli} --warehouse {small}/w.duckdb land shop >{out}/2.out 2>{out}/2.err; echo $? >{out}/2.code
        mkdir {out}/after-rerun; cp {small}/w.duckdb* {out}/after-rerun/
        # 3. $TMPDIR fills while a gzip file unpacks there (the warehouse has room)
        umount {small}; mount -t tmpfs -o size=2m tmpfs {small}
        TMPDIR={small} {cli} --warehouse {tmp}/w3.duckdb land shop >{out}/3.out 2>{out}/3.err; echo $? >{out}/3.code
        ls -a {small} >{out}/3.tmp
    """
    done = subprocess.run([*prefix, "sh", "-c", script], capture_output=True, text=True, timeout=900,
                          env={"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "PYTHONPATH": str(ROOT), "DO_NOT_TRACK": "1",
                               "HOME": str(tmp)})
    assert done.returncode == 0, done.stderr

    def read(name: str) -> str:
        return (out / name).read_text()

    return project, small, out, tmp, read


def test_a_full_warehouse_disk_is_named_and_the_run_stops(full):
    project, small, out, _, read = full
    assert read("1.code").strip() == "1"
    err = read("1.err")
    assert f"error: no space left on device writing {small}/w.duckdb" in err, err
    assert "shop_visits_20240602.csv: that file was rolled back" in err
    assert "internal error" not in err and "Traceback" not in err


def test_the_warehouse_stays_whole_and_the_next_run_completes_it(full):
    project, _, out, _, read = full
    before = _consistent(out / "after-full" / "w.duckdb")
    assert before.get("drop/shop_visits_20240601.csv") == ("landed", SMALL_ROWS)
    assert read("2.code").strip() == "0", read("2.err")
    after = _consistent(out / "after-rerun" / "w.duckdb")
    assert {name: rows for name, (_, rows) in after.items()} == {
        "drop/shop_visits_20240601.csv": SMALL_ROWS, "drop/shop_visits_20240602.csv": LARGE_ROWS,
        "drop/shop_visits_20240603.csv.gz": LARGE_ROWS}
    assert {status for status, _ in after.values()} == {"landed"}


def test_a_full_temporary_folder_is_named_and_lands_nothing_of_that_file(full):
    project, small, out, tmp, read = full
    assert read("3.code").strip() == "1"
    err = read("3.err")
    assert f"error: no space left on device writing {small}/retail-imports-" in err, err
    assert "shop_visits_20240603.csv.gz: that file was rolled back" in err
    assert "gzip data is damaged" not in err and "Traceback" not in err
    landed = _consistent(tmp / "w3.duckdb")
    assert set(landed) == {"drop/shop_visits_20240601.csv", "drop/shop_visits_20240602.csv"}
    assert read("3.tmp").split() == [".", ".."]   # its private folder went with the run

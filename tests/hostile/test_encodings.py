"""Issues 25.4 and 22.5: `encoding: auto` picks the code page that reads the text as written, or says it is unsure.

Real Western-European files (the cp1252 spreadsheet export, French Shopify
orders and Portuguese reviews written out in cp1252 and latin-1) and
Central-European text built here (Czech, Polish, Hungarian in cp1250 and
ISO-8859-2) land through the CLI in one run; each landed value is compared
with the test's own reading of the file in its true encoding.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from conftest import REALDATA, MiniProject

ESHOP = REALDATA / "eshop-clothing-derived-cp1252" / "e-shop clothing 2008.csv"
RIEKER = REALDATA / "shopify-realstore-rieker-ca" / "orders_export_1.csv"
OLIST = REALDATA / "olist-brazilian-ecommerce" / "olist_order_reviews_dataset.csv"

# Sixty names as a Western-European customer file holds them (issue 22.5's case).
WESTERN_NAMES = """Crème Brûlée;Ação Social;François Dupré;João Conceição;Jürgen Müller;Søren Kierkegaard;Zoë Saldaña;
Björn Ångström;Iñaki Núñez;Begoña Ibáñez;Renée Lefèvre;Chloé Bézier;Maëlle Hénaut;Noël Gaëtan;Hélène Cœur;
José Gonçalves;Inês Guimarães;Estêvão Simões;Sebastião Lourenço;Conceição Brandão;Günther Größe;
Käthe Schäfer;Björk Guðmundsdóttir;Þór Ólafsson;Ærø Kølbæk;Ñoño Peña;Señora Muñoz;Raúl Martín;Álvaro Pérez;
Mónica Gómez;Cécile Ménard;Thérèse Lemaître;Benoît Fournié;Gérard Dépardieu;Anaïs Nin;Loïc Hervé;
Françoise Sagan;Agnès Varda;Jérôme Bosch;Frédéric Chopin;Ludmilla Dvořák;Wojciech Łukasz;Paulo Tôrres;
Antônio Araújo;Lúcia Fábregas;Marí Ibañez;Sørina Løkke;Øystein Grønlie;Åsa Lindström;Märta Fröding;
Günter Eichhörnchen;Rüdiger Öztürk;Ángela Núñez;Íñigo Ríos;Úrsula Fernández;Ëloïse Vérité;Bénédicte Aubé;
Maître Corbeau;Pâté Forestière;Garçon Boucher""".replace("\n", "").split(";")
WESTERN_NAMES = [n for n in WESTERN_NAMES if not any(c in n for c in "řŁ")]   # cp1252 has no ř, Ł

CZECH = """produkt,město,poznámka
Příliš žluťoučký kůň,Brno,úpěl ďábelské ódy
Čokoláda hořká 70 %,České Budějovice,dodání do pátku
Dřevěná židle,Ústí nad Labem,barva ořech
Košile s dlouhým rukávem,Plzeň,velikost střední
Šťavnatá hruška,Hradec Králové,sklizeň září
"""
POLISH = """produkt,miasto,uwagi
Zażółć gęślą jaźń,Łódź,dostawa w środę
Żółta sukienka,Kraków,rozmiar średni
Krzesło dębowe,Wrocław,kolor orzechowy
Świeże jabłka,Gdańsk,zbiór we wrześniu
Ciepły sweter,Częstochowa,wełna z owiec
"""
HUNGARIAN = """termék,város,megjegyzés
Árvíztűrő tükörfúrógép,Győr,szállítás pénteken
Őszibarack befőtt,Kőszeg,üveges kiszerelés
Gyümölcsös sütemény,Pécs,friss áru
Szőrme kabát,Debrecen,méret közepes
"""
FRENCH = """produit,ville,note
Crème brûlée,Genève,dessert préféré
Pâté de campagne,Besançon,entrée à partager
Bœuf bourguignon,Mâcon,plat mijoté
Tarte aux pêches,Nîmes,fruits d'été
"""
GERMAN = """Produkt,Stadt,Hinweis
Grüner Tee,München,Größe groß
Käsespätzle,Köln,frisch gekocht
Süßer Apfelstrudel,Düsseldorf,für Gäste
"""


def _records_csv(path: Path, encoding: str, keep=lambda row: True) -> str:
    """A real file's records, written again as CSV text (only those `keep` accepts)."""
    with open(path, encoding=encoding, newline="") as handle:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for number, row in enumerate(csv.reader(handle)):
            if number == 0 or keep(row):
                writer.writerow(row)
    return out.getvalue()


def _cp1252_only(row: list[str]) -> bool:
    try:
        "".join(row).encode("cp1252")
        return True
    except UnicodeEncodeError:
        return False


# name -> (bytes as delivered, the true encoding, the code page the manifest may name)
def _samples() -> dict[str, tuple[bytes, str, tuple[str, ...]]]:
    names = "name\n" + "\n".join(WESTERN_NAMES) + "\n"
    return {
        "eshop": (ESHOP.read_bytes(), "cp1252", ("cp1252", "cp1250")),   # one en dash: both read it alike
        "rieker_cp1252": (RIEKER.read_text(encoding="utf-8").encode("cp1252"), "cp1252", ("cp1252",)),
        "olist_cp1252": (_records_csv(OLIST, "utf-8", _cp1252_only).encode("cp1252"), "cp1252", ("cp1252",)),
        "olist_latin1": (_records_csv(OLIST, "utf-8", lambda r: all(ord(c) < 256 for c in "".join(r)))
                         .encode("latin-1"), "latin-1", ("cp1252", "iso8859-1")),
        "names_cp1252": (names.encode("cp1252"), "cp1252", ("cp1252",)),
        "french_latin1": (FRENCH.replace("œ", "oe").encode("latin-1"), "latin-1", ("cp1252", "iso8859-1")),
        "german_cp1252": (GERMAN.encode("cp1252"), "cp1252", ("cp1252",)),
        "czech_cp1250": (CZECH.encode("cp1250"), "cp1250", ("cp1250",)),
        "czech_iso88592": (CZECH.encode("iso8859-2"), "iso8859-2", ("iso8859-2",)),
        "polish_cp1250": (POLISH.encode("cp1250"), "cp1250", ("cp1250",)),
        "hungarian_cp1250": (HUNGARIAN.encode("cp1250"), "cp1250", ("cp1250",)),
    }


# A name so short no detector can know: one letter, cp1250's ň, which cp1252 reads as ò.
UNSURE = "city\nPlzeň\n".encode("cp1250")
# Code pages of older point-of-sale and desktop exports, which chardetng does not propose.
LEGACY = {"rieker_cp850": "cp850", "rieker_macroman": "mac-roman"}


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    project = MiniProject(tmp_path_factory.mktemp("encodings") / "project")
    samples = _samples()
    lines = ["version: 2", "sources:"]
    legacy = {name: (RIEKER.read_text(encoding="utf-8").encode(codec, errors="replace"), codec, (codec,))
              for name, codec in LEGACY.items()}
    for name, (content, _, _) in {**samples, **legacy, "unsure": (UNSURE, None, None)}.items():
        folder = project.data / name
        folder.mkdir()
        (folder / f"{name}.csv").write_bytes(content)
        lines += [f"  - name: {name}", f"    schema: raw_{name}", "    tables:", "      - name: rows",
                  "        config:", "          meta:", "            loader:", "              format: generic_csv",
                  f"              location: \"{folder}/*.csv\"", "              encoding: auto"]
    (project.root / "models" / "_encodings__sources.yml").write_text("\n".join(lines) + "\n")
    return project, {**samples, **legacy}, project.cli("land")


def test_every_sample_lands(landed):
    project, samples, result = landed
    assert result.code == 0, result.err
    assert project.query("select count(*) from loader.files where status = 'landed'") == [(len(samples) + 1,)]


def _landed_text(project, name: str, content: bytes, true_encoding: str) -> None:
    """Every landed value equals the test's own reading of the file in its true encoding."""
    expected = list(csv.reader(io.StringIO(content.decode(true_encoding), newline="")))
    header, rows = expected[0], [r for r in expected[1:] if r]
    columns = [r[0] for r in project.query(
        "select column_name from information_schema.columns where table_schema = ? and not starts_with(column_name, "
        "'_') order by ordinal_position", [f"raw_{name}"])]
    assert len(columns) == len(header)
    select = ", ".join(f'"{c}"' for c in columns)
    got = project.query(f"select {select} from raw_{name}.rows order by _line_number")
    assert [tuple(v or None for v in r) for r in rows] == got
    assert project.query("select count(*) from loader.rejects where retailer = ?", [name]) == [(0,)]


@pytest.mark.parametrize("name", list(_samples()))
def test_text_lands_as_written(landed, name):
    project, samples, result = landed
    content, true_encoding, named = samples[name]
    ((encoding, message),) = project.query("select encoding, message from loader.files where retailer = ?", [name])
    assert encoding in named, (encoding, message)
    assert "uncertain" not in (message or ""), message
    _landed_text(project, name, content, true_encoding)
    assert f"landed drop/{name}/{name}.csv" in result.err and "auto-detected" in result.err


@pytest.mark.parametrize("name", list(LEGACY))
def test_dos_and_mac_exports_land_as_written_and_say_the_guess_is_theirs_alone(landed, name):
    project, samples, result = landed
    content, true_encoding, _ = samples[name]
    ((encoding, message),) = project.query("select encoding, message from loader.files where retailer = ?", [name])
    assert encoding == true_encoding
    assert "uncertain" in message and "'François'" in message   # chardetng cannot name these code pages
    _landed_text(project, name, content, true_encoding)


def test_the_sixty_names_of_issue_22_are_all_intact(landed):
    project, _, _ = landed
    assert [r[0] for r in project.query("select name from raw_names_cp1252.rows order by _line_number")] \
        == WESTERN_NAMES
    assert len(WESTERN_NAMES) >= 55


def test_an_uncertain_guess_is_said_in_the_output_and_the_manifest(landed):
    project, _, result = landed
    ((encoding, message),) = project.query("select encoding, message from loader.files where retailer = 'unsure'")
    assert encoding == "cp1252"   # the common code page wins a tie...
    assert "auto-detected but uncertain" in message and "'Plzeň'" in message and "(line 2)" in message
    assert "uncertain encoding drop/unsure/unsure.csv: decoded as cp1252" in result.err   # ...and says so
    shown = project.cli("status", "--files")
    assert "uncertain" in shown.out


def test_an_uncertain_guess_is_a_warning_of_the_import_report():
    from loaders.importer import FileOutcome, ImportSummary
    from loaders.report import _file_issues

    summary = ImportSummary(outcomes=[FileOutcome("unsure.rows", "drop/unsure.csv", "landed", 1, 1, 0,
                                                  encoding="cp1252", detected=True, doubt="read as cp1250 ...")])
    (issue,) = _file_issues(summary)
    assert issue.level == "warning" and "auto-detected but uncertain" in issue.problem


def test_detection_on_short_texts():
    """The guess itself, on texts too short for letter statistics alone."""
    from loaders.encodings import guess

    for text, encoding in (("naïve,café\n", "cp1252"), ("Ação,maçã\n", "cp1252"), ("Łódź,Gdańsk\n", "cp1250"),
                           ("Ķekava,Rīga,Jūrmala,Līgatne\n", "cp1257"), ("Привет,Москва\n", "cp1251")):
        found = guess(text.encode(encoding))
        assert found.encoding == encoding, (text, found)
    assert guess("naïve\n".encode("cp1252")).uncertain   # chardetng reads ISO-8859-4 here; cp1252 wins, unsure

"""The hostile-input corpus (tests/data/bad/, described in its README.md): every importer and
`milbal validate` refuse each file with a message naming the file, and the line and column
where the problem has one; never a traceback, nothing stored in the data folder, and the file's
bytes and mtime unchanged.

CORPUS lists every (file, command) pair with the place and the rule expected. A command is
`validate:<table>` (`milbal validate --table <table> FILE`), an importer kind (`import_path`
into a temporary data folder), or `cdb90:<member>` (the file stands as that member of an
otherwise valid CDB90 folder, linked, not copied, so the file itself is what is checked).
Files too big or too binary to commit (a 2,000-column CSV, a line of 200,000 characters,
workbooks, a zip bomb) are built into tmp_path from GENERATED.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from dashboard.cli import main
from validation import catalog
from validation.catalog import display_path
from validation.importers.base import ImportRefused
from validation.importers.store import import_path

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
KINDS = ("gmi", "gfp", "sipri", "wdi", "nmc", "cdb90")
CSV_READERS = ("gmi", "nmc", "wdi", "gfp", "validate:manpower", "cdb90:battles.csv")

# A valid CDB90 folder of two battles: a corpus file replaces one member at a time.
CDB90_BASE = {
    "battles.csv": "isqno,war,name,post1,wina,parent\n1,WAR A,NIEUPORT,HD,-1,\n"
    "2,WAR B,WHITE MOUNTAIN,HD,1,\n",
    "belligerents.csv": "isqno,attacker,str,cas\n1,0,11300,1000\n1,1,11500,4000\n"
    "2,0,21000,5000\n2,1,40000,400\n",
    "terrain.csv": "isqno,terrano,terra1\n1,1,R\n2,1,R\n",
    "src-data/CDB90-patched.csv": "ISQNO,WAR,NAME,ATPBYR1,POST1,TERRA1,STRA,STRD,CASA,CASD,WINA\n"
    "1,WAR A,NIEUPORT,1600,HD,RBD,11500,11300,4000,1000,-1\n"
    "2,WAR B,WHITE MOUNTAIN,1620,HD,RM0,40000,21000,400,5000,1\n",
}
WIDE = "cdb90:src-data/CDB90-patched.csv"


@dataclass(frozen=True)
class Case:
    """One file fed to one command: where the message must point and what it must say."""

    file: str
    target: str
    line: int | None
    column: str | None
    rule: str

    @property
    def id(self) -> str:
        return f"{self.file}->{self.target}"


def each(file: str, targets, line, column, rule) -> list[Case]:
    return [Case(file, t, line, column, rule) for t in targets]


CORPUS: list[Case] = [
    # --- not CSV text at all: every CSV reader
    *each("binary_junk.csv", CSV_READERS, 1, None, "binary data, not CSV text"),
    *each("utf16.csv", CSV_READERS, 1, None, "UTF-16 text, not CSV text: save the file as UTF-8"),
    *each("nul_bytes.csv", CSV_READERS, 3, None, "binary data, not CSV text"),
    *each("png_image.csv", CSV_READERS, 1, None, "a PNG image, not CSV text"),
    *each("pdf_document.csv", CSV_READERS, 1, None, "a PDF document, not CSV text"),
    *each(
        "workbook_named.csv",
        ("gmi", "nmc", "wdi", "validate:manpower", "cdb90:battles.csv"),
        1,
        None,
        "a zip archive (an .xlsx workbook?), not CSV text",
    ),
    Case("workbook_named.csv", "gfp", 2, "Military Strength", "no header row"),
    *each("csv_named.xlsx", ("gfp", "sipri"), None, None, "the file holds text (a CSV file?)"),
    # --- milbal validate: our tidy tables
    Case("manpower_header_only.csv", "validate:manpower", 2, None, "no data rows"),
    Case("manpower_no_header.csv", "validate:manpower", 1, "country", "missing column"),
    Case(
        "manpower_duplicate_header.csv",
        "validate:manpower",
        1,
        "value",
        "column appears twice in the header",
    ),
    Case("manpower_truncated.csv", "validate:manpower", 5, None, "expected 9 fields"),
    Case("manpower_unterminated_quote.csv", "validate:manpower", 3, None, "never closed"),
    Case("manpower_formula.csv", "validate:manpower", 2, "value", "not a finite number"),
    Case("manpower_formula.csv", "validate:manpower", 3, "low", "not a finite number"),
    Case("manpower_formula.csv", "validate:manpower", 4, "country", "three-letter ISO code"),
    Case("manpower_thousands.csv", "validate:manpower", 4, "value", "not a finite number"),
    Case("manpower_tab.tsv", "validate:manpower", 1, None, "wrong delimiter"),
    Case("countries_script.csv", "validate:countries", 3, "iso3", "three-letter ISO code"),
    Case("events_date_out_of_range.csv", "validate:events", 2, "date", "date out of range"),
    Case("events_date_out_of_range.csv", "validate:events", 3, "date", "date out of range"),
    Case("spending_inf_nan.csv", "validate:spending", 2, "value", "not a finite number"),
    Case("spending_inf_nan.csv", "validate:spending", 3, "value", "not a finite number"),
    # --- gmi
    Case("gmi_semicolon.csv", "gmi", 1, None, "wrong delimiter: the header is split by semi"),
    Case("gmi_truncated.csv", "gmi", 4, None, "is the file truncated?"),
    Case("gmi_extra_fields.csv", "gmi", 3, None, "expected 9 fields"),
    Case("gmi_header_only.csv", "gmi", 2, None, "no data rows below the header"),
    Case("gmi_duplicate_header.csv", "gmi", 1, "year", "column appears twice"),
    Case("gmi_no_header.csv", "gmi", 1, "iso3", "missing column"),
    Case("gmi_inf_nan.csv", "gmi", 2, "gmi_score", "not a finite number"),
    Case("gmi_inf_nan.csv", "gmi", 3, "milex_indicator", "not a finite number"),
    Case("gmi_formula.csv", "gmi", 2, "gmi_rank", "not a whole number"),
    Case("gmi_formula.csv", "gmi", 3, "name", "a spreadsheet formula"),
    Case("gmi_script_name.csv", "gmi", 3, "name", "HTML markup, not a name"),
    Case("gmi_thousands.csv", "gmi", 2, "gmi_score", "not a finite number"),
    Case("gmi_year_out_of_range.csv", "gmi", 3, "year", "must be >= 1990"),
    Case("gmi_year_out_of_range.csv", "gmi", 4, "year", "must be <= 2100"),
    Case("gmi_quoted_newline.csv", "gmi", 2, "name", "a control character"),
    Case("gmi_quoted_newline.csv", "gmi", 5, "gmi_score", "not a finite number"),
    Case("gmi_unterminated_quote.csv", "gmi", 3, None, "never closed (unterminated quote)"),
    # --- nmc
    Case("nmc_tab.csv", "nmc", 1, None, "wrong delimiter: the header is split by tabs"),
    Case("nmc_negative.csv", "nmc", 2, "milper", "must be >= 0"),
    Case("nmc_negative.csv", "nmc", 3, "milex", "must be >= 0"),
    Case("nmc_inf_nan.csv", "nmc", 2, "cinc", "not a finite number"),
    Case("nmc_inf_nan.csv", "nmc", 3, "cinc", "not a finite number"),
    Case("nmc_year_out_of_range.csv", "nmc", 3, "year", "must be <= 2100"),
    Case("nmc_formula.csv", "nmc", 2, "stateabb", "a spreadsheet formula"),
    Case("nmc_formula.csv", "nmc", 3, "ccode", "not a whole number"),
    Case("nmc_missing_column.csv", "nmc", 1, "cinc", "missing column"),
    # --- wdi
    Case("wdi_formula.csv", "wdi", 2, "Entity", "a spreadsheet formula"),
    Case("wdi_formula.csv", "wdi", 3, "Armed forces personnel, total", "not a finite number"),
    Case("wdi_script.csv", "wdi", 3, "Entity", "HTML markup, not a name"),
    Case("wdi_year_out_of_range.csv", "wdi", 2, "Year", "must be >= 1800"),
    Case("wdi_negative.csv", "wdi", 2, "Armed forces personnel, total", "must not be negative"),
    Case("wdi_extra_fields.csv", "wdi", 3, None, "expected 4 fields"),
    Case("wdi_pipe.csv", "wdi", 1, None, "wrong delimiter: the header is split by pipes"),
    # --- gfp
    Case("gfp2025_negative.csv", "gfp", 2, "tanks", "must be >= 0"),
    Case("gfp2025_thousands.csv", "gfp", 3, "tanks", "not a whole number"),
    Case("gfp2018_script.csv", "gfp", 3, "Country", "HTML markup, not a name"),
    Case("gfp2025_formula.csv", "gfp", 2, "country", "a spreadsheet formula"),
    Case("gfp2025_formula.csv", "gfp", 3, "tanks", "not a whole number"),
    Case("gfp_unknown_shape.csv", "gfp", 1, "Country", "not a GFP table in a known shape"),
    Case("gfp2025_truncated.csv", "gfp", 3, None, "is the file truncated?"),
    Case("gfp2025_inf.csv", "gfp", 2, "rank", "not a whole number"),
    Case("gfp2025_inf.csv", "gfp", 3, "fighter_aircraft", "not a whole number"),
    # --- cdb90
    Case("cdb90_wide_truncated.csv", WIDE, 3, "POST1", "is the file truncated?"),
    Case("cdb90_wide_year_out_of_range.csv", WIDE, 2, "ATPBYR1", "must be >= 1000"),
    Case("cdb90_battles_script.csv", "cdb90:battles.csv", 3, "name", "HTML markup"),
    Case("cdb90_belligerents_negative.csv", "cdb90:belligerents.csv", 4, "str", "must be >= 0"),
    Case("cdb90_terrain_duplicate_header.csv", "cdb90:terrain.csv", 1, "terrano", "twice"),
    Case("cdb90_missing_files", "cdb90", None, None, "file not found; a CDB90 folder holds"),
]


# ------------------------------------------------------------------------- generated files


def _long_line(header: str, row_start: str, row_end: str) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        path.write_text(f"{header}\n{row_start}{'x' * 200_000}{row_end}\n", encoding="utf-8")

    return build


def _wide_csv(path: Path) -> None:
    names = ["iso3", "name", "region", "year", *(f"c{i}" for i in range(1996))]
    path.write_text(",".join(names) + "\n" + ",".join("1" for _ in names) + "\n")


def _workbook(sheets: dict[str, list[list[object]]]) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        book = openpyxl.Workbook()
        book.remove(book.active)
        for name, rows in sheets.items():
            sheet = book.create_sheet(name)
            for row in rows:
                sheet.append(row)
        book.save(path)

    return build


def _sipri(country: str = "Armenia", value: object = 634) -> dict[str, list[list[object]]]:
    """A SIPRI workbook of both sheets every edition has; one cell of Current US$ set."""
    return {
        "Current US$": [
            ["Military expenditure by country, current US$ m   © SIPRI 2021"],
            [],
            ["Country", "Notes", 2019, 2020],
            ["Azerbaijan", None, 1854.2, 2237.8],
            [country, None, 645.1, value],
        ],
        "Share of GDP": [
            ["Military expenditure by country as percentage of GDP   © SIPRI 2021"],
            [],
            ["Country", "Notes", 2019, 2020],
            ["Azerbaijan", None, 0.038, 0.054],
            ["Armenia", None, 0.047, 0.049],
        ],
    }


def _zip_bomb(path: Path) -> None:
    """An .xlsx-shaped zip whose sheet inflates to 64 MB from a few dozen KB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            block = b" " * (1024 * 1024)
            for _ in range(64):
                member.write(block)


GENERATED: dict[str, Callable[[Path], None]] = {
    "wide_2000_columns.csv": _wide_csv,
    "long_line_gmi.csv": _long_line(
        "iso3,name,region,year,gmi_score,milex_indicator,personnel_indicator,weapons_indicator,"
        "gmi_rank\nAZE,Azerbaijan,Eastern Europe,2019,190.5,2.2,0.9,2.0,1",
        "ARM,",
        ",Eastern Europe,2019,185.25,2.1,1.3,1.9,2",
    ),
    "long_line_manpower.csv": _long_line(
        "country,year,measure,value,low,high,qualifier,source_id,note",
        "AZE,2018,active,67000,,,exact,gfp-2018-csv,",
        "",
    ),
    "wrong_sheet.xlsx": _workbook({"Sheet1": [["Country", 2020], ["Armenia", 1]]}),
    "zip_bomb.xlsx": _zip_bomb,
    "sipri_script.xlsx": _workbook(_sipri(country="<script>alert(1)</script>")),
    "sipri_negative.xlsx": _workbook(_sipri(value=-634)),
    "sipri_inf.xlsx": _workbook(_sipri(value="inf")),
    "gfp2020_wide.xlsx": _workbook(
        {
            "data": [
                ["2020 ranking"],
                ["Military Strength", "Military Strength Power Index"]
                + [f"c{i}" for i in range(1998)],
                ["Azerbaijan", 0.9463],
            ]
        }
    ),
}

CORPUS += [
    *each("wide_2000_columns.csv", CSV_READERS, 1, None, "too many columns"),
    Case("long_line_gmi.csv", "gmi", 3, None, "field larger than field limit"),
    Case("long_line_manpower.csv", "validate:manpower", 2, None, "field larger than field limit"),
    *each("wrong_sheet.xlsx", ("sipri", "gfp"), None, None, "sheet not found; the workbook has"),
    *each("zip_bomb.xlsx", ("sipri", "gfp"), None, None, "refused unopened"),
    Case("sipri_script.xlsx", "sipri", 5, "Country", "HTML markup, not a name"),
    Case("sipri_negative.xlsx", "sipri", 5, "2020", "must be >= 0"),
    Case("sipri_inf.xlsx", "sipri", 5, "2020", "not a finite number"),
    Case("gfp2020_wide.xlsx", "gfp", 2, None, "too many columns"),
]
# The sheet a workbook's message names, beside the file: file.xlsx[Sheet]:row.
SHEET = {"sipri": "Current US$", "gfp": "data"}


# ---------------------------------------------------------------------------------- helpers


def fingerprint(path: Path) -> tuple[str, int]:
    """sha256 and mtime (ns) of a file, or of every file of a folder."""
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    digest = hashlib.sha256()
    newest = 0
    for file in files:
        digest.update(file.read_bytes())
        newest = max(newest, file.stat().st_mtime_ns)
    return digest.hexdigest(), newest


@pytest.fixture(scope="module")
def embedded_once():
    """The embedded tables read once: `milbal validate` reads them on every call, and only the
    corpus file is under test here."""
    frames, issues = catalog.load_directory(catalog.datasets_dir())
    return frames, issues


@pytest.fixture(autouse=True)
def quick_validate(embedded_once, monkeypatch):
    monkeypatch.setattr(catalog, "load_directory", lambda directory: embedded_once)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("generated-bad")
    for name, build in GENERATED.items():
        build(folder / name)
    return folder


def source_of(case: Case, generated: Path) -> Path:
    return generated / case.file if case.file in GENERATED else BAD / case.file


def cdb90_folder(tmp_path: Path, member: str, source: Path) -> Path:
    """A valid CDB90 folder in which `member` is a link to the corpus file."""
    folder = tmp_path / "cdb90"
    for name, text in CDB90_BASE.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if name == member:
            target.symlink_to(source)
        else:
            target.write_text(text, encoding="utf-8")
    return folder


def run(case: Case, source: Path, tmp_path: Path, data_dir: Path) -> tuple[str, str]:
    """(the message, the label it must name the file by): a refusal, never anything else."""
    if case.target.startswith("validate:"):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["validate", "--table", case.target.split(":", 1)[1], str(source)])
        assert code == 1, out.getvalue() + err.getvalue()
        message = err.getvalue() + out.getvalue()
        assert message.rstrip().splitlines()[-1].endswith(("problem found", "problems found"))
        assert "internal error" not in message
        return message, display_path(source)
    kind, _, member = case.target.partition(":")
    path, label = source, str(source)
    if member:
        path = cdb90_folder(tmp_path, member, source)
        label = str(path / member)
    elif case.file == "cdb90_missing_files":
        label = str(source / "belligerents.csv")
    workbook = source.is_file() and source.read_bytes()[:4] == b"PK\x03\x04"
    if case.line is not None and workbook and kind in SHEET:
        label = f"{label}[{SHEET[kind]}]"
    with pytest.raises(ImportRefused) as info:
        import_path(kind, path, data_dir)
    return str(info.value), label


# ------------------------------------------------------------------------------------ tests


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.id)
def test_refused_naming_file_line_and_column(case, generated, tmp_path, monkeypatch):
    monkeypatch.setenv("MILBAL_MAX_UNPACKED_MB", "8")
    source = source_of(case, generated)
    before = fingerprint(source)
    data_dir = tmp_path / "data"
    message, label = run(case, source, tmp_path, data_dir)

    assert "Traceback" not in message
    assert case.rule in message
    if case.line is None:
        assert f"{label}: " in message
    else:
        assert f"{label}:{case.line}: {case.column or '-'}: " in message
    line = next(m for m in message.splitlines() if case.rule in m)
    assert label in line, "the message names the file on the line giving the rule"
    assert not data_dir.exists() or not any(data_dir.iterdir()), "nothing stored"
    assert fingerprint(source) == before, "the input file is unchanged (bytes and mtime)"


def test_zip_bomb_refused_before_openpyxl_opens_it(generated, tmp_path, monkeypatch):
    """The size check reads the zip's directory only: openpyxl is never asked to open it."""
    monkeypatch.setenv("MILBAL_MAX_UNPACKED_MB", "8")

    def never(*args, **kwargs):
        raise AssertionError("openpyxl opened the zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    for kind in ("sipri", "gfp"):
        with pytest.raises(ImportRefused) as info:
            import_path(kind, generated / "zip_bomb.xlsx", tmp_path / "data")
        assert "xl/worksheets/sheet1.xml: 64 MB" in str(info.value)
        assert "MILBAL_MAX_UNPACKED_MB" in str(info.value)
    assert not (tmp_path / "data").exists()


def test_the_default_unpacked_cap_keeps_real_workbooks(generated, tmp_path, monkeypatch):
    """Without MILBAL_MAX_UNPACKED_MB the cap is 500 MB: the 64 MB sheet passes the size
    check (and is then refused as a broken workbook, not as a bomb)."""
    monkeypatch.delenv("MILBAL_MAX_UNPACKED_MB", raising=False)
    with pytest.raises(ImportRefused) as info:
        import_path("sipri", generated / "zip_bomb.xlsx", tmp_path / "data")
    assert "refused unopened" not in str(info.value)
    assert "not an .xlsx workbook" in str(info.value)


def test_every_kind_and_validate_are_fed(generated):
    fed = {c.target.split(":")[0] for c in CORPUS}
    assert fed == {*KINDS, "validate"}


def test_corpus_files_are_all_listed_and_described():
    """Every file of tests/data/bad is fed to a command here and described in its README."""
    readme = (BAD / "README.md").read_text(encoding="utf-8")
    on_disk = {p.name for p in BAD.iterdir() if p.name != "README.md"}
    listed = {c.file for c in CORPUS if c.file not in GENERATED}
    assert on_disk == listed
    assert len(on_disk) >= 30
    for name in on_disk | set(GENERATED):
        assert f"`{name}`" in readme, f"{name} is not described in tests/data/bad/README.md"

"""`milbal fetch`: hash-checked, cached downloads of the registry's files, imported as `milbal
import` does. Everything is served from 127.0.0.1: the reference data as a mirror (where it is
present), and small files written by the tests behind a registry of their own (everywhere).
Nothing here reaches the internet: every test starts with MILBAL_FETCH_MIRROR pointing at a port
nobody listens on."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import http.server
import io
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.cli import main
from validation.importers import registry
from validation.importers.fetch import default_cache_dir, fetch
from validation.importers.registry import PublicDataset, PublicFile
from validation.importers.store import import_path, records

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "data"


# ------------------------------------------------------------------------------------ helpers


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[tuple[str, list[str]]]:
    """An HTTP server for `folder` on 127.0.0.1 (a free port, a thread); yields its base URL
    and the list of paths requested from it, appended as requests arrive."""
    requested: list[str] = []

    class Handler(_Quiet):
        def do_GET(self) -> None:
            requested.append(self.path)
            super().do_GET()

        def do_HEAD(self) -> None:
            requested.append(self.path)
            super().do_HEAD()

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requested
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def dead_port() -> int:
    """A port on 127.0.0.1 that nobody listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files_in(folder)}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["fetch", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@dataclasses.dataclass
class Env:
    data: Path
    cache: Path


@pytest.fixture(autouse=True)
def env(tmp_path, monkeypatch) -> Env:
    """Temporary data and cache folders, and a mirror nobody answers: a test that forgets to
    serve its files fails on 127.0.0.1 instead of reaching a publisher."""
    folders = Env(data=tmp_path / "data", cache=tmp_path / "cache" / "downloads")
    monkeypatch.setenv("MILBAL_DATA_DIR", str(folders.data))
    monkeypatch.setenv("MILBAL_CACHE_DIR", str(folders.cache.parent))
    monkeypatch.setenv("MILBAL_FETCH_MIRROR", f"http://127.0.0.1:{dead_port()}")
    return folders


# ------------------------------------------------------------------ a registry of small files

# CDB90 in its publisher's shape, two battles: the wide file is the one the outcome comes from
# (battles.csv blanks wina for an attacker loss, as the real one does).
CDB90_FILES = {
    "battles.csv": "isqno,war,name,post1,wina,parent\n1,WAR A,FIRST,PD,1,\n2,WAR A,SECOND,HD,,\n",
    "belligerents.csv": (
        "isqno,attacker,str,cas\n1,1,30000,2000\n1,0,10000,3000\n2,1,8000,900\n2,0,6000,400\n"
    ),
    "terrain.csv": "isqno,terrano,terra1\n1,1,G\n2,1,F\n",
    "src-data/CDB90-patched.csv": (
        "ISQNO,WAR,NAME,ATPBYR1,POST1,TERRA1,STRA,STRD,CASA,CASD,WINA\n"
        "1,WAR A,FIRST,1944,PD,GB0,30000,10000,2000,3000,1\n"
        "2,WAR A,SECOND,1945,HD,FD0,8000,6000,900,400,-1\n"
    ),
}


def _dataset(key: str, kind: str, files: tuple[PublicFile, ...]) -> PublicDataset:
    return PublicDataset(
        key=key,
        kind=kind,
        files=files,
        publisher=f"{key} publisher",
        licence=f"{key} licence",
        page=f"https://example.invalid/{key}",
        adds=f"{key} rows",
    )


@dataclasses.dataclass
class Site:
    """A folder laid out as a mirror, and the registry describing it."""

    folder: Path
    datasets: dict[str, PublicDataset]
    monkeypatch: pytest.MonkeyPatch

    def publish(self, *keys: str, base: str | None = None) -> None:
        """Make the registry hold these datasets (all, if none given); with `base`, their
        URLs point at it (the publisher's own URLs, no mirror)."""
        chosen = [self.datasets[k] for k in keys or self.datasets]
        if base is not None:
            chosen = [
                dataclasses.replace(
                    d,
                    files=tuple(dataclasses.replace(f, url=f"{base}/{f.name}") for f in d.files),
                )
                for d in chosen
            ]
        self.monkeypatch.setattr(registry, "DATASETS", tuple(chosen))
        self.monkeypatch.setattr(registry, "BY_KEY", {d.key: d for d in chosen})

    def source(self, name: str) -> Path:
        return self.folder / name


@pytest.fixture
def site(tmp_path, monkeypatch) -> Site:
    """nmc, gmi, gfp-2018 and gfp-2025 from the small fixtures under tests/data, and a two-
    battle cdb90 folder, under their registry names, with their sha256 and size."""
    folder = tmp_path / "site"
    contents = {
        "cow_nmc/NMC-60-abridged.csv": (FIXTURES / "nmc" / "nmc_abridged.csv").read_bytes(),
        "gmi/gmi_wri_combined_1990_2022.csv": (FIXTURES / "gmi" / "gmi_small.csv").read_bytes(),
        "gfp/gfp2018_military_strength_ranking.csv": (
            FIXTURES / "gfp" / "gfp2018_sample.csv"
        ).read_bytes(),
        "gfp/gfp2025_global_military_firepower.csv": (
            FIXTURES / "gfp" / "gfp2025_sample.csv"
        ).read_bytes(),
        **{f"cdb90/{name}": text.encode() for name, text in CDB90_FILES.items()},
    }
    published: dict[str, PublicFile] = {}
    for name, data in contents.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
        published[name] = PublicFile(
            name, f"https://example.invalid/{name}", sha256(data), len(data)
        )
    datasets = {
        "nmc": _dataset("nmc", "nmc", (published["cow_nmc/NMC-60-abridged.csv"],)),
        "gmi": _dataset("gmi", "gmi", (published["gmi/gmi_wri_combined_1990_2022.csv"],)),
        "gfp-2018": _dataset(
            "gfp-2018", "gfp", (published["gfp/gfp2018_military_strength_ranking.csv"],)
        ),
        "gfp-2025": _dataset(
            "gfp-2025", "gfp", (published["gfp/gfp2025_global_military_firepower.csv"],)
        ),
        "cdb90": _dataset(
            "cdb90", "cdb90", tuple(published[f"cdb90/{name}"] for name in CDB90_FILES)
        ),
    }
    return Site(folder, datasets, monkeypatch)


@dataclasses.dataclass
class Mirror:
    base: str
    requested: list[str]


@pytest.fixture
def mirror(site, monkeypatch) -> Iterator[Mirror]:
    """The site served on 127.0.0.1 as MILBAL_FETCH_MIRROR (given with a trailing slash, as a
    user may write it); yields its base URL and the paths requested from it."""
    with serve(site.folder) as (base, requested):
        monkeypatch.setenv("MILBAL_FETCH_MIRROR", base + "/")
        yield Mirror(base, requested)


def rows_imported_directly(kind: str, path: Path, folder: Path) -> dict[str, int]:
    """The independent route: import_path on the served file itself, into another folder."""
    return import_path(kind, path, folder).record["rows"]


# ----------------------------------------------------------- the reference data as a mirror


@dataclasses.dataclass
class ReferenceRun:
    """`milbal fetch --all` twice against the reference data served on 127.0.0.1, and each
    reference file imported directly with import_path into another folder."""

    data: Path
    cache: Path
    first: tuple[int, str, str]
    second: tuple[int, str, str]
    requested_first: list[str]
    requested_second: list[str]
    snapshots_first: tuple[dict[str, bytes], dict[str, bytes]]
    snapshots_second: tuple[dict[str, bytes], dict[str, bytes]]
    direct_root: Path
    direct: dict[str, dict]  # key -> record of the direct import


def _captured(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["fetch", *argv])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def reference_run(reference_dir, tmp_path_factory) -> ReferenceRun:
    root = tmp_path_factory.mktemp("fetch-reference")
    data, cache = root / "data", root / "cache" / "downloads"
    with pytest.MonkeyPatch.context() as mp, serve(reference_dir) as (base, requested):
        mp.setenv("MILBAL_DATA_DIR", str(data))
        mp.setenv("MILBAL_CACHE_DIR", str(cache.parent))
        mp.setenv("MILBAL_FETCH_MIRROR", base)
        first = _captured("--all")
        requested_first = list(requested)
        snapshots_first = (snapshot(cache), snapshot(data))
        second = _captured("--all")
        requested_second = requested[len(requested_first) :]
        snapshots_second = (snapshot(cache), snapshot(data))
    direct = {}
    for dataset in registry.DATASETS:
        path = reference_dir / (dataset.folder or dataset.files[0].name)
        direct[dataset.key] = import_path(dataset.kind, path, root / "direct").record
    return ReferenceRun(
        data,
        cache,
        first,
        second,
        requested_first,
        requested_second,
        snapshots_first,
        snapshots_second,
        root / "direct",
        direct,
    )


@pytest.mark.reference
class TestFetchAllFromTheReferenceData:
    def test_every_dataset_is_imported_as_a_direct_import_would(self, reference_run):
        code, out, err = reference_run.first
        assert code == 0, err
        assert "Traceback" not in out + err
        stored = records(reference_run.data)
        assert len(stored) == len(registry.DATASETS)
        for dataset in registry.DATASETS:
            direct = reference_run.direct[dataset.key]
            slot = direct["slot"]
            assert stored[slot]["rows"] == direct["rows"], dataset.key
            assert sum(direct["rows"].values()) > 0, dataset.key
            assert stored[slot]["source_id"] == direct["source_id"]
            for table in direct["rows"]:
                fetched_csv = (reference_run.data / slot / f"{table}.csv").read_bytes()
                direct_csv = (reference_run.direct_root / slot / f"{table}.csv").read_bytes()
                assert fetched_csv == direct_csv, (dataset.key, table)

    def test_the_cache_holds_the_reference_files_under_their_names(
        self, reference_run, reference_dir
    ):
        names = [f.name for d in registry.DATASETS for f in d.files]
        assert sorted(reference_run.requested_first) == sorted(f"/{n}" for n in names)
        cached = [
            p.relative_to(reference_run.cache).as_posix() for p in files_in(reference_run.cache)
        ]
        assert sorted(cached) == sorted(names)
        for dataset in registry.DATASETS:
            for file in dataset.files:
                data = (reference_run.cache / file.name).read_bytes()
                assert data == (reference_dir / file.name).read_bytes(), file.name
                assert sha256(data) == file.sha256 and len(data) == file.size, file.name

    def test_a_second_run_downloads_nothing_and_changes_nothing(self, reference_run):
        code, out, err = reference_run.second
        assert code == 0, err
        assert reference_run.requested_second == []
        assert reference_run.snapshots_second == reference_run.snapshots_first
        lines = out.splitlines()
        assert len(lines) == len(registry.DATASETS)
        for line, dataset in zip(lines, registry.DATASETS, strict=True):
            assert line.startswith(f"{dataset.key}: "), line
            assert ": already imported (same sha256): nothing changed (" in line


# ------------------------------------------------------------------ fetching small files


class TestFetchFromAMirror:
    def test_downloads_checks_caches_and_imports(self, site, mirror, env, tmp_path, capsys):
        site.publish()
        code, out, err = run(capsys, "nmc", "gmi")
        assert code == 0, err
        assert mirror.requested == [
            "/cow_nmc/NMC-60-abridged.csv",
            "/gmi/gmi_wri_combined_1990_2022.csv",
        ]
        for name in ("cow_nmc/NMC-60-abridged.csv", "gmi/gmi_wri_combined_1990_2022.csv"):
            assert (env.cache / name).read_bytes() == site.source(name).read_bytes()
        stored = records(env.data)
        assert sorted(stored) == ["gmi", "nmc"]
        other = tmp_path / "direct"
        assert stored["nmc"]["rows"] == rows_imported_directly(
            "nmc", site.source("cow_nmc/NMC-60-abridged.csv"), other
        )
        assert stored["gmi"]["rows"] == rows_imported_directly(
            "gmi", site.source("gmi/gmi_wri_combined_1990_2022.csv"), other
        )
        assert stored["gmi"]["rows"] == {"rankings": 6, "gmi_indicators": 17}
        gmi_sha = sha256(site.source("gmi/gmi_wri_combined_1990_2022.csv").read_bytes())
        assert stored["gmi"]["sha256"] == gmi_sha
        assert f"gmi: gmi_wri_combined_1990_2022.csv (sha256 {gmi_sha[:12]})" in out
        assert f"stored in {env.data / 'nmc'}" in out
        base = mirror.base
        assert stored["gmi"]["url"] == f"{base}/gmi/gmi_wri_combined_1990_2022.csv"
        assert f"gmi: downloading gmi/gmi_wri_combined_1990_2022.csv (1 kB) from {base}/" in err

    def test_second_run_downloads_nothing_and_changes_nothing(self, site, mirror, env, capsys):
        site.publish()
        assert run(capsys, "nmc", "cdb90")[0] == 0
        asked, cache, data = len(mirror.requested), snapshot(env.cache), snapshot(env.data)
        code, out, err = run(capsys, "nmc", "cdb90")
        assert code == 0, err
        # one file of nmc and four of cdb90 the first time; none the second
        assert len(mirror.requested) == asked == 5
        assert snapshot(env.cache) == cache
        assert snapshot(env.data) == data
        assert out.splitlines() == [
            "nmc: NMC-60-abridged.csv: already imported (same sha256): nothing changed "
            f"({env.data / 'nmc'})",
            f"cdb90: cdb90: already imported (same sha256): nothing changed ({env.data / 'cdb90'})",
        ]
        assert (
            f"nmc: cow_nmc/NMC-60-abridged.csv: in the cache "
            f"({env.cache / 'cow_nmc' / 'NMC-60-abridged.csv'})" in err
        )

    def test_cdb90_is_four_files_in_one_folder(self, site, mirror, env, tmp_path, capsys):
        site.publish()
        code, _, err = run(capsys, "cdb90")
        assert code == 0, err
        assert [p.relative_to(env.cache).as_posix() for p in files_in(env.cache)] == [
            "cdb90/battles.csv",
            "cdb90/belligerents.csv",
            "cdb90/src-data/CDB90-patched.csv",
            "cdb90/terrain.csv",
        ]
        stored = records(env.data)["cdb90"]
        assert stored["url"] == f"{mirror.base}/cdb90/"
        assert stored["rows"] == {"battles": 2}
        assert stored["rows"] == rows_imported_directly(
            "cdb90", site.source("cdb90"), tmp_path / "direct"
        )
        battles = (env.data / "cdb90" / "battles.csv").read_text().splitlines()
        header = battles[0].split(",")
        first, second = (dict(zip(header, line.split(","), strict=True)) for line in battles[1:])
        assert (first["str_a"], first["str_d"], first["wina"], first["rugged"]) == (
            "30000",
            "10000",
            "1",
            "1",
        )
        assert (second["cas_a"], second["wina"], second["rugged"]) == ("900", "-1", "0")

    def test_publisher_urls_when_no_mirror_is_set(self, site, env, monkeypatch, capsys):
        monkeypatch.delenv("MILBAL_FETCH_MIRROR")
        with serve(site.folder) as (base, requested):
            site.publish("gmi", base=f"{base}/gmi-host")
            (site.folder / "gmi-host" / "gmi").mkdir(parents=True)
            name = "gmi/gmi_wri_combined_1990_2022.csv"
            (site.folder / "gmi-host" / name).write_bytes(site.source(name).read_bytes())
            code, _, err = run(capsys, "gmi")
        assert code == 0, err
        assert requested == [f"/gmi-host/{name}"]
        assert records(env.data)["gmi"]["url"] == f"{base}/gmi-host/{name}"

    def test_a_kind_names_each_of_its_datasets(self, site, mirror, env, capsys):
        site.publish()
        code, _, err = run(capsys, "gfp", "gfp-2018")
        assert code == 0, err
        assert sorted(records(env.data)) == ["gfp-2018", "gfp-2025"]
        assert len(mirror.requested) == 2

    def test_all_fetches_every_dataset_of_the_registry(self, site, mirror, env, capsys):
        site.publish()
        code, _, err = run(capsys, "--all")
        assert code == 0, err
        assert sorted(records(env.data)) == ["cdb90", "gfp-2018", "gfp-2025", "gmi", "nmc"]
        assert len(mirror.requested) == 8

    def test_a_cached_file_that_does_not_match_is_downloaded_again(self, site, mirror, env, capsys):
        site.publish("nmc")
        cached = env.cache / "cow_nmc" / "NMC-60-abridged.csv"
        cached.parent.mkdir(parents=True)
        cached.write_bytes(b"stateabb,ccode,year\nUSA,2,1816\n")
        code, _, err = run(capsys, "nmc")
        assert code == 0, err
        assert mirror.requested == ["/cow_nmc/NMC-60-abridged.csv"]
        assert cached.read_bytes() == site.source("cow_nmc/NMC-60-abridged.csv").read_bytes()

    def test_a_progress_bar_on_stderr(self, site, mirror, env, capfd):
        site.publish("gmi")
        (result,) = fetch(["gmi"], progress=True)
        assert result.ok, result.error
        err = capfd.readouterr().err
        size = site.datasets["gmi"].files[0].size
        assert size < 1000  # tqdm writes a size below 1000 bytes as it is
        assert "100%" in err and f"| {size}/{size} [" in err  # tqdm's bar, full

    def test_the_function_says_what_it_downloaded(self, site, mirror, env, tmp_path):
        site.publish()
        base = mirror.base
        first = fetch(["nmc"], tmp_path / "own-data", tmp_path / "own-cache", base, False)
        again = fetch(["nmc"], tmp_path / "own-data", tmp_path / "own-cache", base, False)
        assert [(r.ok, r.downloaded, r.imported.changed) for r in first + again] == [
            (True, ("cow_nmc/NMC-60-abridged.csv",), True),
            (True, (), False),
        ]
        assert first[0].path == tmp_path / "own-cache" / "cow_nmc" / "NMC-60-abridged.csv"
        assert not env.data.exists() and not env.cache.exists()  # the arguments, not the env


class TestCacheFolder:
    def test_milbal_cache_dir_first(self, monkeypatch, tmp_path):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert default_cache_dir() == tmp_path / "cache" / "downloads"

    def test_then_xdg_cache_home(self, monkeypatch, tmp_path):
        monkeypatch.delenv("MILBAL_CACHE_DIR")
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert default_cache_dir() == tmp_path / "xdg" / "milbal" / "downloads"

    def test_then_the_home_folder(self, monkeypatch, tmp_path):
        monkeypatch.delenv("MILBAL_CACHE_DIR")
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        monkeypatch.setenv("HOME", str(tmp_path / "home"))
        assert default_cache_dir() == tmp_path / "home" / ".cache" / "milbal" / "downloads"


class TestFailures:
    """A file that fails: one line naming key, file and URL, exit 1, nothing in the cache,
    nothing imported; the other datasets asked for are still fetched."""

    def assert_nothing_stored(self, env: Env) -> None:
        assert files_in(env.cache) == []
        assert records(env.data) == {}

    def test_wrong_hash(self, site, mirror, env, capsys):
        nmc = site.datasets["nmc"]
        wrong = sha256(b"another file")
        site.datasets["nmc"] = dataclasses.replace(
            nmc, files=(dataclasses.replace(nmc.files[0], sha256=wrong),)
        )
        site.publish("nmc")
        code, out, err = run(capsys, "nmc")
        assert code == 1
        assert out == ""
        got = sha256(site.source("cow_nmc/NMC-60-abridged.csv").read_bytes())
        url = f"{mirror.base}/cow_nmc/NMC-60-abridged.csv"
        assert err.splitlines()[-1] == (
            f"milbal fetch: nmc: cow_nmc/NMC-60-abridged.csv from {url}: sha256 mismatch: "
            f"expected {wrong}, got {got}; nothing stored"
        )
        assert mirror.requested == ["/cow_nmc/NMC-60-abridged.csv"]
        self.assert_nothing_stored(env)

    def test_not_found(self, site, mirror, env, capsys):
        site.publish("gmi")
        site.source("gmi/gmi_wri_combined_1990_2022.csv").unlink()
        code, out, err = run(capsys, "gmi")
        assert code == 1
        assert out == ""
        url = f"{mirror.base}/gmi/gmi_wri_combined_1990_2022.csv"
        assert err.splitlines()[-1] == (
            f"milbal fetch: gmi: gmi/gmi_wri_combined_1990_2022.csv from {url}: "
            "HTTP 404 File not found; nothing stored"
        )
        self.assert_nothing_stored(env)

    def test_refused_connection(self, site, env, monkeypatch, capsys):
        site.publish("nmc")
        port = dead_port()
        monkeypatch.setenv("MILBAL_FETCH_MIRROR", f"http://127.0.0.1:{port}")
        code, out, err = run(capsys, "nmc")
        assert code == 1
        assert out == ""
        assert err.splitlines()[-1] == (
            "milbal fetch: nmc: cow_nmc/NMC-60-abridged.csv from "
            f"http://127.0.0.1:{port}/cow_nmc/NMC-60-abridged.csv: connection failed: "
            "Connection refused; nothing stored"
        )
        self.assert_nothing_stored(env)

    def test_a_cache_that_is_not_a_folder(self, site, mirror, env, tmp_path, monkeypatch, capsys):
        site.publish("nmc")
        not_a_folder = tmp_path / "cache-file"
        not_a_folder.write_text("")
        monkeypatch.setenv("MILBAL_CACHE_DIR", str(not_a_folder))
        code, out, err = run(capsys, "nmc")
        assert code == 1
        assert out == ""
        assert err.splitlines()[-1] == (
            f"milbal fetch: nmc: cow_nmc/NMC-60-abridged.csv from {mirror.base}/cow_nmc/"
            f"NMC-60-abridged.csv: cannot use the cache {not_a_folder / 'downloads'}: Not a "
            "directory; "
            "nothing stored"
        )
        assert not_a_folder.read_text() == ""
        assert records(env.data) == {}

    def test_a_folder_is_stored_whole_or_not_at_all(self, site, mirror, env, capsys):
        site.publish("cdb90")
        site.source("cdb90/src-data/CDB90-patched.csv").unlink()
        code, _, err = run(capsys, "cdb90")
        assert code == 1
        assert len(mirror.requested) == 4  # three files downloaded, then the fourth is missing
        assert "cdb90: cdb90/src-data/CDB90-patched.csv from " in err
        assert "HTTP 404" in err
        self.assert_nothing_stored(env)
        assert not (env.cache / "cdb90").exists()

    def test_a_failure_does_not_stop_the_other_datasets(self, site, mirror, env, capsys):
        site.publish("nmc", "gmi")
        site.source("cow_nmc/NMC-60-abridged.csv").unlink()
        code, out, err = run(capsys, "nmc", "gmi")
        assert code == 1
        assert "milbal fetch: nmc: cow_nmc/NMC-60-abridged.csv from " in err
        assert list(records(env.data)) == ["gmi"]
        assert out.startswith("gmi: gmi_wri_combined_1990_2022.csv (sha256 ")
        assert [p.relative_to(env.cache).as_posix() for p in files_in(env.cache)] == [
            "gmi/gmi_wri_combined_1990_2022.csv"
        ]

    def test_a_refused_import_keeps_the_verified_download(self, site, mirror, env, capsys):
        gmi = site.datasets["gmi"]
        bad = b"country,year\nAZE,2020\n"  # not the GMI shape, yet the file the registry pins
        site.source(gmi.files[0].name).write_bytes(bad)
        site.datasets["gmi"] = dataclasses.replace(
            gmi, files=(dataclasses.replace(gmi.files[0], sha256=sha256(bad), size=len(bad)),)
        )
        site.publish("gmi")
        code, out, err = run(capsys, "gmi")
        assert code == 1
        assert out == ""
        cached = env.cache / gmi.files[0].name
        assert f"milbal fetch: gmi: the import refused {cached}; nothing imported:" in err
        assert ": gmi_rank: -: missing column" in err
        assert records(env.data) == {}
        assert cached.read_bytes() == bad

    def test_the_real_command_exits_1_without_a_traceback(self, env, tmp_path):
        result = subprocess.run(
            [sys.executable, "-m", "dashboard.cli", "fetch", "nmc"],
            cwd=ROOT,
            env={**os.environ},
            capture_output=True,
            text=True,
        )
        assert result.returncode == 1
        assert "connection failed: Connection refused; nothing stored" in result.stderr
        assert "Traceback" not in result.stderr
        assert files_in(env.cache) == []


class TestUsage:
    def test_unknown_key_lists_the_keys(self, env, capsys):
        code, out, err = run(capsys, "nmc", "nope")
        assert code == 2
        assert out == ""
        assert err.startswith("milbal fetch: unknown dataset 'nope'; keys: ")
        for dataset in registry.DATASETS:
            assert dataset.key in err
        assert not env.cache.exists() and not env.data.exists()

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            ((), "give KEY ... or --all"),
            (("--all", "nmc"), "give KEY ... or --all"),
            (("--list", "nmc"), "--list takes no KEY or --all"),
            (("--list", "--all"), "--list takes no KEY or --all"),
        ],
    )
    def test_usage_errors_exit_2(self, capsys, argv, message):
        code, _, err = run(capsys, *argv)
        assert code == 2
        assert message in err

    @pytest.mark.parametrize("mirror", ["ftp://127.0.0.1/data", "127.0.0.1:8000", "http://"])
    def test_a_mirror_that_is_not_an_http_url(self, monkeypatch, capsys, mirror):
        monkeypatch.setenv("MILBAL_FETCH_MIRROR", mirror)
        code, _, err = run(capsys, "nmc")
        assert code == 2
        assert err == (
            f"milbal fetch: MILBAL_FETCH_MIRROR: {mirror!r} is not an http or https URL "
            "(e.g. http://127.0.0.1:8000)\n"
        )


class TestList:
    def test_every_dataset_with_kind_size_licence_and_what_it_adds(self, capsys):
        code, out, err = run(capsys, "--list")
        assert code == 0, err
        lines = out.splitlines()
        assert lines[0].split() == ["key", "kind", "size", "in", "milbal", "licence"]
        starts = {line.split()[0]: i for i, line in enumerate(lines) if not line.startswith(" ")}
        assert [k for k in starts if k != "key"] == [d.key for d in registry.DATASETS]
        for dataset in registry.DATASETS:
            row = lines[starts[dataset.key]]
            assert row.split()[1] == dataset.kind
            assert ("embedded" if dataset.embedded else "import only") in row
            assert row.endswith(dataset.licence)
            below = lines[starts[dataset.key] + 1 : starts[dataset.key] + 3]
            assert [line.strip() for line in below] == [
                f"publisher: {dataset.publisher}",
                f"adds: {dataset.adds}",
            ]
        nmc = lines[starts["nmc"]].split()
        assert nmc[2:4] == ["920", "kB"]  # 920,464 bytes
        sipri = lines[starts["sipri-2021"]].split()
        assert sipri[2:4] == ["1.0", "MB"]  # 1,000,836 bytes
        cdb90 = lines[starts["cdb90"]].split()
        assert cdb90[2:4] == ["818", "kB"]  # four files: 192,722 + 176,505 + 11,734 + 436,591

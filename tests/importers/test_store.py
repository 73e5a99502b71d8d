"""The store: imports written atomically to the data folder, the same file twice changes nothing,
a refused file stores nothing and is left as it was, downloads are verified before import and
archives are unpacked safely."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import shutil
import threading
import zipfile
from pathlib import Path

import pytest

from validation.importers.base import ImportRefused
from validation.importers.store import (
    from_url,
    import_path,
    load_imported,
    records,
    unpack_zip,
)

FIXTURES = Path(__file__).resolve().parents[1] / "data"
GMI_SMALL = FIXTURES / "gmi" / "gmi_small.csv"
GMI_FILE = "gmi/gmi_wri_combined_1990_2022.csv"


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder`: its bytes and modification time (ns)."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def gmi_file(reference_dir) -> Path:
    return reference_dir / GMI_FILE


def broken_copy(tmp_path: Path, source: Path, line: int, old: str, new: str) -> Path:
    """A copy of `source` with `old` replaced by `new` on `line` (1 = header)."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path = tmp_path / f"broken-{source.name}"
    path.write_text("".join(lines), encoding="utf-8")
    return path


class TestImport:
    def test_writes_tables_and_record(self, data_dir):
        result = import_path("gmi", GMI_SMALL, data_dir)
        assert result.changed
        folder = data_dir / "gmi"
        assert sorted(p.name for p in folder.iterdir()) == [
            "countries.csv",
            "gmi_indicators.csv",
            "rankings.csv",
            "record.json",
            "sources.csv",
        ]
        record = json.loads((folder / "record.json").read_text())
        assert record["kind"] == "gmi"
        assert record["file"] == "gmi_small.csv"
        assert record["sha256"] == sha256(GMI_SMALL)
        assert record["rows"] == {"rankings": 6, "gmi_indicators": 17}
        assert record["imported_at"].endswith("+00:00")
        assert records(data_dir) == {"gmi": record}
        # nothing but the slot is left in the data folder (no temporary folders)
        assert [p.name for p in data_dir.iterdir()] == ["gmi"]

    def test_stored_rows_load_back_typed(self, data_dir):
        import_path("gmi", GMI_SMALL, data_dir)
        tables = load_imported(data_dir)
        assert len(tables["rankings"]) == 6
        assert str(tables["rankings"]["rank"].dtype) == "Int64"
        assert set(tables["countries"]["iso3"]) == {"FRA"}  # AZE and ARM are embedded
        assert list(tables["sources"]["source_id"]) == ["import-gmi"]

    def test_same_file_twice_changes_nothing(self, data_dir, gmi_file):
        first = import_path("gmi", gmi_file, data_dir)
        before = snapshot(data_dir)
        again = import_path("gmi", gmi_file, data_dir)
        assert first.changed and not again.changed
        assert again.record == first.record
        assert snapshot(data_dir) == before

    def test_a_different_file_replaces(self, data_dir, gmi_file):
        import_path("gmi", GMI_SMALL, data_dir)
        result = import_path("gmi", gmi_file, data_dir)
        assert result.changed
        assert list(records(data_dir)) == ["gmi"]
        assert records(data_dir)["gmi"]["sha256"] == sha256(gmi_file)
        assert [p.name for p in data_dir.iterdir()] == ["gmi"]
        ranked = sum(1 for line in gmi_file.read_text().splitlines()[1:] if line.split(",")[8])
        assert len(load_imported(data_dir)["rankings"]) == ranked

    def test_refused_file_stores_nothing_and_stays_unchanged(self, data_dir, tmp_path):
        bad = broken_copy(tmp_path, GMI_SMALL, 3, "185.25", "lots")
        before = snapshot(bad.parent)
        with pytest.raises(ImportRefused, match=r"gmi_score: lots: not a finite number"):
            import_path("gmi", bad, data_dir)
        assert snapshot(data_dir) == {}
        assert snapshot(bad.parent) == before

    def test_refused_file_keeps_the_previous_import(self, data_dir, tmp_path):
        import_path("gmi", GMI_SMALL, data_dir)
        before = snapshot(data_dir)
        bad = broken_copy(tmp_path, GMI_SMALL, 2, ",1,", ",0,")
        with pytest.raises(ImportRefused, match=r":2: gmi_rank: 0: must be >= 1"):
            import_path("gmi", bad, data_dir)
        assert snapshot(data_dir) == before

    def test_a_failed_write_keeps_the_previous_import(self, data_dir, gmi_file, monkeypatch):
        import validation.importers.store as store

        import_path("gmi", GMI_SMALL, data_dir)
        before = snapshot(data_dir)
        calls = []

        def failing(frame, path):
            calls.append(path.name)
            if len(calls) == 2:
                raise OSError(28, "No space left on device")
            frame.to_csv(path, index=False)

        monkeypatch.setattr(store, "_write_csv", failing)
        with pytest.raises(OSError):
            import_path("gmi", gmi_file, data_dir)
        assert snapshot(data_dir) == before

    def test_unknown_kind_and_missing_file(self, data_dir, tmp_path):
        with pytest.raises(ImportRefused, match="unknown kind 'nope'; kinds: gmi"):
            import_path("nope", GMI_SMALL, data_dir)
        with pytest.raises(ImportRefused, match="file not found"):
            import_path("gmi", tmp_path / "absent.csv", data_dir)
        assert snapshot(data_dir) == {}


# ------------------------------------------------------------------------------------ from_url


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        pass  # a client that stops reading (a capped download) is expected here


@pytest.fixture
def serve(tmp_path):
    """serve(folder) -> base URL of a local HTTP server on 127.0.0.1 for that folder; the
    number of GET requests it answered is in .requests."""
    servers = []

    class Counter:
        requests = 0

    def start(folder: Path) -> str:
        class Handler(_Quiet):
            def do_GET(self):
                Counter.requests += 1
                super().do_GET()

        handler = functools.partial(Handler, directory=str(folder))
        server = _Server(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    start.counter = Counter
    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


class TestFromUrl:
    def test_downloads_verifies_and_imports(self, serve, reference_dir, data_dir, gmi_file):
        base = serve(reference_dir / "gmi")
        url = f"{base}/{gmi_file.name}"
        result = from_url("gmi", url, sha256(gmi_file), data_dir)
        assert result.changed
        assert result.record["url"] == url
        assert result.record["file"] == gmi_file.name
        assert result.record["sha256"] == sha256(gmi_file)
        before = snapshot(data_dir)
        assert serve.counter.requests == 1
        again = from_url("gmi", url, sha256(gmi_file).upper(), data_dir)
        assert not again.changed
        assert snapshot(data_dir) == before

    def test_wrong_sha256_is_refused_with_both_hashes(self, serve, data_dir):
        base = serve(GMI_SMALL.parent)
        wrong = "0" * 64
        with pytest.raises(ImportRefused) as info:
            from_url("gmi", f"{base}/gmi_small.csv", wrong, data_dir)
        assert wrong in str(info.value)
        assert sha256(GMI_SMALL) in str(info.value)
        assert snapshot(data_dir) == {}

    def test_download_is_size_capped(self, serve, data_dir, gmi_file, reference_dir, monkeypatch):
        monkeypatch.setenv("MILBAL_MAX_FILE_MB", "0.1")
        base = serve(reference_dir / "gmi")
        with pytest.raises(ImportRefused, match=r"file too large.*the limit is 0\.1 MB"):
            from_url("gmi", f"{base}/{gmi_file.name}", sha256(gmi_file), data_dir)
        assert snapshot(data_dir) == {}

    def test_http_error_and_bad_arguments(self, serve, data_dir):
        base = serve(GMI_SMALL.parent)
        with pytest.raises(ImportRefused, match="HTTP 404"):
            from_url("gmi", f"{base}/absent.csv", "a" * 64, data_dir)
        with pytest.raises(ValueError, match="not 64 hexadecimal digits"):
            from_url("gmi", f"{base}/gmi_small.csv", "abc", data_dir)
        with pytest.raises(ValueError, match="not an http or https URL"):
            from_url("gmi", f"file://{GMI_SMALL}", "a" * 64, data_dir)
        assert snapshot(data_dir) == {}

    def test_zip_with_parent_path_is_refused(self, serve, tmp_path, data_dir):
        site = tmp_path / "site"
        site.mkdir()
        archive = site / "cdb90.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr("cdb90/battles.csv", "isqno\n1\n")
            zf.writestr("../escaped.csv", "x\n")
        with pytest.raises(ImportRefused, match=r"\.\./escaped\.csv: unsafe path"):
            from_url("cdb90", f"{serve(site)}/cdb90.zip", sha256(archive), data_dir)
        assert not (tmp_path / "escaped.csv").exists()
        assert snapshot(data_dir) == {}

    def test_zip_of_the_cdb90_folder_imports(self, serve, tmp_path, reference_dir, data_dir):
        site = tmp_path / "site"
        site.mkdir()
        archive = site / "cdb90.zip"
        folder = reference_dir / "cdb90"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in folder.rglob("*"):
                if path.is_file():
                    zf.write(path, Path("cdb90") / path.relative_to(folder))
        result = from_url("cdb90", f"{serve(site)}/cdb90.zip", sha256(archive), data_dir)
        assert result.changed
        assert result.record["sha256"] == sha256(archive)


class TestUnpackZip:
    @pytest.mark.parametrize(
        "member", ["../up.csv", "a/../../up.csv", "/etc/passwd-copy", "C:/windows.csv"]
    )
    def test_unsafe_paths_are_refused(self, tmp_path, member):
        archive = tmp_path / "bad.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr("ok.csv", "x\n")
            zf.writestr(member, "x\n")
        target = tmp_path / "out"
        with pytest.raises(ImportRefused, match="unsafe path"):
            unpack_zip(archive, target)
        assert not target.exists()
        assert not (tmp_path / "up.csv").exists()

    def test_unpacked_size_is_capped(self, tmp_path, monkeypatch):
        monkeypatch.setenv("MILBAL_MAX_FILE_MB", "0.01")
        archive = tmp_path / "bomb.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("zeros.csv", "0" * 100_000)
        with pytest.raises(ImportRefused, match=r"bomb\.zip \(unpacked\): file too large"):
            unpack_zip(archive, tmp_path / "out")

    def test_not_a_zip(self, tmp_path):
        path = tmp_path / "x.zip"
        shutil.copy(GMI_SMALL, path)
        with pytest.raises(ImportRefused, match=r"not a \.zip archive"):
            unpack_zip(path, tmp_path / "out")

    def test_single_top_folder_is_the_result(self, tmp_path):
        archive = tmp_path / "ok.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr("cdb90/battles.csv", "isqno\n1\n")
            zf.writestr("cdb90/src-data/x.csv", "a\n")
        folder = unpack_zip(archive, tmp_path / "out")
        assert folder == tmp_path / "out" / "cdb90"
        assert (folder / "src-data" / "x.csv").read_text() == "a\n"

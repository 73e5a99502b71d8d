"""The store: imports written atomically to the data folder, the same file twice changes nothing,
a refused file stores nothing and is left as it was, downloads are verified before import and
archives are unpacked safely."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from validation.importers.base import ImportRefused
from validation.importers.store import (
    from_url,
    import_path,
    load_imported,
    poorer_than,
    records,
    remove_leftovers,
    slot_lock,
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


# ------------------------------------------------------------------------------ poorer imports


def gmi_rows(tmp_path: Path, keep: int, name: str = "gmi_part.csv") -> Path:
    """gmi_small.csv cut to its header and first `keep` rows."""
    lines = GMI_SMALL.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / name
    path.write_text("".join(lines[: keep + 1]), encoding="utf-8")
    return path


class TestPoorer:
    def test_rules(self):
        old = {"rankings": 136, "equipment": 1496, "spending": 136}
        assert poorer_than({"rankings": 130, "equipment": 1400, "spending": 120}, old) == []
        assert poorer_than({"rankings": 136, "equipment": 0, "spending": 136}, old) == [
            "equipment 0 rows instead of 1,496"
        ]
        assert poorer_than({"rankings": 67, "equipment": 1496}, old) == [
            "rankings 67 rows instead of 136",
            "no spending table instead of 136 rows",
        ]
        assert poorer_than({"rankings": 68, "spending": 136, "equipment": 748}, old) == []
        assert poorer_than({"rankings": 1}, {"rankings": 0}) == []  # nothing to lose

    def test_a_poorer_import_is_refused_and_says_what_it_would_lose(self, data_dir, tmp_path):
        import_path("gmi", GMI_SMALL, data_dir)
        before = snapshot(data_dir)
        part = gmi_rows(tmp_path, 2)  # 2 of 6 ranked rows, 6 of 17 indicator values
        with pytest.raises(ImportRefused) as info:
            import_path("gmi", part, data_dir)
        message = str(info.value)
        assert message.startswith(f"{part}: poorer than the stored gmi import (gmi_small.csv, ")
        assert "rankings 2 rows instead of 6; gmi_indicators 6 rows instead of 17" in message
        assert "milbal import --replace gmi PATH" in message
        assert snapshot(data_dir) == before

    def test_replace_imports_it_anyway(self, data_dir, tmp_path):
        import_path("gmi", GMI_SMALL, data_dir)
        result = import_path("gmi", gmi_rows(tmp_path, 2), data_dir, replace=True)
        assert result.changed
        assert records(data_dir)["gmi"]["rows"] == {"rankings": 2, "gmi_indicators": 6}

    def test_not_poorer_replaces_without_asking(self, data_dir, tmp_path):
        import_path("gmi", GMI_SMALL, data_dir)
        result = import_path("gmi", gmi_rows(tmp_path, 5), data_dir)  # 5 of 6 ranked rows
        assert result.changed and records(data_dir)["gmi"]["file"] == "gmi_part.csv"

    def test_another_slot_is_no_baseline(self, data_dir, tmp_path):
        import_path("wdi", FIXTURES / "wdi" / "armed-forces-personnel_small.csv", data_dir)
        assert import_path("gmi", gmi_rows(tmp_path, 1), data_dir).changed


# ------------------------------------------------------------------------------------ locking


HOLD = """
import sys, time
from pathlib import Path
from validation.importers.store import slot_lock
with slot_lock(Path(sys.argv[1]), sys.argv[2]):
    print("held", flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def held(data_dir):
    """held(slot): another process holding the slot's lock until the test ends; its pid."""
    processes = []

    def hold(slot: str) -> int:
        data_dir.mkdir(parents=True, exist_ok=True)
        process = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(data_dir), slot],
            cwd=Path(__file__).resolve().parents[2],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        processes.append(process)
        assert process.stdout.readline() == "held\n"
        return process.pid

    yield hold
    for process in processes:
        process.communicate("", timeout=30)


class TestOneImportPerSlot:
    def test_a_second_import_waits_then_refuses_naming_the_first(self, data_dir, held, monkeypatch):
        monkeypatch.setenv("MILBAL_IMPORT_WAIT", "0.3")
        pid = held("gmi")
        started = time.monotonic()
        with pytest.raises(ImportRefused) as info:
            import_path("gmi", GMI_SMALL, data_dir)
        assert time.monotonic() - started >= 0.3
        assert str(info.value) == (
            f"another import of gmi is running (pid {pid}); try again when it ends; "
            "nothing imported"
        )
        assert records(data_dir) == {}

    def test_other_slots_are_free(self, data_dir, held, monkeypatch):
        monkeypatch.setenv("MILBAL_IMPORT_WAIT", "0")
        held("gmi")
        assert import_path("wdi", FIXTURES / "wdi" / "armed-forces-personnel_small.csv", data_dir)

    def test_a_waiting_import_goes_ahead_when_the_lock_is_released(self, data_dir, read_then):
        data_dir.mkdir(parents=True)
        with slot_lock(data_dir, "gmi"):
            second = read_then(lambda: import_path("gmi", GMI_SMALL, data_dir))
        second.join(timeout=60)
        assert second.results[0].changed
        assert sorted(p.name for p in data_dir.iterdir()) == ["gmi"]  # no lock file left

    def test_a_waiting_import_judges_what_the_first_stored(self, data_dir, tmp_path, read_then):
        """Two imports of one slot at once: the second, waiting for the lock while the first
        stores, is compared with what the first stored (here: the same file, so it changes
        nothing; a poorer one would be refused)."""
        data_dir.mkdir(parents=True)
        with slot_lock(data_dir, "gmi"):
            second = read_then(lambda: import_path("gmi", GMI_SMALL, data_dir))
            _store(data_dir, GMI_SMALL)  # the first, holding the lock
        second.join(timeout=60)
        assert not second.results[0].changed
        assert records(data_dir)["gmi"]["sha256"] == sha256(GMI_SMALL)


@pytest.fixture
def read_then(monkeypatch):
    """read_then(call): run `call` (an import) in a thread; return once it has read and checked
    its file, so that it is about to take the slot's lock. The thread's .results hold what the
    call returned."""
    from validation.importers import store

    read = store.read_checked
    done = threading.Event()

    def reading(*args, **kwargs):
        try:
            return read(*args, **kwargs)
        finally:
            done.set()

    monkeypatch.setattr(store, "read_checked", reading)

    def start(call) -> threading.Thread:
        thread = threading.Thread(target=lambda: thread.results.append(call()))
        thread.results = []
        thread.start()
        assert done.wait(timeout=60)
        return thread

    return start


def _store(data_dir: Path, path: Path) -> None:
    """Store a file as an import holding the slot's lock does (for a test that holds it)."""
    from validation.importers import store

    imported = store.read_checked("gmi", path, data_dir)
    record = {"kind": "gmi", "slot": "gmi", "file": path.name, "sha256": sha256(path)}
    store._write(data_dir, imported, {**record, "rows": imported.rows()})


# ---------------------------------------------------------------------------------- leftovers


class TestLeftovers:
    def test_a_killed_imports_folders_go_at_the_next_import(self, data_dir):
        leftover = data_dir / ".tmp-gfp-2018-k1ll3d_x"
        leftover.mkdir(parents=True)
        (leftover / "rankings.csv").write_text("half a file")
        mine = data_dir / ".tmp-notes"  # not of the pattern an import uses
        mine.mkdir()
        import_path("gmi", GMI_SMALL, data_dir)  # any kind
        assert not leftover.exists()
        assert mine.is_dir()
        assert sorted(p.name for p in data_dir.iterdir()) == [".tmp-notes", "gmi"]

    def test_a_running_imports_folder_is_left_alone(self, data_dir, held):
        running = data_dir / ".tmp-gfp-2018-running"
        running.mkdir(parents=True)
        held("gfp-2018")
        import_path("gmi", GMI_SMALL, data_dir)
        assert running.is_dir()

    def test_an_import_moved_aside_is_put_back(self, data_dir):
        """Killed between moving the stored import aside and renaming the new one into place:
        the slot is missing, the old import is put back and the new one's folder removed."""
        import_path("gmi", GMI_SMALL, data_dir)
        before = snapshot(data_dir / "gmi")
        (data_dir / "gmi").rename(data_dir / ".old-gmi-abc123_z")
        (data_dir / ".tmp-gmi-def456_y").mkdir()
        assert remove_leftovers(data_dir) == [
            ".old-gmi-abc123_z put back as gmi",
            ".tmp-gmi-def456_y removed",
        ]
        assert snapshot(data_dir / "gmi") == before
        assert list(records(data_dir)) == ["gmi"]
        assert remove_leftovers(data_dir) == []

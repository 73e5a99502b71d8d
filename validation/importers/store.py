"""Where imported datasets live: MILBAL_DATA_DIR/<slot>/ (slot = kind, or kind-dataset), one CSV
per table plus record.json {kind, dataset, slot, file, sha256, imported_at, rows, notes}.

An import is read and checked in full before anything is written, then written to a temporary
folder beside the slot and renamed into place, so a reader sees the old import or the new one,
never half of one. The same file again (same sha256) writes nothing. Input files are only read.

Writing a slot holds a lock (fcntl.flock on `.lock-<slot>` beside it: the slot folder itself is
swapped by the rename): a second import of the slot waits for it (MILBAL_IMPORT_WAIT seconds,
default 30), then refuses naming the holder's pid. Under the lock an import is compared with the
slot's stored one and refused when poorer (see poorer_than) unless `replace`; a built-in world
dataset it would shadow is no baseline (a hand-made file in its place is a choice). Each import
first removes the `.tmp-`/`.old-` folders a killed import left, for slots no running import holds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from validation.files import FileRefused, check_folder, check_regular, open_regular
from validation.importers import FOLDER_KINDS, KINDS, data_dir, get_module
from validation.importers.base import (
    COUNTRY_COLUMNS,
    SOURCE_COLUMNS,
    Imported,
    ImportRefused,
    check_raw,
    check_tidy,
    read_csv_cells,
)
from validation.schemas import MODELS
from validation.tables import Issue
from validation.vocabulary import REFERENCES

RECORD = "record.json"
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_CHUNK = 1024 * 1024


def _root(given: Path | str | None) -> Path:
    return Path(given) if given is not None else data_dir()


def max_file_bytes() -> int:
    """The download cap: MILBAL_MAX_FILE_MB (default 50), read when used."""
    return int(float(os.environ.get("MILBAL_MAX_FILE_MB", "50")) * 1024 * 1024)


@dataclass(frozen=True)
class ImportResult:
    """What an import did: the stored record, and whether anything was written."""

    record: dict
    changed: bool


# ----------------------------------------------------------------------------------- hashing


def sha256_of(path: Path) -> str:
    """The file's sha256; for a folder, the sha256 of its files' relative paths and hashes."""
    if path.is_dir():
        digest = hashlib.sha256()
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(file.relative_to(path).as_posix().encode())
            digest.update(b"\0" + sha256_of(file).encode() + b"\n")
        return digest.hexdigest()
    digest = hashlib.sha256()
    with open_regular(path) as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# ----------------------------------------------------------------------------------- reading


def kind_module(kind: str):
    """The kind's importer module; ImportRefused naming the known kinds for an unknown one."""
    if kind not in KINDS:
        raise ImportRefused(f"unknown kind {kind!r}; kinds: {', '.join(KINDS) or 'none'}")
    return get_module(kind)


def table_model(kind: str, table: str) -> type[pa.DataFrameModel] | None:
    """Our schema for a table: MODELS, else the kind module's SCHEMAS (imported-only tables)."""
    if table in MODELS:
        return MODELS[table]
    try:
        return getattr(get_module(kind), "SCHEMAS", {}).get(table)
    except (KeyError, ImportError):
        return None


def _embedded() -> dict[str, pd.DataFrame]:
    from validation.catalog import datasets_dir, load_directory

    frames, _ = load_directory(datasets_dir())
    return frames


def world_root() -> Path:
    """The built-in world tables (datasets/world/), kept in this store's layout."""
    from validation.catalog import datasets_dir

    return datasets_dir() / "world"


def embedded_record(kind: str, sha256: str) -> dict | None:
    """The built-in dataset made from this very file, if any: importing it again adds nothing."""
    for record in records(world_root()).values():
        if record.get("kind") == kind and record.get("sha256") == sha256:
            return record
    return None


def check_input(kind: str, path: Path) -> None:
    """ImportRefused, naming the path and what it is, unless it is what the kind reads: a
    regular file, or a folder for a folder kind. Nothing else is opened (a named pipe would
    block, a device never end)."""
    try:
        if kind in FOLDER_KINDS:
            check_folder(path)
        else:
            check_regular(path)
    except FileRefused as exc:
        hint = f"; {kind} imports a folder, or a .zip of it" if kind in FOLDER_KINDS else ""
        raise ImportRefused(f"{path}: {exc.reason}{hint}") from None


def read_checked(kind: str, path: Path, data_dir: Path | None = None) -> Imported:
    """Read a file with its kind's importer and check every table against our schemas and the
    references (countries and sources: embedded, other imports and its own). Returns the
    Imported with typed tables and only its new countries; raises ImportRefused."""
    module = kind_module(kind)
    check_input(kind, path)
    try:
        imported = module.read(path)
    except ImportRefused:
        raise
    except Exception as exc:  # an importer bug must still end in a message, not a traceback
        raise ImportRefused(
            f"{path}: the {kind} importer stopped on something in this file it does not handle "
            f"({str(exc)[:200] or 'no detail'}); nothing imported. Please report it with the file."
        ) from None
    label = str(path)
    embedded = _embedded()
    others = load_imported(data_dir, exclude={imported.slot})
    # the built-in world tables count as the others do, but for the one this import replaces
    for name, frame in load_imported(world_root(), exclude={imported.slot}).items():
        others[name] = pd.concat([others[name], frame]) if name in others else frame
    issues: list[Issue] = []

    sources, more = check_tidy(_columns(imported.sources, SOURCE_COLUMNS), MODELS["sources"], label)
    issues += [_where(i, "sources") for i in more]
    taken = set(embedded["sources"]["source_id"]) | set(
        others.get("sources", pd.DataFrame(columns=["source_id"]))["source_id"]
    )
    for sid in sources["source_id"].dropna():
        if sid in taken:
            issues.append(Issue(label, None, "source_id", sid, "source id already in use"))

    countries, more = check_tidy(
        _columns(imported.countries, COUNTRY_COLUMNS), MODELS["countries"], label
    )
    issues += [_where(i, "countries") for i in more]
    if not more:
        countries = countries[~countries["iso3"].isin(embedded["countries"]["iso3"])]
        countries = countries.drop_duplicates("iso3").reset_index(drop=True)

    known = {
        "countries": set(embedded["countries"]["iso3"])
        | set(others.get("countries", pd.DataFrame(columns=["iso3"]))["iso3"])
        | set(countries["iso3"]),
        "sources": set(embedded["sources"]["source_id"]) | set(sources["source_id"]),
    }
    tables: dict[str, pd.DataFrame] = {}
    for name, frame in imported.tables.items():
        model = table_model(kind, name)
        if model is None:
            issues.append(Issue(label, None, None, name, "no schema for this table"))
            continue
        lines = list(frame.index)
        checked, more = check_tidy(frame, model, f"{label} ({name})")
        issues += more
        if not more:
            issues += _reference_issues(name, checked, lines, known, f"{label} ({name})")
        tables[name] = checked
    if issues:
        raise ImportRefused(issues)
    return Imported(
        kind=imported.kind,
        tables=tables,
        sources=sources,
        countries=countries,
        notes=list(imported.notes),
        dataset=imported.dataset,
    )


def _columns(frame: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    if frame is None:
        return pd.DataFrame(columns=columns)
    return frame.reset_index(drop=True)


def _where(issue: Issue, table: str) -> Issue:
    return Issue(f"{issue.file} ({table})", issue.line, issue.column, issue.value, issue.rule)


def _references(table: str, frame: pd.DataFrame) -> dict[str, str]:
    """column -> 'countries' or 'sources' for the columns of a table that name one."""
    refs = {
        c: t for c, (t, _) in REFERENCES.get(table, {}).items() if t in {"countries", "sources"}
    }
    if table not in MODELS:
        if "country" in frame:
            refs["country"] = "countries"
        if "source_id" in frame:
            refs["source_id"] = "sources"
    return refs


def _reference_issues(
    table: str, frame: pd.DataFrame, lines: list, known: dict[str, set], label: str
) -> list[Issue]:
    issues = []
    for column, target in _references(table, frame).items():
        cells = frame[column]
        bad = cells.notna() & ~cells.isin(known[target])
        for position in cells.index[bad][:50]:
            line = lines[position] if position < len(lines) else None
            issues.append(
                Issue(
                    label,
                    int(line) if pd.api.types.is_integer(line) else None,
                    column,
                    str(cells[position]),
                    f"unknown {'country code' if target == 'countries' else 'source id'}: "
                    f"not in {target}.csv nor among the import's {target}",
                )
            )
    return issues


# ----------------------------------------------------------------------------------- storing


def records(data_dir: Path | None = None) -> dict[str, dict]:
    """slot -> record of every stored import (a slot with an unreadable record is skipped)."""
    root = _root(data_dir)
    out: dict[str, dict] = {}
    if not root.is_dir():
        return out
    for folder in sorted(root.iterdir()):
        if folder.name.startswith(".") or not folder.is_dir():
            continue
        try:
            record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and record.get("kind"):
            out[folder.name] = record
    order = {k: i for i, k in enumerate(KINDS)}
    return dict(sorted(out.items(), key=lambda kv: (order.get(kv[1]["kind"], 99), kv[0])))


def import_path(
    kind: str,
    path: Path,
    data_dir: Path | None = None,
    *,
    file_name: str | None = None,
    sha256: str | None = None,
    url: str | None = None,
    replace: bool = False,
) -> ImportResult:
    """Read, check and store one file (for cdb90 a folder, or a .zip of it). The same file
    again: nothing written, changed=False. A refused file, or one poorer than the slot's stored
    import without `replace`: ImportRefused, nothing written."""
    root = _root(data_dir)
    path = Path(path)
    kind_module(kind)
    remove_leftovers(root)
    if kind in FOLDER_KINDS and _is_regular(path):
        return _import_zip(
            kind, path, root, file_name=file_name, sha256=sha256, url=url, replace=replace
        )
    check_input(kind, path)
    digest = sha256 or sha256_of(path)
    same = _same_file(root, kind, digest)
    if same is not None:
        return same
    imported = read_checked(kind, path, root)
    record = {
        "kind": kind,
        "dataset": imported.dataset,
        "slot": imported.slot,
        "file": file_name or path.name,
        "url": url,
        "sha256": digest,
        "imported_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "rows": imported.rows(),
        "countries": len(imported.countries),
        "source_id": ", ".join(imported.sources["source_id"].astype(str)),
        "notes": imported.notes,
    }
    root.mkdir(parents=True, exist_ok=True)
    with slot_lock(root, imported.slot):
        # another import may have stored this slot while this one was reading
        same = _same_file(root, kind, digest)
        if same is not None:
            return same
        stored = records(root).get(imported.slot)
        if stored is not None and not replace:
            losses = poorer_than(record["rows"], stored.get("rows", {}))
            if losses:
                raise ImportRefused(_poorer_message(path, kind, imported.slot, stored, losses))
        _write(root, imported, record)
    return ImportResult(record, changed=True)


def _is_regular(path: Path) -> bool:
    try:
        check_regular(path)
    except FileRefused:
        return False
    return True


def _import_zip(
    kind: str,
    archive: Path,
    root: Path,
    *,
    file_name: str | None,
    sha256: str | None,
    url: str | None,
    replace: bool = False,
) -> ImportResult:
    """A folder kind given a file: a .zip of the folder, unpacked safely (unpack_zip) and
    imported under the archive's name and sha256; messages name the archive, not the
    temporary folder."""
    if not zipfile.is_zipfile(archive):
        raise ImportRefused(
            f"{archive}: not a .zip archive; {kind} imports a folder, or a .zip of it"
        )
    digest = sha256 or sha256_of(archive)
    same = _same_file(root, kind, digest)
    if same is not None:
        return same
    with tempfile.TemporaryDirectory(prefix="milbal-unpack-") as tmp:
        folder = unpack_zip(archive, Path(tmp) / "unpacked", label=str(archive))
        try:
            return import_path(
                kind,
                folder,
                root,
                file_name=file_name or archive.name,
                sha256=digest,
                url=url,
                replace=replace,
            )
        except ImportRefused as exc:
            raise ImportRefused(str(exc).replace(str(folder), str(archive))) from None


def _same_file(root: Path, kind: str, digest: str) -> ImportResult | None:
    """The stored (or built-in) import of this very file, if any: importing it adds nothing."""
    for record in records(root).values():
        if record.get("kind") == kind and record.get("sha256") == digest:
            return ImportResult(record, changed=False)
    built_in = embedded_record(kind, digest)
    if built_in is not None:
        return ImportResult(built_in, changed=False)
    return None


# ----------------------------------------------------------------------------- poorer imports

# A table keeps at least this share of its rows, or the new import is poorer than the stored one.
KEEP_SHARE = 0.5


def poorer_than(new: dict[str, int], old: dict[str, int]) -> list[str]:
    """What replacing an import of `old` rows per table by one of `new` rows would lose: a
    table that had rows and has none (or is gone), or one left with fewer than KEEP_SHARE of
    its rows. Empty when the new import is not poorer. A file cut to a few of its columns, or
    to a few of its rows, is poorer; a new edition a little shorter than the last is not."""
    losses = []
    for table, before in old.items():
        after = new.get(table, 0)
        if not before:
            continue
        if table not in new:
            losses.append(f"no {table} table instead of {before:,} rows")
        elif after < before * KEEP_SHARE:
            losses.append(f"{table} {after:,} rows instead of {before:,}")
    return losses


def _poorer_message(path: Path, kind: str, slot: str, stored: dict, losses: list[str]) -> str:
    return (
        f"{path}: poorer than the stored {slot} import ({stored.get('file')}, imported "
        f"{stored.get('imported_at')}): it would leave {'; '.join(losses)}. Nothing imported; "
        f"check the file (lost columns or rows?), or replace the stored import anyway with "
        f"`milbal import --replace {kind} PATH`."
    )


# ------------------------------------------------------------------------------------ locking


def import_wait() -> float:
    """How long an import waits for another one of its slot: MILBAL_IMPORT_WAIT seconds
    (default 30), read when used."""
    value = os.environ.get("MILBAL_IMPORT_WAIT", "30")
    try:
        return max(0.0, float(value))
    except ValueError:
        raise ValueError(f"MILBAL_IMPORT_WAIT: {value!r} is not a number of seconds") from None


def _lock_path(root: Path, slot: str) -> Path:
    return root / f".lock-{slot}"


@contextlib.contextmanager
def slot_lock(root: Path, slot: str, wait: float | None = None) -> Iterator[None]:
    """Hold the slot's lock while the block runs: wait up to `wait` seconds (import_wait())
    for another holder, then ImportRefused naming its pid. The lock file holds the holder's pid
    and is removed on release."""
    path = _lock_path(root, slot)
    deadline = time.monotonic() + (import_wait() if wait is None else wait)
    while (fd := _try_lock(path)) is None:
        if time.monotonic() >= deadline:
            raise ImportRefused(
                f"another import of {slot} is running (pid {_holder(path)}); "
                "try again when it ends; nothing imported"
            )
        time.sleep(0.1)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()  # before the unlock: whoever opened it meanwhile tries again
        os.close(fd)


def _try_lock(path: Path) -> int | None:
    """The locked file's descriptor (the pid written in it), or None while another holds it."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        try:
            current = os.stat(path).st_ino
        except FileNotFoundError:
            current = None
        if current == os.fstat(fd).st_ino:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            return fd
        os.close(fd)  # the holder removed the file between our open and our lock: again


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return "unknown"
    return text if text.isdigit() else "unknown"


_LEFTOVER = re.compile(r"^\.(tmp|old)-(?P<slot>[a-z0-9][a-z0-9-]*)-[a-z0-9_]+$")


def remove_leftovers(root: Path) -> list[str]:
    """Remove what killed imports left in the data folder: their `.tmp-<slot>-*` folders, and
    their `.old-<slot>-*` ones (a previous import moved aside: put back when the slot is
    missing, else removed). Only for slots no running import holds. Returns what was done."""
    if not root.is_dir():
        return []
    done = []
    for folder in sorted(root.iterdir()):
        match = _LEFTOVER.match(folder.name)
        if match is None or not folder.is_dir() or folder.is_symlink():
            continue
        slot = match.group("slot")
        # a leftover that cannot be removed now (held, or not ours to remove) waits for the next
        with contextlib.suppress(ImportRefused, OSError), slot_lock(root, slot, wait=0):
            if not folder.exists():
                continue  # removed by another import meanwhile
            target = root / slot
            if match.group(1) == "old" and not target.exists():
                folder.rename(target)
                done.append(f"{folder.name} put back as {slot}")
            else:
                shutil.rmtree(folder, ignore_errors=True)
                done.append(f"{folder.name} removed")
    return done


def _write(root: Path, imported: Imported, record: dict) -> None:
    """Write the import beside its slot and rename it into place (hold its slot_lock)."""
    root.mkdir(parents=True, exist_ok=True)
    target = root / imported.slot
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{imported.slot}-", dir=root))
    try:
        for name, frame in imported.tables.items():
            _write_csv(frame, tmp / f"{name}.csv")
        _write_csv(imported.sources, tmp / "sources.csv")
        _write_csv(imported.countries, tmp / "countries.csv")
        (tmp / RECORD).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".old-{imported.slot}-", dir=root))
            old.rmdir()
            target.rename(old)
        try:
            tmp.rename(target)
        except OSError:
            if old is not None:
                old.rename(target)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    out.to_csv(path, index=False, lineterminator="\n")


def load_imported(
    data_dir: Path | None = None,
    *,
    exclude: Collection[str] = (),
    problems: dict | None = None,
) -> dict[str, pd.DataFrame]:
    """Every stored import's rows, concatenated per table (with `countries` and `sources`),
    typed by our schemas. A slot whose files no longer check (edited by hand, or written by
    an importer that is gone) is left out, and `problems[slot]` says why."""
    root = _root(data_dir)
    parts: dict[str, list[pd.DataFrame]] = {}
    for slot, record in records(root).items():
        if slot in exclude:
            continue
        try:
            frames = _load_slot(root / slot, record)
        except ImportRefused as exc:
            if problems is not None:
                problems[slot] = str(exc)
            continue
        for name, frame in frames.items():
            parts.setdefault(name, []).append(frame)
    out = {}
    for name, frames in parts.items():
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        if name in ("countries", "sources"):
            frame = frame.drop_duplicates(
                COUNTRY_COLUMNS[0] if name == "countries" else "source_id"
            )
        out[name] = frame.reset_index(drop=True)
    return out


def _load_slot(folder: Path, record: dict) -> dict[str, pd.DataFrame]:
    kind = record["kind"]
    frames: dict[str, pd.DataFrame] = {}
    issues: list[Issue] = []
    names = ["sources", "countries", *record.get("rows", {})]
    for name in names:
        model = table_model(kind, name)
        if model is None:
            raise ImportRefused(f"{folder / name}.csv: no schema for table {name!r}")
        path = folder / f"{name}.csv"
        columns = list(model.to_schema().columns)
        if not path.exists():
            raise ImportRefused(f"{path}: missing")
        text = path.read_text(encoding="utf-8")
        if text.strip() == ",".join(columns) or not text.strip():
            frames[name] = check_raw(pd.DataFrame(columns=columns), model, str(path))[0]
            continue
        raw = read_csv_cells(path, columns, text=text)
        typed, more = check_raw(raw, model, str(path))
        issues += more
        frames[name] = typed.reset_index(drop=True)
    if issues:
        raise ImportRefused(issues)
    return frames


# ----------------------------------------------------------------------------------- from_url


def from_url(
    kind: str,
    url: str,
    sha256: str,
    data_dir: Path | None = None,
    *,
    timeout: float = 60,
    replace: bool = False,
) -> ImportResult:
    """Download `url` (http or https), refuse it unless its sha256 is `sha256`, then import it
    as import_path does. A folder kind takes a .zip of the folder, unpacked safely. The
    download is capped at MILBAL_MAX_FILE_MB; nothing is kept but the import."""
    kind_module(kind)
    if not _HEX64.match(sha256 or ""):
        raise ValueError(f"--sha256: {sha256!r} is not 64 hexadecimal digits")
    expected = sha256.lower()
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"--from-url: {url!r} is not an http or https URL")
    root = _root(data_dir)
    same = _same_file(root, kind, expected)
    if same is not None:
        return same
    name = _safe_name(Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path)).name)
    with tempfile.TemporaryDirectory(prefix="milbal-download-") as tmp:
        local = Path(tmp) / name
        got = _download(url, local, timeout)
        if got != expected:
            raise ImportRefused(
                f"{url}: sha256 mismatch: expected {expected}, got {got}; nothing imported"
            )
        path = local
        if kind in FOLDER_KINDS:
            path = unpack_zip(local, Path(tmp) / "unpacked", label=url)
        try:
            return import_path(
                kind, path, root, file_name=name, sha256=got, url=url, replace=replace
            )
        except ImportRefused as exc:
            raise ImportRefused(str(exc).replace(str(path), url)) from None


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")
    return cleaned[:120] or "download"


def _download(url: str, target: Path, timeout: float) -> str:
    """Stream `url` to `target`, capped; returns the sha256 of what was received."""
    cap = max_file_bytes()
    digest = hashlib.sha256()
    received = 0
    request = urllib.request.Request(url, headers={"User-Agent": "milbal-import"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response, target.open("wb") as f:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > cap:
                raise ImportRefused(_too_large(url, int(length), cap, partial=False))
            while chunk := response.read(_CHUNK):
                received += len(chunk)
                if received > cap:
                    raise ImportRefused(_too_large(url, received, cap))
                digest.update(chunk)
                f.write(chunk)
    except urllib.error.HTTPError as exc:
        raise ImportRefused(f"{url}: download failed: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise ImportRefused(f"{url}: download failed: {reason}") from None
    return digest.hexdigest()


def _too_large(where: str, size: int, cap: int, partial: bool = True) -> str:
    so_far = " so far" if partial else ""
    return (
        f"{where}: file too large ({size / 1024 / 1024:.1f} MB{so_far}): the limit is "
        f"{cap / 1024 / 1024:.3g} MB (set MILBAL_MAX_FILE_MB to raise it)"
    )


def unpack_zip(archive: Path, target: Path, *, label: str | None = None) -> Path:
    """Unpack a .zip into `target`, refusing absolute or '..' paths, links and more than
    MILBAL_MAX_FILE_MB unpacked. Returns the folder holding the data: the one top-level
    folder when the archive has nothing else."""
    label = label or archive.name
    cap = max_file_bytes()
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportRefused(f"{label}: not a .zip archive ({exc})") from None
    with zf:
        members = zf.infolist()
        total = 0
        for info in members:
            name = info.filename
            parts = Path(name.replace("\\", "/")).parts
            if (
                name.startswith(("/", "\\"))
                or re.match(r"^[A-Za-z]:", name)
                or ".." in parts
                or "\0" in name
            ):
                raise ImportRefused(
                    f"{label}: {name}: unsafe path in the archive (absolute or '..'); "
                    "nothing imported"
                )
            if stat.S_ISLNK(info.external_attr >> 16):
                raise ImportRefused(f"{label}: {name}: the archive holds a link; nothing imported")
            total += info.file_size
            if total > cap:
                raise ImportRefused(_too_large(f"{label} (unpacked)", total, cap, partial=False))
        target.mkdir(parents=True, exist_ok=True)
        written = 0
        for info in members:
            out = target / info.filename
            if info.is_dir():
                out.mkdir(parents=True, exist_ok=True)
                continue
            out.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, out.open("wb") as dst:
                while chunk := src.read(_CHUNK):
                    written += len(chunk)
                    if written > cap:  # the sizes in the directory can lie
                        raise ImportRefused(_too_large(f"{label} (unpacked)", written, cap))
                    dst.write(chunk)
    folder = target
    with contextlib.suppress(OSError):
        while True:
            entries = [p for p in folder.iterdir() if p.name != "__MACOSX"]
            if len(entries) == 1 and entries[0].is_dir():
                folder = entries[0]
            else:
                break
    return folder

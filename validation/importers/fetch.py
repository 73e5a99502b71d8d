"""`milbal fetch`: download the registry's public files, check each against its pinned sha256,
keep it in a cache, and import it as `milbal import` does.

pooch does the downloading: it writes to a temporary file beside the target and moves it into
place only when the hash matches, so the cache never holds a file that is not the publisher's.
A dataset is fetched whole or not at all: if one of its files fails (a wrong hash, an HTTP
error, no connection), the files this run downloaded for it are removed and nothing is imported.
A file already in the cache with the right hash is not downloaded again, and the import of the
same bytes changes nothing (import_path compares sha256), so a second run is free.
"""

from __future__ import annotations

import contextlib
import logging
import os
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pooch
import requests

from validation.importers import registry
from validation.importers.base import ImportRefused
from validation.importers.registry import PublicDataset, PublicFile
from validation.importers.store import ImportResult, import_path

MIRROR_ENV = "MILBAL_FETCH_MIRROR"
CACHE_ENV = "MILBAL_CACHE_DIR"
# Seconds without an answer before a download is given up (pooch's own default is 30).
TIMEOUT = 60
_CHUNK = 64 * 1024  # pooch's default of 1 kB means a write and a flush per kB

Notify = Callable[[str], None]


class FetchUsageError(ValueError):
    """A request fetch cannot act on (an unknown key, a mirror that is not an http URL)."""


class FetchFailed(Exception):
    """One file could not be had; the message is one line naming key, file and URL."""


@dataclass(frozen=True)
class FetchResult:
    """What fetching one dataset did. `error` is set (and `imported` None) when it failed."""

    dataset: PublicDataset
    path: Path | None  # what was imported: the cached file, or the cached folder (cdb90)
    downloaded: tuple[str, ...]  # registry names downloaded by this run (none: all cached)
    imported: ImportResult | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def default_cache_dir() -> Path:
    """downloads/ in milbal's cache folder (MILBAL_CACHE_DIR, else $XDG_CACHE_HOME/milbal, else
    ~/.cache/milbal; see validation.cache): a cache, not data (the imports live in
    MILBAL_DATA_DIR), so the system may clear it."""
    from validation.cache import cache_dir

    return cache_dir() / "downloads"


def mirror_from_env() -> str | None:
    """MILBAL_FETCH_MIRROR, checked; None when unset or empty."""
    return check_mirror(os.environ.get(MIRROR_ENV) or None)


def check_mirror(mirror: str | None) -> str | None:
    """The mirror without a trailing slash; an http(s) URL with a host, or FetchUsageError."""
    if mirror is None:
        return None
    parts = urllib.parse.urlsplit(mirror)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise FetchUsageError(
            f"{MIRROR_ENV}: {mirror!r} is not an http or https URL (e.g. http://127.0.0.1:8000)"
        )
    return mirror.rstrip("/")


def file_url(file: PublicFile, mirror: str | None = None) -> str:
    """Where a file is downloaded from: its pinned URL, or <mirror>/<registry name>, which is
    the reference data folder's layout, so serving that folder makes a complete mirror."""
    if mirror is None:
        return file.url
    return f"{mirror}/{urllib.parse.quote(file.name)}"


def select(keys: Iterable[str], *, every: bool = False) -> tuple[PublicDataset, ...]:
    """The datasets named by `keys` (in order, each once), or all of them. A kind that is not a
    key itself (gfp, sipri, wdi) names each dataset of that kind. An unknown name is a
    FetchUsageError listing the keys, raised before anything is downloaded."""
    if every:
        return tuple(registry.DATASETS)
    chosen: dict[str, PublicDataset] = {}
    unknown = []
    for key in keys:
        if key in registry.BY_KEY:
            matches = [registry.BY_KEY[key]]
        else:
            matches = [d for d in registry.DATASETS if d.kind == key]
        if not matches:
            unknown.append(key)
        for dataset in matches:
            chosen.setdefault(dataset.key, dataset)
    if unknown:
        names = ", ".join(repr(k) for k in unknown)
        kinds = sorted({d.kind for d in registry.DATASETS} - set(registry.BY_KEY))
        also = f" (or a kind for all its datasets: {', '.join(kinds)})" if kinds else ""
        raise FetchUsageError(
            f"unknown dataset {names}; keys: {', '.join(d.key for d in registry.DATASETS)}{also}"
        )
    return tuple(chosen.values())


def fetch(
    keys: Iterable[str],
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
    mirror: str | None = None,
    progress: bool = True,
    *,
    every: bool = False,
    notify: Notify | None = None,
) -> list[FetchResult]:
    """Fetch and import each dataset named (see iter_fetch); one result per dataset."""
    return list(
        iter_fetch(
            keys,
            data_dir,
            cache_dir,
            mirror,
            progress,
            every=every,
            notify=notify,
        )
    )


def iter_fetch(
    keys: Iterable[str],
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
    mirror: str | None = None,
    progress: bool = True,
    *,
    every: bool = False,
    notify: Notify | None = None,
) -> Iterator[FetchResult]:
    """Fetch and import each dataset in turn, yielding its result as soon as it is done (so a
    command can print as it goes). A failed dataset does not stop the others.

    data_dir: the imports (default MILBAL_DATA_DIR as `milbal import`); cache_dir: the
    downloads (default_cache_dir()); mirror: a base URL replacing the publishers' hosts
    (default MILBAL_FETCH_MIRROR); progress: a tqdm bar per download on stderr; notify: called
    with a line for each file (downloading it, or found in the cache). Usage errors (unknown
    key, bad mirror) raise FetchUsageError before any download."""
    datasets = select(keys, every=every)
    mirror = check_mirror(mirror) if mirror is not None else mirror_from_env()
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    for dataset in datasets:
        yield fetch_dataset(
            dataset,
            data_dir=data_dir,
            cache=cache,
            mirror=mirror,
            progress=progress,
            notify=notify,
        )


def fetch_dataset(
    dataset: PublicDataset,
    *,
    data_dir: Path | None,
    cache: Path,
    mirror: str | None,
    progress: bool = True,
    notify: Notify | None = None,
) -> FetchResult:
    """Download the dataset's files into `cache` (each under its registry name) and import
    them. On a failed download every file this call downloaded is removed again, so the cache
    holds only whole datasets; a refused import keeps the files (they are the publisher's, as
    their hashes prove: fetching again would give the same bytes)."""
    say = notify or (lambda line: None)
    downloaded: list[str] = []
    try:
        for file in dataset.files:
            if _ensure(dataset, file, cache, file_url(file, mirror), progress, say):
                downloaded.append(file.name)
    except FetchFailed as exc:
        _discard(cache, [*downloaded, file.name])
        return FetchResult(dataset, None, (), None, str(exc))
    except BaseException:  # an interrupt: leave no half of a dataset behind
        _discard(cache, [*downloaded, file.name])
        raise
    single = len(dataset.files) == 1
    path = cache / dataset.folder if dataset.folder else cache / dataset.files[0].name
    try:
        result = import_path(
            dataset.kind,
            path,
            data_dir,
            file_name=path.name,
            sha256=dataset.files[0].sha256 if single else None,
            url=file_url(dataset.files[0], mirror) if single else _folder_url(dataset, mirror),
        )
    except ImportRefused as exc:
        error = f"{dataset.key}: the import refused {path}; nothing imported:\n{exc}"
        return FetchResult(dataset, path, tuple(downloaded), None, error)
    return FetchResult(dataset, path, tuple(downloaded), result)


def _folder_url(dataset: PublicDataset, mirror: str | None) -> str:
    """A folder kind's origin for its import record: the mirror's folder, or the publisher's
    page (its pinned files come from more than one folder of the repository)."""
    if mirror is None:
        return dataset.page
    return f"{mirror}/{urllib.parse.quote(dataset.folder or '')}/"


def _ensure(
    dataset: PublicDataset, file: PublicFile, cache: Path, url: str, progress: bool, say: Notify
) -> bool:
    """Have `file` in the cache with its pinned hash; True when it had to be downloaded."""
    target = cache / file.name
    downloader = _HashingDownloader(progress)
    try:
        if target.is_file():
            if pooch.file_hash(str(target)) == file.sha256:
                say(f"{dataset.key}: {file.name}: in the cache ({target})")
                return False
            # Not the pinned file (edited by hand, or left by an older registry): of no use,
            # and it must not outlive a failed download as if it were the dataset's.
            target.unlink()
        say(f"{dataset.key}: downloading {file.name} ({format_size(file.size)}) from {url}")
        with _quiet_pooch():
            pooch.retrieve(
                url,
                known_hash=f"sha256:{file.sha256}",
                fname=file.name,
                path=cache,
                downloader=downloader,
            )
    except requests.exceptions.HTTPError as exc:
        response = exc.response
        status = f"HTTP {response.status_code} {response.reason}" if response is not None else exc
        raise FetchFailed(_failed(dataset, file, url, str(status))) from None
    except requests.exceptions.Timeout:
        raise FetchFailed(_failed(dataset, file, url, f"no answer within {TIMEOUT} s")) from None
    except requests.exceptions.RequestException as exc:
        raise FetchFailed(_failed(dataset, file, url, _reason(exc))) from None
    except ValueError as exc:  # pooch: the hash does not match (the file is already deleted)
        got = downloader.received
        problem = f"sha256 mismatch: expected {file.sha256}, got {got}" if got else str(exc)
        raise FetchFailed(_failed(dataset, file, url, problem)) from None
    except OSError as exc:  # after requests' errors, which are OSErrors too
        problem = f"cannot use the cache {cache}: {exc.strerror or exc}"
        raise FetchFailed(_failed(dataset, file, url, problem)) from None
    return True


def _failed(dataset: PublicDataset, file: PublicFile, url: str, problem: str) -> str:
    return f"{dataset.key}: {file.name} from {url}: {problem}; nothing stored"


def _reason(exc: BaseException) -> str:
    """The innermost operating-system reason of a requests error ("Connection refused"),
    rather than urllib3's paragraph about connection pools and retries."""
    seen: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        current = todo.pop(0)
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OSError) and current.strerror:
            return f"connection failed: {current.strerror}"
        todo += [getattr(current, "reason", None), current.__cause__, current.__context__]
        todo += list(current.args)
    return f"connection failed: {type(exc).__name__}"


def _discard(cache: Path, names: list[str]) -> None:
    """Remove the given cached files (if there), and the folders they leave empty below the
    cache (pooch creates a file's folder before it downloads)."""
    for name in names:
        target = cache / name
        with contextlib.suppress(OSError):  # never there, or the cache is not a folder
            target.unlink(missing_ok=True)
        folder = target.parent
        while folder != cache and cache in folder.parents:
            try:
                folder.rmdir()
            except OSError:  # not empty
                break
            folder = folder.parent


class _HashingDownloader:
    """pooch's HTTP downloader, remembering the sha256 of what it received: pooch deletes a
    mismatching file before reporting it, and the message should name both hashes."""

    def __init__(self, progress: bool) -> None:
        self._http = pooch.HTTPDownloader(
            progressbar=progress,
            timeout=TIMEOUT,
            chunk_size=_CHUNK,
            headers={"User-Agent": "milbal-fetch"},
        )
        self.received: str | None = None

    def __call__(self, url: str, output_file, pooch_, check_only: bool = False):
        self.received = None
        answer = self._http(url, output_file, pooch_, check_only=check_only)
        if not check_only and isinstance(output_file, str | Path):
            self.received = pooch.file_hash(str(output_file))
        return answer


@contextlib.contextmanager
def _quiet_pooch() -> Iterator[None]:
    """pooch logs each download at INFO on stderr; fetch says it itself (notify)."""
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def format_size(size: int) -> str:
    """920464 -> '920 kB', 1000836 -> '1.0 MB' (decimal units, as downloads are counted)."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(1, round(size / 1000)):,} kB"


def registry_rows() -> list[dict[str, str]]:
    """The registry as `milbal fetch --list` shows it, one dict per dataset."""
    return [
        {
            "key": d.key,
            "kind": d.kind,
            "size": format_size(d.size),
            "in milbal": "embedded" if d.embedded else "import only",
            "licence": d.licence,
            "publisher": d.publisher,
            "adds": d.adds,
        }
        for d in registry.DATASETS
    ]

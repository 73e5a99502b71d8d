"""The `milbal` command: serve the dashboard, validate data, import public datasets, export
charts and briefings.

Exit codes: 0 success, 1 bad data (a refused import, or an export that failed), 2 bad usage (an
unknown chart, kind or parameter, a bad value), 141 when the reader of the output has gone (a
closed pipe, as in `| head -1`). Errors go to stderr, never as a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from validation.vocabulary import TABLES

EXIT_OK, EXIT_BAD_DATA, EXIT_USAGE = 0, 1, 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for `yes | head -1`


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="milbal", description="Military balance dashboard with sourced, validated data."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="run the dashboard on the embedded data",
        description="Run the dashboard: Flask's own server, or gunicorn with --prod. The data "
        "is validated first (exit 1 with the problems); the catalog is read once, at start: "
        "restart after `milbal import`. Exports are cached in-process, or in the Redis that "
        "MILBAL_CACHE_URL names (redis://host:port/db).",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8050, help="port to listen on (8050)")
    serve.add_argument("--debug", action="store_true", help="Dash debug mode (reloads on edit)")
    serve.add_argument(
        "--prod",
        action="store_true",
        help="serve with gunicorn: several workers, request timeout, access log on stdout",
    )
    serve.add_argument(
        "--workers",
        type=_positive,
        metavar="N",
        help="with --prod: worker processes (default: one per core)",
    )
    serve.add_argument(
        "--timeout",
        type=_positive,
        metavar="S",
        help="with --prod: seconds a request may take before its worker is replaced (60)",
    )

    validate = commands.add_parser(
        "validate",
        help="check data files (no PATH: the embedded datasets)",
        description="Check CSV files against milbal's schemas. Without PATH, check the embedded "
        "datasets and print a summary. Each problem is printed as file:line: column: value: rule.",
    )
    validate.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="CSV files to check")
    validate.add_argument(
        "--table",
        choices=list(TABLES),
        metavar="NAME",
        help=f"table the files hold (default: from the file name); one of {', '.join(TABLES)}",
    )

    imp = commands.add_parser(
        "import",
        help="import a public dataset (GMI, GFP, SIPRI, WDI, NMC, CDB90) into the data folder",
        description="Read a publisher's file, check it, and store it in MILBAL_DATA_DIR "
        "(default: $XDG_DATA_HOME/milbal or ~/.local/share/milbal), where the dashboard picks "
        "it up at start. The same file again changes nothing; a bad file is refused with "
        "file:line: column: value: rule and nothing is stored.",
    )
    imp.add_argument("kind", nargs="?", metavar="KIND", help="the kind of file: " + _kinds())
    imp.add_argument(
        "path", nargs="?", type=Path, metavar="PATH", help="the file (cdb90: a folder or its .zip)"
    )
    imp.add_argument("--from-url", metavar="URL", help="download the file (http/https) instead")
    imp.add_argument("--sha256", metavar="HEX", help="the download's sha256 (with --from-url)")
    imp.add_argument("--list", action="store_true", help="list the stored imports")
    imp.add_argument(
        "--replace",
        action="store_true",
        help="replace the stored import even by a poorer one (a table emptied or gone, or under "
        "half its rows), which is refused otherwise",
    )

    build = commands.add_parser(
        "build-datasets",
        help="rebuild the built-in world tables (datasets/world/) from the publishers' files",
        description="Run milbal's importers on the openly licensed public files (World Bank WDI "
        "via OWID, COW NMC, CDB90) and write their tidy tables to datasets/world/, adding the "
        "countries they name to datasets/countries.csv. Each file must have its pinned sha256 "
        "(`milbal fetch --list` shows them); a different file is refused and nothing is written.",
    )
    build.add_argument(
        "keys", nargs="*", metavar="KEY", help="datasets to rebuild (default: all built-in ones)"
    )
    build.add_argument(
        "--from",
        dest="source",
        type=Path,
        required=True,
        metavar="DIR",
        help="folder laid out as the reference data (cow_nmc/NMC-60-abridged.csv, ...), e.g. "
        "../shared/reference/data or the download cache of `milbal fetch`",
    )
    fetch = commands.add_parser(
        "fetch",
        help="download the public datasets (hash-checked, cached) and import them",
        description="Download each named dataset's files from the registry's pinned URLs (or "
        "from MILBAL_FETCH_MIRROR/<name>), check each file's sha256, keep it in MILBAL_CACHE_DIR "
        "(default: $XDG_CACHE_HOME/milbal/downloads or ~/.cache/milbal/downloads) and import "
        "it into MILBAL_DATA_DIR as `milbal import` does. Cached files are not downloaded again; "
        "a file that fails its check is not kept, and its dataset is not imported.",
    )
    fetch.add_argument("keys", nargs="*", metavar="KEY", help="datasets to fetch (see --list)")
    fetch.add_argument("--all", action="store_true", help="fetch every dataset of the registry")
    fetch.add_argument("--list", action="store_true", help="list the registry's datasets")

    export = commands.add_parser(
        "export",
        help="write one chart as CSV, PNG, SVG, PDF, HTML or JSON",
        description="Write one chart of the registry to a file, drawn for the given parameters "
        "(as in its URL: /chart/<slug>.<format>?name=value...). The charts and their parameters "
        "are listed at /chart/index.json of a running dashboard.",
    )
    export.add_argument("slug", help="the chart, e.g. force-ratio")
    export.add_argument(
        "--format", "-f", required=True, metavar="FORMAT", help="csv, png, svg, pdf, html or json"
    )
    _add_params(export)
    export.add_argument("--width", type=int, help="image width in px (1200; 200-4000)")
    export.add_argument("--height", type=int, help="image height in px (675; 200-4000)")
    export.add_argument("--scale", type=float, help="image scale (1; 0.5-4)")
    export.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        metavar="FILE",
        help="file to write (- for stdout)",
    )

    briefing = commands.add_parser(
        "briefing",
        help="write a PowerPoint briefing of some charts",
        description="Write a PowerPoint deck: a title slide, one slide per chart (title, image, "
        "source footnote) and a slide of every source with its licence.",
    )
    briefing.add_argument(
        "--charts", required=True, metavar="SLUG,SLUG", help="charts in order, or 'all'"
    )
    _add_params(briefing)
    briefing.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        metavar="FILE",
        help="file to write (- for stdout)",
    )
    return parser


def _add_params(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--param",
        "-p",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a chart parameter, e.g. --param a=AZE --param terrain=mountain (repeatable)",
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: must be 1 or more")
    return value


def _kinds() -> str:
    from validation.importers import KINDS

    return ", ".join(KINDS)


class UsageError(ValueError):
    """Bad command-line input; the message says which."""


def _params(pairs: list[str]) -> dict[str, str]:
    """{'a': 'AZE', ...} from ['a=AZE', ...]; a malformed or repeated name is a UsageError."""
    query: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--param: {pair!r} is not NAME=VALUE")
        if name in query:
            raise UsageError(f"{name}: given more than once")
        query[name] = value
    return query


def _write(path: Path, content: bytes) -> None:
    if str(path) == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    path.write_bytes(content)
    print(f"wrote {path} ({len(content):,} bytes)", file=sys.stderr)


def cmd_export(args: argparse.Namespace) -> int:
    from dashboard.charts import get_chart, load_charts, render
    from dashboard.export import FORMATS, ExportError, NoData, export_chart
    from dashboard.export.figures import (
        DEFAULT_HEIGHT,
        DEFAULT_SCALE,
        DEFAULT_WIDTH,
        IMAGE_FORMATS,
        check_size,
    )
    from dashboard.params import ParamError, parse_query, settle_unstated
    from validation import load_catalog

    chart = get_chart(args.slug)
    if chart is None:
        print(
            f"milbal export: unknown chart {args.slug!r}; charts: {', '.join(load_charts())}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    size = {"width": args.width, "height": args.height, "scale": args.scale}
    try:
        if args.format not in FORMATS:
            raise UsageError(f"--format: {args.format!r} is not one of {', '.join(FORMATS)}")
        given = [f"--{name}" for name, value in size.items() if value is not None]
        if given and args.format not in IMAGE_FORMATS:
            raise UsageError(f"{', '.join(given)}: only for {', '.join(IMAGE_FORMATS)}")
        width = args.width if args.width is not None else DEFAULT_WIDTH
        height = args.height if args.height is not None else DEFAULT_HEIGHT
        scale = args.scale if args.scale is not None else DEFAULT_SCALE
        check_size(width, height, scale)
        given, catalog = _params(args.param), load_catalog()
        values, _ = parse_query(chart.params, given, catalog, strict=True)
        settle_unstated(chart.params, values, given, catalog)
    except (UsageError, ParamError, ValueError) as exc:
        print(f"milbal export: {exc}", file=sys.stderr)
        return EXIT_USAGE
    rendered = render(chart.slug, values)
    try:
        size = {"width": width, "height": height, "scale": scale}
        content = export_chart(rendered, args.format, size)
        _write(args.output, content)
    except BrokenPipeError:
        raise  # the reader of stdout has gone: main() stops quietly
    except OSError as exc:
        print(f"milbal export: {_os_message(exc)}", file=sys.stderr)
        return EXIT_BAD_DATA
    except (NoData, ExportError) as exc:
        print(f"milbal export: {exc}", file=sys.stderr)
        return EXIT_BAD_DATA
    return EXIT_OK


def cmd_briefing(args: argparse.Namespace) -> int:
    from dashboard.charts import load_charts
    from dashboard.export import ExportError, NoData
    from dashboard.export.briefing import UnknownChart, build_briefing
    from dashboard.params import ParamError

    slugs = args.charts.split(",")
    if [s.strip() for s in slugs] == ["all"]:
        slugs = list(load_charts())

    def progress(i: int, n: int, slug: str) -> None:
        print(f"[{i}/{n}] {slug}", file=sys.stderr, flush=True)

    try:
        content = build_briefing(
            slugs,
            _params(args.param),
            progress=progress,
            left_out=lambda note: print(note, file=sys.stderr, flush=True),
        )
    except (UsageError, UnknownChart, ParamError) as exc:
        print(f"milbal briefing: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (NoData, ExportError) as exc:
        print(f"milbal briefing: {exc}", file=sys.stderr)
        return EXIT_BAD_DATA
    try:
        _write(args.output, content)
    except BrokenPipeError:
        raise  # the reader of stdout has gone: main() stops quietly
    except OSError as exc:
        print(f"milbal briefing: {_os_message(exc)}", file=sys.stderr)
        return EXIT_BAD_DATA
    return EXIT_OK


def _print_issues(issues) -> None:
    for issue in issues:
        print(issue, file=sys.stderr)
    print(f"{len(issues)} problem{'s' * (len(issues) != 1)} found", file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    from validation.catalog import (
        datasets_dir,
        display_path,
        load_directory,
        summarize,
        validate_paths,
    )

    directory = datasets_dir()
    embedded, embedded_issues = load_directory(directory)
    if args.paths:
        checked, issues = validate_paths(args.paths, args.table, embedded)
        if issues:
            _print_issues(issues)
            return EXIT_BAD_DATA
        for table in checked:
            print(f"{table.path}: {table.name}: {len(table.frame)} rows: valid")
        return EXIT_OK

    issues = embedded_issues
    if args.table:
        issues = [i for i in issues if Path(i.file).name.startswith(f"{args.table}.")]
        embedded = {args.table: embedded[args.table]} if args.table in embedded else {}
    if issues:
        _print_issues(issues)
        return EXIT_BAD_DATA
    summary = summarize(embedded, {})
    print(f"{'table':<15}{'rows':>6}{'columns':>9}{'sources cited':>15}")
    for row in summary.itertuples():
        print(f"{row.table:<15}{row.rows:>6}{row.columns:>9}{row.sources:>15}")
    rows = int(summary["rows"].sum())
    n_sources = len(embedded["sources"]) if "sources" in embedded else 0
    where = display_path(directory)
    print(f"{len(embedded)} tables, {rows} rows, {n_sources} sources: all valid ({where})")
    return EXIT_OK


def _print_record(record: dict, where: Path) -> None:
    rows = ", ".join(f"{table} {n:,} rows" for table, n in record.get("rows", {}).items())
    print(f"{record['kind']}: {record.get('file')} (sha256 {record.get('sha256', '')[:12]})")
    print(f"  tables: {rows or 'none'}; new countries: {record.get('countries', 0)}")
    print(f"  source: {record.get('source_id', '')}; imported {record.get('imported_at', '')}")
    for note in record.get("notes", []):
        print(f"  note: {note}")
    print(f"  stored in {where}")


def cmd_import(args: argparse.Namespace) -> int:
    from validation.importers import KINDS, describe_kinds
    from validation.importers.base import ImportRefused
    from validation.importers.store import data_dir, from_url, import_path, records

    root = data_dir()
    if args.list:
        if args.kind or args.path or args.from_url:
            print("milbal import: --list takes no KIND, PATH or --from-url", file=sys.stderr)
            return EXIT_USAGE
        stored = records(root)
        if not stored:
            print(f"no imports in {root}")
        for slot, record in stored.items():
            _print_record(record, root / slot)
        return EXIT_OK
    if not args.kind:
        print(
            "milbal import: give KIND and PATH (or --from-url URL --sha256 HEX), or --list; "
            f"kinds: {', '.join(KINDS)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.kind not in KINDS:
        described = "; ".join(f"{k}: {d}" for k, d in describe_kinds().items())
        print(f"milbal import: unknown kind {args.kind!r}; kinds: {described}", file=sys.stderr)
        return EXIT_USAGE
    if args.from_url and args.path:
        print("milbal import: give PATH or --from-url, not both", file=sys.stderr)
        return EXIT_USAGE
    if args.sha256 and not args.from_url:
        print("milbal import: --sha256 goes with --from-url", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.from_url:
            if not args.sha256:
                raise UsageError("--from-url needs --sha256 HEX (the expected file's sha256)")
            result = from_url(args.kind, args.from_url, args.sha256, root, replace=args.replace)
        elif args.path:
            result = import_path(args.kind, args.path, root, replace=args.replace)
        else:
            raise UsageError(f"{args.kind}: give PATH (or --from-url URL --sha256 HEX)")
    except ValueError as exc:  # UsageError, or a bad URL or sha256
        print(f"milbal import: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ImportRefused as exc:
        print(f"milbal import: refused; nothing stored:\n{exc}", file=sys.stderr)
        return EXIT_BAD_DATA
    record = result.record
    if not result.changed and record.get("made_by"):
        print(
            f"{record.get('file')}: already built into milbal (same sha256; datasets/world/"
            f"{record.get('slot')}): nothing to import"
        )
        return EXIT_OK
    if not result.changed:
        print(
            f"{record.get('file')}: already imported (same sha256): nothing changed "
            f"({root / record.get('slot', record['kind'])})"
        )
        return EXIT_OK
    _print_record(record, root / record.get("slot", record["kind"]))
    return EXIT_OK


def cmd_build_datasets(args: argparse.Namespace) -> int:
    from validation.catalog import datasets_dir, display_path
    from validation.importers.base import ImportRefused
    from validation.importers.build import build_world
    from validation.importers.registry import embedded_datasets

    known = [d.key for d in embedded_datasets()]
    unknown = [k for k in args.keys if k not in known]
    if unknown:
        print(
            f"milbal build-datasets: unknown dataset {', '.join(unknown)}; built-in ones: "
            f"{', '.join(known)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if not args.source.is_dir():
        print(f"milbal build-datasets: --from {args.source}: not a folder", file=sys.stderr)
        return EXIT_USAGE
    try:
        built = build_world(
            args.source,
            datasets_dir(),
            keys=args.keys or None,
            progress=lambda text: print(text, file=sys.stderr),
        )
    except ImportRefused as exc:
        print(f"milbal build-datasets: refused; nothing written:\n{exc}", file=sys.stderr)
        return EXIT_BAD_DATA
    for item in built:
        rows = ", ".join(f"{table} {n:,} rows" for table, n in item.rows.items())
        print(f"{item.key}: {rows} -> {display_path(item.folder)}")
    return EXIT_OK


def cmd_fetch(args: argparse.Namespace) -> int:
    from validation.importers.fetch import FetchUsageError, iter_fetch, registry_rows
    from validation.importers.store import data_dir

    if args.list:
        if args.keys or args.all:
            print("milbal fetch: --list takes no KEY or --all", file=sys.stderr)
            return EXIT_USAGE
        _print_table(registry_rows(), wide=("publisher", "adds"))
        return EXIT_OK
    if bool(args.keys) == args.all:
        print("milbal fetch: give KEY ... or --all (or --list)", file=sys.stderr)
        return EXIT_USAGE
    root = data_dir()
    failed = 0
    try:
        for result in iter_fetch(
            args.keys,
            root,
            every=args.all,
            progress=sys.stderr.isatty(),
            notify=lambda line: print(line, file=sys.stderr, flush=True),
        ):
            if not result.ok:
                failed += 1
                print(f"milbal fetch: {result.error}", file=sys.stderr, flush=True)
                continue
            record = result.imported.record
            where = root / record.get("slot", record["kind"])
            if result.imported.changed:
                _print_record(record, where)
            elif record.get("made_by"):
                print(
                    f"{result.dataset.key}: {record.get('file')}: already built into milbal "
                    f"(same sha256; datasets/world/{record.get('slot')}): nothing to import"
                )
            else:
                print(
                    f"{result.dataset.key}: {record.get('file')}: already imported "
                    f"(same sha256): nothing changed ({where})"
                )
            sys.stdout.flush()
    except FetchUsageError as exc:
        print(f"milbal fetch: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_BAD_DATA if failed else EXIT_OK


def _print_table(rows: list[dict[str, str]], wide: tuple[str, ...]) -> None:
    """Rows as aligned columns; the `wide` columns go on indented lines below each row, so
    that the table fits a terminal."""
    columns = [c for c in rows[0] if c not in wide]
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns).rstrip())
    indent = " " * (widths[columns[0]] + 2)
    for row in rows:
        print("  ".join(row[c].ljust(widths[c]) for c in columns).rstrip())
        for column in wide:
            print(f"{indent}{column}: {row[column]}")


def cmd_serve(args: argparse.Namespace) -> int:
    from dashboard.cache import CacheConfigError, cache_config, check_reachable, describe
    from validation import DataValidationError, load_catalog

    if not args.prod and (args.workers or args.timeout):
        print("milbal serve: --workers and --timeout go with --prod", file=sys.stderr)
        return EXIT_USAGE
    if args.prod and args.debug:
        print("milbal serve: --debug is for the development server, not --prod", file=sys.stderr)
        return EXIT_USAGE
    try:
        config = cache_config()
        check_reachable(config)
    except CacheConfigError as exc:
        print(f"milbal serve: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        load_catalog()
    except DataValidationError as exc:
        print("the embedded datasets are not valid; run `milbal validate`:", file=sys.stderr)
        _print_issues(exc.issues)
        return EXIT_BAD_DATA
    from dashboard.factory import create_app, warm_up
    from dashboard.memory import limit_malloc_arenas

    limit_malloc_arenas()
    app = create_app()
    if args.prod:
        from dashboard.serving import ServeOptions, default_workers, serve_prod

        options = ServeOptions(
            host=args.host,
            port=args.port,
            workers=args.workers or default_workers(),
            timeout=args.timeout or ServeOptions.timeout,
        )
        warm_up()  # once, before the workers are forked: they start warm
        print(
            f"milbal: serving on http://{args.host}:{args.port} with gunicorn, "
            f"{options.workers} worker{'s' * (options.workers != 1)}, "
            f"timeout {options.timeout} s, export cache {describe(config)}",
            flush=True,
        )
        serve_prod(app.server, options)
        return EXIT_OK
    import threading

    threading.Thread(target=warm_up, name="milbal-warm-up", daemon=True).start()
    print(
        f"milbal: serving on http://{args.host}:{args.port} (export cache {describe(config)})",
        flush=True,
    )
    app.run(host=args.host, port=args.port, debug=args.debug)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    try:
        code = _run(argv)
        sys.stdout.flush()  # output still buffered meets a closed pipe here, not at exit
    except BrokenPipeError:
        return _reader_gone()
    return code


def _reader_gone() -> int:
    """The reader of our output has gone (`milbal import --list | head -1`): stop quietly.
    stdout is pointed at /dev/null so that the interpreter's last flush finds no broken pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout without a file descriptor (replaced in tests)
        pass
    return EXIT_BROKEN_PIPE


def _os_message(exc: OSError) -> str:
    """An OSError as 'path: reason', without the errno."""
    reason = exc.strerror or str(exc)
    return f"{exc.filename}: {reason}" if exc.filename else reason


def _run(argv: list[str] | None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage or the help
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    handler = {
        "serve": cmd_serve,
        "validate": cmd_validate,
        "import": cmd_import,
        "build-datasets": cmd_build_datasets,
        "fetch": cmd_fetch,
        "export": cmd_export,
        "briefing": cmd_briefing,
    }[args.command]
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        raise
    except OSError as exc:  # a file that could not be read or written
        print(f"milbal {args.command}: {_os_message(exc)}", file=sys.stderr)
        return EXIT_BAD_DATA
    except Exception as exc:  # last resort: a message, not a traceback
        detail = str(exc).strip() or "no detail"
        print(
            f"milbal {args.command}: internal error (a bug in milbal; please report it with "
            f"the command): {detail}",
            file=sys.stderr,
        )
        return EXIT_BAD_DATA


if __name__ == "__main__":
    sys.exit(main())

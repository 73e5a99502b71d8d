"""The `milbal` command: serve the dashboard, validate data.

Exit codes: 0 success, 1 bad data, 2 bad usage. Errors go to stderr, never as a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from validation.schemas import MODELS

EXIT_OK, EXIT_BAD_DATA, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="milbal", description="Military balance dashboard with sourced, validated data."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the dashboard on the embedded data")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8050, help="port to listen on (8050)")
    serve.add_argument("--debug", action="store_true", help="Dash debug mode (reloads on edit)")

    validate = commands.add_parser(
        "validate",
        help="check data files (no PATH: the embedded datasets)",
        description="Check CSV files against milbal's schemas. Without PATH, check the embedded "
        "datasets and print a summary. Each problem is printed as file:line: column: value: rule.",
    )
    validate.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="CSV files to check")
    validate.add_argument(
        "--table",
        choices=list(MODELS),
        metavar="NAME",
        help=f"table the files hold (default: from the file name); one of {', '.join(MODELS)}",
    )
    return parser


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


def cmd_serve(args: argparse.Namespace) -> int:
    from validation import DataValidationError, load_catalog

    try:
        load_catalog()
    except DataValidationError as exc:
        print("the embedded datasets are not valid; run `milbal validate`:", file=sys.stderr)
        _print_issues(exc.issues)
        return EXIT_BAD_DATA
    import threading

    from dashboard.factory import create_app, warm_up

    app = create_app()
    threading.Thread(target=warm_up, name="milbal-warm-up", daemon=True).start()
    print(f"milbal: serving on http://{args.host}:{args.port}", flush=True)
    app.run(host=args.host, port=args.port, debug=args.debug)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler = {"serve": cmd_serve, "validate": cmd_validate}[args.command]
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # last resort: a message, not a traceback
        print(
            f"milbal {args.command}: internal error: {type(exc).__name__}: {exc}", file=sys.stderr
        )
        return EXIT_BAD_DATA


if __name__ == "__main__":
    sys.exit(main())

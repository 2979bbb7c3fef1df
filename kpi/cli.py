"""`kpi`: validate, import, list values and revisions, roll back and load the sample, as the app does."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import sqlalchemy

from kpi import service, storage
from kpi.schemas import DATASETS, contract_markdown


def _constants(pairs: list[str]) -> dict[str, str]:
    constants = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise SystemExit(f"--set expects COLUMN=VALUE, got {pair!r}")
        key, value = pair.split("=", 1)
        constants[key.strip()] = value
    return constants


def _read(args) -> service.ImportResult:
    path = Path(args.file)
    try:
        if path.stat().st_size > service.max_upload_bytes():
            return service.too_large(path.stat().st_size, args.dataset, path.name)
        data = path.read_bytes()
    except OSError as exc:
        raise SystemExit(f"cannot read {path}: {exc.strerror}") from None
    mapping = {k: v for k, v in _constants(args.map).items()}
    return service.validate_bytes(data, args.dataset, constants=_constants(args.set), encoding=args.encoding,
                                  file_name=path.name, mapping=mapping)


def _report(result, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"ok": result.ok, "dataset": result.dataset, "encoding": result.encoding,
                          "header_line": result.header_line, "layout": result.layout, "mapping": result.mapping,
                          "rows": 0 if result.frame is None else len(result.frame),
                          "errors": [p.as_dict() for p in result.errors],
                          "warnings": [p.as_dict() for p in result.warnings]}, ensure_ascii=False, indent=2))
        return
    for problem in result.errors:
        print(f"{result.file_name}: error: {problem}", file=sys.stderr)
    for problem in result.warnings:
        print(f"{result.file_name}: warning: {problem}", file=sys.stderr)
    if result.ok:
        print(f"{result.file_name}: {len(result.frame)} rows OK ({result.encoding}, {result.layout} layout, "
              f"header on line {result.header_line})")


def cmd_validate(args) -> int:
    result = _read(args)
    _report(result, as_json=args.json)
    return 0 if result.ok else 1


def cmd_import(args) -> int:
    result = _read(args)
    _report(result, as_json=False)
    if not result.ok:
        print(f"{len(result.errors)} error(s): nothing was imported", file=sys.stderr)
        return 1
    revision = service.import_result(result, mode=args.mode, user=args.user, note=args.note)
    print(f"imported {len(result.frame)} rows into {args.dataset} as revision {revision} ({args.mode})")
    return 0


def cmd_values(args) -> int:
    values = service.current_values()
    if args.indicator:
        values = values[values["indicator"] == args.indicator]
    records = service.values_as_records(values)
    if args.json:
        print(json.dumps(records, ensure_ascii=False, indent=1))
    else:
        for r in records:
            print(f"{r['indicator']:32} {r['period']:>6} {r['value']:>14,.2f} {r.get('status') or ''}")
    return 0


def cmd_history(args) -> int:
    frame = storage.history()
    if args.json:
        frame["created_at"] = frame["created_at"].map(lambda t: t.isoformat() if t is not None else None)
        print(json.dumps(service.values_as_records(frame), ensure_ascii=False, indent=1))
    else:
        for r in frame.itertuples(index=False):
            print(f"{r.revision:>5} {r.dataset:11} {r.action:9} {r.created_at:%Y-%m-%d %H:%M} {r.user:12} "
                  f"{r.row_count:>9} {r.file_name} {r.note}")
    return 0


def cmd_rollback(args) -> int:
    new = storage.rollback(args.revision, user=args.user, note=args.note)
    print(f"restored the state after revision {args.revision} as revision {new}")
    return 0


def cmd_load_sample(args) -> int:
    if args.if_empty and storage.latest_revision() > 0:
        print("the database already holds data; sample not loaded")
        return 0
    revisions = service.load_sample()
    print(f"loaded the bundled sample data as revisions {revisions[0]}–{revisions[-1]}")
    return 0


def cmd_serve(args) -> int:
    """`streamlit run dashboard.py`, with Streamlit's legacy pages/ mode off from the first request.

    Streamlit decides per process whether a folder named pages/ means "legacy multipage app" and only drops
    that after a session has called st.navigation; until then a deep link such as /mobility would run the
    page file alone, without the entry's navigation and language switch.
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli as streamlit_cli

    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(storage.PROJECT_ROOT / "dashboard.py"), *args.streamlit_args]
    return streamlit_cli.main()


def cmd_export(args) -> int:
    """pptx / pdf of every KPI, or png of one KPI's chart, from the newest revision (or --revision)."""
    from kpi import exports

    at = args.revision
    datasets = storage.load_all(at_revision=at)
    history = storage.history()
    if at is not None:
        history = history[history["revision"] <= at]
    deck = exports.build_deck(datasets, history, lang=args.lang, pillars=args.pillar)
    if args.format == "pptx":
        data = exports.deck_pptx(deck)
    elif args.format == "pdf":
        data = exports.deck_pdf(deck)
    else:
        slides = [s for s in deck.slides if s.indicator == args.indicator]
        if not slides:
            print(f"error: --indicator must be one of {', '.join(s.indicator for s in deck.slides)}", file=sys.stderr)
            return 1
        data = exports.chart_png(slides[0], args.lang)
    Path(args.out).write_bytes(data)
    print(f"wrote {args.out} ({len(data):,} bytes, {len(deck.slides)} KPIs, revision {deck.revision})")
    return 0


def cmd_schema(_args) -> int:
    print(contract_markdown())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kpi", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def file_command(name: str, help_text: str):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("file")
        p.add_argument("--dataset", required=True, choices=list(DATASETS))
        p.add_argument("--set", action="append", metavar="COLUMN=VALUE",
                       help="a column that is constant for the whole file (repeatable)")
        p.add_argument("--encoding", help="override encoding detection (utf-8, cp932, ...)")
        p.add_argument("--map", action="append", metavar="HEADER=COLUMN",
                       help="map a file header to a contract column (empty COLUMN ignores it); repeatable")
        return p

    p = file_command("validate", "check a file; exit 1 and list every located error")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_validate)
    p = file_command("import", "validate, then store the file as one revision")
    p.add_argument("--mode", choices=["append", "replace"], default="append")
    p.add_argument("--note", default="")
    p.add_argument("--user")
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("values", help="computed KPI values")
    p.add_argument("--indicator")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_values)
    p = sub.add_parser("history", help="revisions, oldest first")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_history)
    p = sub.add_parser("rollback", help="restore a dataset to its state right after REVISION")
    p.add_argument("revision", type=int)
    p.add_argument("--note", default="")
    p.add_argument("--user")
    p.set_defaults(func=cmd_rollback)
    p = sub.add_parser("load-sample", help="import the bundled sample data")
    p.add_argument("--if-empty", action="store_true", help="only when the database holds no revision yet")
    p.set_defaults(func=cmd_load_sample)
    p = sub.add_parser("export", help="take-away documents: pptx deck, pdf report, png chart")
    p.add_argument("format", choices=["pptx", "pdf", "png"])
    p.add_argument("--out", required=True)
    p.add_argument("--lang", choices=["en", "ja"], default="en")
    p.add_argument("--pillar", action="append", choices=["education", "research", "industry", "community"],
                   help="only these pillars (repeatable); all by default")
    p.add_argument("--indicator", help="for png: the KPI whose chart to draw")
    p.add_argument("--revision", type=int, help="freeze the data at this revision")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("serve", help="serve the app (extra arguments go to streamlit run)")
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("schema", help="print the data contract as Markdown")
    p.set_defaults(func=cmd_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.command == "serve":
        args.streamlit_args = extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return args.func(args)
    except storage.StorageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except sqlalchemy.exc.SQLAlchemyError as exc:
        print(f"error: the database refused the operation: {getattr(exc, 'orig', exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

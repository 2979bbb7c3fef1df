"""`kpi`: validate, import, list values and revisions, roll back and load the sample, as the app does."""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

# `kpi --help` answers without pandas, SQLAlchemy or pandera: each command imports what it uses.
DATASET_NAMES = ("mobility", "papers", "agreements", "indicators", "targets", "enrolment", "staff")  # = schemas.DATASETS (tested)
DELIMITERS = {"comma": ",", ",": ",", "tab": "\t", "\\t": "\t", "\t": "\t", "semicolon": ";", ";": ";", "pipe": "|",
              "|": "|"}


def _lang(args=None) -> str:
    """The messages' language: the command's --lang, else KPI_LANG, else English."""
    import os

    return getattr(args, "lang", None) or os.environ.get("KPI_LANG") or "en"


def _t(key: str, lang: str | None = None, **fields) -> str:
    from kpi.text.i18n import t

    return t(key, lang or _lang(), **fields)


def _constants(pairs: list[str], lang: str | None = None) -> dict[str, str]:
    constants = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise SystemExit(_t("cli.error", lang, message=_t("cli.set_expects", lang, pair=repr(pair))))
        key, value = pair.split("=", 1)
        constants[key.strip()] = value
    return constants


def _delimiter(text: str) -> str:
    if text not in DELIMITERS:
        raise argparse.ArgumentTypeError("use comma, tab, semicolon or pipe (or the character itself)")
    return DELIMITERS[text]


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("a line number from 1")
    return int(text)


def _read(args):
    """One file, or several exports of one search read as one import (deduplicated by normalised id)."""
    from kpi.ingest.combine import combine

    return combine([_read_one(args, Path(name)) for name in args.file])


def _read_one(args, path: Path):
    from kpi.store import service

    try:
        if path.stat().st_size > service.max_upload_bytes():
            return service.too_large(path.stat().st_size, args.dataset, path.name)
        data = path.read_bytes()
    except OSError as exc:
        raise SystemExit(_t("cli.error", args.lang, message=_t("cli.cannot_read", args.lang, path=path,
                                                                 reason=exc.strerror))) from None
    mapping = {k: v for k, v in _constants(args.map, args.lang).items()}
    return service.validate_bytes(data, args.dataset, constants=_constants(args.set, args.lang), encoding=args.encoding,
                                  file_name=path.name, mapping=mapping, delimiter=args.delimiter,
                                  header_line=args.header_line, sheet=args.sheet)


def _report(result, *, as_json: bool, lang: str = "en") -> None:
    from kpi.text.i18n import t

    if as_json:
        print(json.dumps({"ok": result.ok, "dataset": result.dataset, "source": result.source,
                          "encoding": result.encoding, "sheet": result.sheet, "delimiter": result.delimiter,
                          "header_line": result.header_line, "layout": result.layout, "mapping": result.mapping,
                          "records": result.records, "rows": 0 if result.frame is None else len(result.frame),
                          "summary": result.summary,
                          "errors": [p.as_dict(lang) for p in result.errors],
                          "warnings": [p.as_dict(lang) for p in result.warnings]}, ensure_ascii=False, indent=2))
        return
    for severity, problems in (("error", result.errors), ("warning", result.warnings)):
        word = t(f"imp.severity.{severity}", lang)
        for problem in problems:
            print(f"{result.file_name}: {word}: {problem.text_in(lang)}", file=sys.stderr)
    if result.source != "table" or result.records:
        print(f"{result.file_name}: {result.detected_in(lang)}")
    if result.ok:
        print(f"{result.file_name}: " + t("cli.rows_ok", lang, rows=len(result.frame), encoding=result.encoding,
                                          layout=t(f"layout.{result.layout}", lang), line=result.header_line or "-"))
        if result.summary:
            print(f"{result.file_name}: {result.summary_in(lang)}")


def cmd_validate(args) -> int:
    result = _read(args)
    _report(result, as_json=args.json, lang=args.lang)
    return 0 if result.ok else 1


def cmd_import(args) -> int:
    from kpi.store import identity, plan, storage
    from kpi.text.i18n import t

    lang = args.lang
    result = _read(args)
    _report(result, as_json=False, lang=lang)
    if not result.ok:
        print(t("cli.nothing_imported", lang, n=len(result.errors)), file=sys.stderr)
        return 1
    # The CLI commits the plan it prints without anyone reviewing it, so when another import lands in the same
    # dataset meanwhile it plans again on the new state (a few times) instead of giving up.
    for attempt in range(CLI_PLAN_ATTEMPTS):
        the_plan = plan.make_plan(result, mode=args.mode)
        for sentence in the_plan.sentences(lang):
            print(t("cli.plan", lang, sentence=_plain(sentence)))
        refusals = the_plan.refusals(reason=args.allow_duplicate or "")
        if refusals:
            if "plan.overlap_refused" in refusals:
                print(t("cli.overlap_refused", lang), file=sys.stderr)
            if "plan.duplicate_refused" in refusals:
                print(t("cli.duplicate_refused", lang, sentence=_plain(the_plan.duplicate_sentence(lang))),
                      file=sys.stderr)
            return 1
        try:
            revision = plan.commit(the_plan, result, user=identity.cli_user(args.user), note=args.note,
                                   reason=args.allow_duplicate or "")
        except storage.StalePlan as moved:
            if attempt + 1 == CLI_PLAN_ATTEMPTS:
                raise
            print(t("cli.replan", lang, dataset=args.dataset, revision=moved.found))
            continue
        print(t("cli.imported", lang, rows=len(result.frame), dataset=args.dataset, revision=revision,
                mode=args.mode))
        return 0
    return 1


CLI_PLAN_ATTEMPTS = 3


def _plain(text: str | None) -> str:
    """Catalogue sentences escape names for Markdown; a terminal shows them as typed."""
    return re.sub(r"\\(.)", r"\1", (text or "").replace("\u2060", ""))


def strict_json(value):
    """JSON has no NaN or Infinity: a non-finite number (an overflowing sum) is written as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: strict_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict_json(v) for v in value]
    return value


def dumps(records) -> str:
    return json.dumps(strict_json(records), ensure_ascii=False, indent=1, allow_nan=False, default=str)


def cmd_values(args) -> int:
    """Every KPI value with its evaluation, read from the same snapshot the app and the exports use."""
    from kpi.store import service, snapshot

    if not _revision_exists(args.revision):
        return 1
    snap = snapshot.load(at_revision=args.revision)
    values = snap.scorecard if args.latest else snap.evaluation
    if args.indicator:
        values = values[values["indicator"] == args.indicator]
    records = service.values_as_records(values)
    if args.json:
        print(dumps(records))
    else:
        for r in records:
            finite = isinstance(r["value"], (int, float)) and math.isfinite(r["value"])
            value = f"{r['value']:,.2f}" if finite else ""
            print(f"{r['indicator']:32} {r['period'] or '':>6} {value:>14} {r['status']:16} {r['outlook'] or ''}")
    return 0


def _revision_exists(revision: int | None) -> bool:
    """--revision names a stored revision (1 … the newest); -1 or 999999 is an error, never empty or newest data."""
    from kpi.store import storage

    if revision is None:
        return True
    latest = storage.latest_revision()
    if 1 <= revision <= latest:
        return True
    print(f"error: there is no revision {revision}; revisions run from 1 to {latest}", file=sys.stderr)
    return False


def cmd_history(args) -> int:
    from kpi.store import service, storage

    frame = storage.history()
    if args.json:
        frame["created_at"] = frame["created_at"].map(lambda t: t.isoformat() if t is not None else None)
        print(dumps(service.values_as_records(frame)))
    else:
        for r in frame.itertuples(index=False):
            print(f"{r.revision:>5} {r.dataset:11} {r.action:9} {r.created_at:%Y-%m-%d %H:%M} {r.user:12} "
                  f"{r.row_count:>9} {r.file_name} {r.note}")
    return 0


def cmd_rollback(args) -> int:
    """Preview (the KPI values that change), then restore; --dataset must name the revision's dataset."""
    from kpi.store import identity, plan, service, storage

    lang = _lang(args)
    history = storage.history()
    found = history[history["revision"] == args.revision]
    if found.empty:
        print(_t("cli.error", lang, message=_t("store.no_revision", lang, revision=args.revision)), file=sys.stderr)
        return 1
    dataset = str(found.iloc[0]["dataset"])
    if args.dataset and args.dataset != dataset:
        print(_t("cli.error", lang, message=_t("store.other_dataset", lang, revision=args.revision, found=dataset,
                                               dataset=args.dataset)), file=sys.stderr)
        return 1
    preview = plan.rollback_plan(dataset, args.revision, values_of=service.values_table)
    print(_t("cli.restoring", lang, dataset=dataset, revision=args.revision, now=preview.rows_now,
             after=preview.rows_after))
    for row in preview.diff.itertuples(index=False):
        print(f"  {row.indicator:32} {row.period:>6} {row.before:>14,.2f} -> {row.after:>14,.2f}")
    if preview.refusals():
        print(_t("cli.nothing_to_restore", lang, dataset=dataset), file=sys.stderr)
        return 1
    new = plan.commit_rollback(preview, user=identity.cli_user(args.user), note=args.note)
    changed = ", ".join(sorted(set(preview.diff["indicator"]))) or _t("cli.none", lang)
    print(_t("cli.restored", lang, dataset=dataset, revision=args.revision, new=new, changed=changed))
    return 0


def cmd_hash_password(args) -> int:
    """Reads a password from standard input (or asks), prints the scrypt hash for secrets / KPI_ANALYSTS."""
    import getpass

    from kpi.store import identity

    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else getpass.getpass("password: ")
    if not password:
        print(_t("cli.error", message=_t("cli.empty_password")), file=sys.stderr)
        return 1
    print(identity.hash_password(password))
    return 0


def cmd_load_sample(args) -> int:
    from kpi.store import service, storage

    if args.if_empty and storage.latest_revision() > 0:
        print(_t("cli.sample_present", _lang(args)))
        return 0
    revisions = service.load_sample()
    print(_t("cli.sample_loaded", _lang(args), first=revisions[0], last=revisions[-1]))
    return 0


def _configured_elsewhere() -> bool:
    """An identity provider ([auth]) or analysts in .streamlit/secrets.toml: then no setup link is needed."""
    import tomllib

    from kpi.store import storage

    try:
        secrets = tomllib.loads((storage.PROJECT_ROOT / ".streamlit" / "secrets.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return bool(secrets.get("auth")) or bool(secrets.get("analysts"))


def print_setup_link(streamlit_args: list[str]) -> None:
    """On a fresh install with no analyst anywhere, print a one-time link (as Jupyter and Metabase do) with which
    the first analyst creates their account in the browser. KPI_SETUP_LINK=0 turns it off."""
    from kpi.store import identity
    from kpi.text.i18n import t

    if not identity.setup_link_enabled() or _configured_elsewhere() or identity.accounts(None):
        return
    port = "8501"
    for index, arg in enumerate(streamlit_args):
        if arg.startswith("--server.port="):
            port = arg.split("=", 1)[1]
        elif arg == "--server.port" and index + 1 < len(streamlit_args):
            port = streamlit_args[index + 1]
    try:
        link = identity.new_setup_link(base_url=f"http://localhost:{port}")
    except Exception as exc:  # the app still starts; the analyst can be configured in secrets instead
        print(t("setup.link_failed", "en", error=str(exc)), file=sys.stderr)
        return
    for lang in ("ja", "en"):
        print(t("setup.printed", lang, link=link), flush=True)


def cmd_serve(args) -> int:
    """`streamlit run dashboard.py`, with Streamlit's legacy pages/ mode off from the first request.

    Streamlit decides per process whether a folder named pages/ means "legacy multipage app" and only drops
    that after a session has called st.navigation; until then a deep link such as /mobility would run the
    page file alone, without the entry's navigation and language switch.
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli as streamlit_cli

    from kpi.store import storage

    PagesManager.uses_pages_directory = False
    print_setup_link(args.streamlit_args)
    extra = list(args.streamlit_args)
    if not any(a.startswith("--client.showErrorDetails") for a in extra):
        extra += ["--client.showErrorDetails", "none"]  # also when run from another folder than the project's
    sys.argv = ["streamlit", "run", str(storage.PROJECT_ROOT / "dashboard.py"), *extra]
    return streamlit_cli.main()


def cmd_export(args) -> int:
    """pptx / pdf of every KPI, or png of one KPI's chart, from the newest revision (or --revision)."""
    from kpi.publish import exports
    from kpi.store import snapshot

    if not _revision_exists(args.revision):
        return 1
    # From the snapshot, as the app builds it: owners, check-ins and events at that revision come along.
    deck = exports.deck_from_snapshot(snapshot.load(at_revision=args.revision), lang=args.lang, pillars=args.pillar)
    if args.format == "pptx":
        data = exports.deck_pptx(deck)
    elif args.format == "pdf":
        data = exports.deck_pdf(deck)
    else:
        slides = [s for s in deck.slides if s.indicator == args.indicator]
        if not slides:
            choices = ", ".join(s.indicator for s in deck.slides)
            print(_t("cli.error", args.lang, message=_t("cli.indicator_choice", args.lang, choices=choices)),
                  file=sys.stderr)
            return 1
        data = exports.chart_png(slides[0], args.lang)
    Path(args.out).write_bytes(data)
    print(_t("cli.wrote", args.lang, path=args.out, size=f"{len(data):,}", kpis=len(deck.slides),
             revision=deck.revision))
    return 0


def _since(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def cmd_digest(args) -> int:
    """What changed since a date or a revision: printed as text or HTML, the report PDF written, or e-mailed."""
    from kpi.publish import digest_mail, exports
    from kpi.store import digest, snapshot
    from kpi.text.i18n import t
    from kpi.views import digest_text

    found = digest.changes(since_revision=args.since_revision, since=args.since)
    lang = args.lang
    snap = None

    def pdf_for(code: str) -> bytes:
        nonlocal snap
        snap = snap or snapshot.load(at_revision=found.revision or None)
        return exports.deck_pdf(exports.deck_from_snapshot(snap, lang=code))

    if args.send:
        try:
            config = digest_mail.load_config()
            sent = digest_mail.send_digest(found, config, pdf_for=pdf_for)
        except digest_mail.MailConfigError as exc:
            print(exc.text_in(lang), file=sys.stderr)
            return 1
        except OSError as exc:  # smtplib errors are OSErrors: refused, unreachable, authentication, TLS
            print(t("mail.failed", lang, error=str(exc)), file=sys.stderr)
            return 1
        for group, count in sent:
            print(t("mail.sent", lang, name=group.name, n=count, language=group.lang))
        return 0
    print(digest_text.as_html(found, lang) if args.format == "html" else digest_text.as_text(found, lang), end="")
    if args.pdf:
        Path(args.pdf).write_bytes(pdf_for(lang))
        print(t("mail.pdf_written", lang, path=args.pdf), file=sys.stderr)
    return 0


def cmd_schema(_args) -> int:
    from kpi.ingest.schemas import contract_markdown

    print(contract_markdown())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kpi", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def file_command(name: str, help_text: str):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("file", nargs="+", help="one file, or several exports of one search (read as one import)")
        p.add_argument("--dataset", required=True, choices=list(DATASET_NAMES))
        p.add_argument("--set", action="append", metavar="COLUMN=VALUE",
                       help="a column that is constant for the whole file (repeatable)")
        p.add_argument("--encoding", help="override encoding detection (utf-8, cp932, ...)")
        p.add_argument("--map", action="append", metavar="HEADER=COLUMN",
                       help="map a file header to a contract column (empty COLUMN ignores it); repeatable")
        p.add_argument("--delimiter", type=_delimiter, metavar="comma|tab|semicolon|pipe",
                       help="override delimiter detection (and source recognition)")
        p.add_argument("--header-line", type=_positive, metavar="N",
                       help="the header is on line N (1 = first line; sheet row for .xlsx)")
        p.add_argument("--sheet", help="the workbook sheet to read (.xlsx); the first with a header by default")
        p.add_argument("--lang", choices=["en", "ja"], default="en", help="language of the messages")
        return p

    p = file_command("validate", "check a file; exit 1 and list every located error")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_validate)
    p = file_command("import", "validate, then store the file as one revision")
    p.add_argument("--mode", choices=["append", "replace"], default="append",
                   help="append refuses slices already stored; replace replaces exactly the file's slices")
    p.add_argument("--note", default="")
    p.add_argument("--user", help="the person recorded (default: your login name)")
    p.add_argument("--allow-duplicate", metavar="REASON",
                   help="load a file whose exact content (sha256) is already loaded, for this reason")
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("values", help="computed KPI values with plan, target, status (now) and outlook")
    p.add_argument("--indicator")
    p.add_argument("--latest", action="store_true", help="only the scorecard: the latest row of every KPI")
    p.add_argument("--revision", type=int, help="the data at this revision")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_values)
    p = sub.add_parser("history", help="revisions, oldest first")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_history)
    p = sub.add_parser("rollback", help="restore a dataset to its state right after REVISION")
    p.add_argument("revision", type=int)
    p.add_argument("--dataset", choices=DATASET_NAMES, help="refuse unless REVISION belongs to this dataset")
    p.add_argument("--note", default="")
    p.add_argument("--user", help="the person recorded (default: your login name)")
    p.add_argument("--lang", choices=["en", "ja"], help="language of the messages (default: KPI_LANG or en)")
    p.set_defaults(func=cmd_rollback)
    p = sub.add_parser("hash-password", help="print the scrypt hash of a password read from standard input")
    p.set_defaults(func=cmd_hash_password)
    p = sub.add_parser("load-sample", help="import the bundled sample data")
    p.add_argument("--if-empty", action="store_true", help="only when the database holds no revision yet")
    p.add_argument("--lang", choices=["en", "ja"], help="language of the messages (default: KPI_LANG or en)")
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
    p = sub.add_parser("digest", help="what changed since a date or a revision (text, HTML, PDF, e-mail)")
    since = p.add_mutually_exclusive_group(required=True)
    since.add_argument("--since", type=_since, metavar="YYYY-MM-DD", help="changes stored from this day on (UTC)")
    since.add_argument("--since-revision", type=int, metavar="N", help="changes after revision N")
    p.add_argument("--format", choices=["text", "html"], default="text")
    p.add_argument("--lang", choices=["en", "ja"], default="ja")
    p.add_argument("--pdf", metavar="FILE", help="also write the KPI report (PDF) to FILE")
    p.add_argument("--send", action="store_true",
                   help="e-mail it to every recipient list in its language, the report attached (SMTP from "
                        ".streamlit/secrets.toml [smtp] / [[digest.lists]] or KPI_SMTP_* / KPI_DIGEST_LISTS)")
    p.set_defaults(func=cmd_digest)
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
    if args.command == "serve":
        return args.func(args)
    import sqlalchemy

    from kpi.store import storage

    try:
        return args.func(args)
    except storage.StorageError as exc:  # AlreadyStored, StalePlan and the rest: nothing was stored
        print(_t("cli.error", _lang(args), message=exc.text_in(_lang(args))), file=sys.stderr)
        return 1
    except sqlalchemy.exc.SQLAlchemyError as exc:
        print(_t("cli.error", _lang(args), message=_t("cli.db_refused", _lang(args), reason=getattr(exc, "orig", exc))),
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

"""The `outreach` command line (CONTRACT section 1)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import timezone
from pathlib import Path

from configuration.config_files import ConfigError
from configuration.settings import ENGINES

DESCRIPTION = """Outreach turns a campaign's raw data into contact lists that are safe to dial and text.

Typical use:
  outreach generate --out data/inbox --voters 100000
  outreach init --home data/home
  outreach run --inbox data/inbox --home data/home
  outreach lists --home data/home
  outreach report --home data/home
  outreach explain "(919) 555-0142" --home data/home
  outreach ledger --home data/home
  outreach sql --home data/home

The warehouse and the ledger are encrypted with HOME's key (HOME/.outreach.key, written by
`outreach init`, or OUTREACH_KEY); docs/security.md says how to keep and rotate it.

Privacy (docs/security.md):
  outreach forget "(919) 555-0142" --home data/home
  outreach prune --home data/home --dry-run

Dialers and texting tools (docs/dialer_api.md):
  outreach consumers add spoke_team --home data/home --lists everyone_texts --profile spoke
  outreach serve --home data/home
  outreach audit --home data/home
"""


def _as_of(text: str):
    from configuration.settings import parse_as_of

    try:
        return parse_as_of(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="outreach", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    generate = commands.add_parser("generate", help="write a synthetic inbox in the real source formats")
    generate.add_argument("--out", type=Path, required=True, help="inbox folder to write")
    generate.add_argument("--voters", type=int, default=100_000, help="number of voters (default 100,000)")
    generate.add_argument("--seed", type=int, default=1, help="random seed; the same seed writes the same files (default 1)")
    generate.add_argument("--as-of", type=_as_of, default=None, help="ISO 8601 time with offset the data is dated around (default now)")

    run = commands.add_parser("run", help="materialize every asset and publish every list that passes its gates")
    run.add_argument("--inbox", type=Path, required=True, help="inbox folder (CONTRACT section 2)")
    run.add_argument("--home", type=Path, required=True, help="home folder: warehouse.duckdb and published/")
    run.add_argument("--as-of", type=_as_of, default=None, help="ISO 8601 time with offset rules are evaluated at (default now)")
    run.add_argument("--lists", type=Path, default=None, help="lists configuration (default HOME/lists.yaml, else the shipped example)")
    run.add_argument("--policy", type=Path, default=None, help="policy (default HOME/policy.yaml, else the shipped default)")
    run.add_argument("--engine", choices=ENGINES, default="duckdb",
                     help="where dbt builds the models: duckdb (embedded, default) or spark (docs/scale-out.md)")

    init = commands.add_parser(
        "init", help="create HOME (mode 0700) and its encryption key HOME/.outreach.key (mode 0600)",
        description="Creates HOME and a new random key in HOME/.outreach.key (mode 0600), unless OUTREACH_KEY is "
                    "set or HOME already has a key. A warehouse or ledger written before encryption is encrypted "
                    "with the key. Keep a copy of the key apart from HOME: without it nothing in HOME can be read.")
    init.add_argument("--home", type=Path, required=True)

    sql = commands.add_parser(
        "sql", help="a read-only SQL shell on the encrypted warehouse (and the ledger as outreach_ledger)",
        description="Opens HOME's warehouse read-only with HOME's key; the ledger is attached read-only as "
                    "outreach_ledger. Statements end with ';'. Results hold personal data: they are printed "
                    "here only because you asked for them.")
    sql.add_argument("--home", type=Path, required=True)
    sql.add_argument("-c", "--command", dest="sql_command", default=None, metavar="SQL",
                     help="run SQL and exit instead of reading statements from standard input")

    rekey = commands.add_parser(
        "rekey", help="re-encrypt the warehouse and the ledger with a new key (rotation)",
        description="Copies the warehouse and the ledger into new files encrypted with a new random key, replaces "
                    "them and then the key file. Needs the current key in HOME/.outreach.key; a home keyed by "
                    "OUTREACH_KEY is rotated by hand (docs/security.md).")
    rekey.add_argument("--home", type=Path, required=True)

    commands.add_parser("demo", help="generate 100,000 voters into ./data/inbox, init and run into ./data/home, "
                                     "recorded into ./data/dagster_home for `make dev`")

    lists = commands.add_parser(
        "lists", help="the lists: published (version, rows, gates, expiry) and blocked in the latest run (why)",
        description="Every list with a published version (its LATEST: rows, gates, expires_at and whether it has "
                    "expired), and every list the latest run blocked, with the reason and the version still served.")
    lists.add_argument("--home", type=Path, required=True)

    report = commands.add_parser(
        "report", help="the path of a run's HTML report (charts, waterfalls, gates); --open shows it",
        description="Prints the path of HOME/reports/<run>/index.html for the latest run (or --run ID). The "
                    "report holds counts only; it opens offline in any browser.")
    report.add_argument("--home", type=Path, required=True)
    report.add_argument("--run", dest="run_id", default=None, help="a run id (a folder under HOME/reports); default the latest")
    report.add_argument("--open", dest="open_browser", action="store_true",
                        help="also open it in a browser when one is available (never an error without one)")

    explain = commands.add_parser("explain", help="which lists a number is in, and the rules that kept it out of the others")
    explain.add_argument("phone", help="the number, in any common US spelling")
    explain.add_argument("--home", type=Path, required=True)
    explain.add_argument("--list", dest="list_name", default=None, help="only this list")

    ledger = commands.add_parser(
        "ledger", help="the durable suppression and consent ledger: counts per table, or an export",
        description="Counts per table of HOME/ledger/ledger.duckdb (rows, file versions, first and last time "
                    "first seen); no phone number is printed. The ledger is append-only: no command deletes from it.")
    ledger.add_argument("--home", type=Path, required=True)
    ledger.add_argument("--export", default=None, metavar="FILE",
                        help="write every ledger table to FILE, a new DuckDB database file (it must not exist yet; "
                             "one file, not a folder)")

    serve = commands.add_parser(
        "serve", help="the dialer API: consumers pull lists and push opt-outs back (docs/dialer_api.md)",
        description="Serves HOME's published lists to API consumers (bearer tokens from `outreach consumers add`) "
                    "and takes opt-outs, dispositions and replies back into the durable ledger. Plain HTTP on "
                    "127.0.0.1 by default: give --certfile/--keyfile for TLS, or put it behind a reverse proxy.")
    serve.add_argument("--home", type=Path, required=True)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    serve.add_argument("--certfile", type=Path, default=None, help="TLS certificate (PEM); with --keyfile")
    serve.add_argument("--keyfile", type=Path, default=None, help="TLS private key (PEM); with --certfile")
    serve.add_argument("--rate-limit", type=int, default=600, metavar="N",
                       help="requests per minute per consumer before 429 (default 600; bursts of a fifth of it)")
    serve.add_argument("--max-body-bytes", type=int, default=1 << 20, metavar="N",
                       help="largest push-back body accepted before 413 (default 1 MiB)")
    serve.add_argument("--public-url", default=None,
                       help="the URL Twilio calls, when a proxy sits in front (the webhook signature covers it)")
    serve.add_argument("--policy", type=Path, default=None,
                       help="policy whose SMS keywords classify pushed replies (default HOME/policy.yaml, else shipped)")

    consumers = commands.add_parser("consumers", help="API consumers: add, list, revoke, rotate")
    actions = consumers.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="a new consumer; prints its token once")
    add.add_argument("name")
    add.add_argument("--home", type=Path, required=True)
    add.add_argument("--lists", required=True, help="comma-separated list names the token may read")
    add.add_argument("--profile", default="outreach",
                     help="export profile the token reads: outreach, spoke, thrutext, callhub or van_bulk (default outreach)")
    listing = actions.add_parser("list", help="consumers, their lists, profile and state; never a token")
    listing.add_argument("--home", type=Path, required=True)
    for action, text in (("revoke", "stop a consumer's token at once"), ("rotate", "a new token; the old one stops at once")):
        sub = actions.add_parser(action, help=text)
        sub.add_argument("name")
        sub.add_argument("--home", type=Path, required=True)

    forget = commands.add_parser(
        "forget", help="erase a person's personal data on request; their number stays suppressed forever",
        description="Removes the personal data of the person holding PHONE from HOME: their rows in every "
                    "published version (contacts, profile and export files; the decision rows stay, excluded "
                    "with rule C08 and without a name; manifests are updated), and their name, address and "
                    "other records from the warehouse (raw, staging and model tables). The number is recorded "
                    "in the ledger's `erasures` table, so every later run excludes it on every channel (C08) "
                    "and removes the person from the warehouse again if the inbox still holds them. LATEST is "
                    "not moved. Takes the run lock: it waits for no run and fails at once if one is under way. "
                    "Prints counts only; the number is shown by its last two digits.",
        epilog="Also remove the person from the inbox's source files and tell every vendor that received a "
               "list (docs/security.md, \"Erasure\"): the pipeline cannot reach copies outside HOME.")
    forget.add_argument("phone", help="the number, in any common US spelling")
    forget.add_argument("--home", type=Path, required=True)
    forget.add_argument("--policy", type=Path, default=None,
                        help="policy whose C08 text goes into rewritten manifests (default HOME/policy.yaml, else shipped)")

    prune = commands.add_parser(
        "prune", help="delete published versions older than the policy's retention (never LATEST, never the ledger)",
        description="Deletes published versions older than `retention.published_versions_days` of the policy "
                    "(default 1826 days): never the version LATEST points at, never a version that has not expired "
                    "yet, never anything in the ledger (opt-outs are kept). Takes the run lock. Prints counts.")
    prune.add_argument("--home", type=Path, required=True)
    prune.add_argument("--dry-run", action="store_true", help="print what would be deleted, delete nothing")
    prune.add_argument("--policy", type=Path, default=None, help="policy (default HOME/policy.yaml, else shipped)")

    audit = commands.add_parser("audit", help="every API request: who, what, when, how many rows")
    audit.add_argument("--home", type=Path, required=True)
    audit.add_argument("--consumer", default=None, help="only this consumer's requests")
    audit.add_argument("--last", type=int, default=None, metavar="N", help="only the last N requests")
    return parser


def cmd_generate(out: Path, voters: int, seed: int, as_of) -> int:
    from synthetic import generate_inbox
    from configuration.settings import parse_as_of

    started = time.monotonic()
    try:
        counts = generate_inbox(out, voters=voters, seed=seed, as_of=as_of or parse_as_of(None),
                                progress=lambda message: print(f"  {message}", flush=True))
    except (FileExistsError, ValueError) as error:
        print(f"outreach generate: {error}", file=sys.stderr)
        return 2
    rows = {source: count for source, count in counts.items() if source not in ("files", "malformed_lines")}
    print(f"wrote {sum(rows.values()):,} rows in {len(rows)} sources to {out} in {time.monotonic() - started:.1f}s")
    return 0


def cmd_run(inbox: Path, home: Path, as_of, lists_path: Path | None, policy_path: Path | None, engine: str = "duckdb") -> int:
    from assets.encryption import MissingKeyError, check_home

    from .home_lock import HomeBusyError, hold_home

    if not inbox.is_dir():
        print(f"outreach run: inbox {inbox} is not a readable folder", file=sys.stderr)
        return 2
    # Before anything is written: without the key no encrypted file can be opened or created.
    try:
        check_home(home)
    except MissingKeyError as error:
        print(f"outreach run: {error}", file=sys.stderr)
        return 2
    # One run at a time per home, taken before anything else (before Dagster is even imported,
    # so a second run fails at once) and held until the summary is printed.
    try:
        with hold_home(home):
            return _run_locked(inbox, home, as_of, lists_path, policy_path, engine)
    except HomeBusyError as error:
        print(f"outreach run: {error}", file=sys.stderr)
        return 2


def _run_locked(inbox: Path, home: Path, as_of, lists_path: Path | None, policy_path: Path | None, engine: str = "duckdb") -> int:
    from assets.http_sources import load_sources_config

    from .outcomes import EXIT_USAGE, format_outcome
    from .runner import DatabaseBusyError, run_pipeline
    from configuration.settings import RunSettings, parse_as_of

    try:
        settings = RunSettings.build(inbox, home, as_of or parse_as_of(None), lists_path, policy_path, engine=engine)
        load_sources_config(settings.home)
    except ConfigError as error:
        print(f"outreach run: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"run: inbox {settings.inbox}, home {settings.home}, as-of {settings.as_of.isoformat()}", flush=True)
    try:
        status, outcomes = run_pipeline(settings)
    except DatabaseBusyError as error:
        print(f"outreach run: {error}", file=sys.stderr)
        return EXIT_USAGE
    print()
    for outcome in outcomes:
        print(format_outcome(outcome))
    print()
    for line in inbox_summary(settings.warehouse):
        print(line)
    print(f"warehouse: {settings.warehouse}")
    return status


def inbox_summary(warehouse: Path) -> list[str]:
    """Counts that reconcile the inbox: read, loaded, quarantined, unusable."""
    import duckdb

    from assets.encryption import MissingKeyError
    from assets.warehouse import connect

    if not warehouse.exists():
        return []
    try:
        with connect(warehouse, read_only=True) as con:
            return inbox_summary_lines(con)
    except (duckdb.Error, MissingKeyError):
        return []


def inbox_summary_lines(con) -> list[str]:
    import duckdb

    try:
        columns = {row[0] for row in con.execute(
            "select column_name from information_schema.columns where table_schema = 'raw' and table_name = 'ingest_files'").fetchall()}
        skipped_filter = "skipped_reason is not null" if "skipped_reason" in columns else "false"
        read, loaded, quarantined, files, skipped = con.execute(
            "select sum(rows_read), sum(rows_loaded), sum(rows_quarantined), "
            f"count(*) filter (where not ({skipped_filter})), count(*) filter (where {skipped_filter}) "
            "from raw.ingest_files").fetchone()
        built = {row[0] for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'").fetchall()}
        unusable = con.execute("select count(*) from main.unusable_records").fetchone()[0] if "unusable_records" in built else None
        segments = con.execute(
            "select segment, count(*) from main.segment_members group by segment order by segment"
        ).fetchall() if "segment_members" in built else []
    except duckdb.Error:
        return []
    lines = [f"inbox: {files or 0:,} files, {read or 0:,} rows read = {loaded or 0:,} loaded + {quarantined or 0:,} quarantined (raw.quarantine)"
             + (f", {skipped:,} files skipped (raw.ingest_files)" if skipped else "")]
    if unusable is not None:
        lines.append(f"       {unusable:,} loaded records unusable, with reasons (main.unusable_records)")
    if segments:
        lines.append("segments: " + ", ".join(f"{name} {count:,}" for name, count in segments))
    return lines


def cmd_lists(home: Path) -> int:
    from assets.reporting.paths import latest_run
    from assets.reporting.run_record import expired, read_run_record

    published = home / "published"
    run_id = latest_run(home)
    record = read_run_record(home, run_id) if run_id else None
    blocked = [item for item in (record or {}).get("lists", []) if not item["published"]]
    if not published.is_dir() and not blocked:
        print(f"no published lists under {published}")
        return 0
    print(f"{'list':<28} {'channel':<26} {'version':<22} {'rows':>10}  {'expires at (UTC)':<21} gates")
    for list_dir in sorted(p for p in published.iterdir() if p.is_dir()) if published.is_dir() else []:
        latest = list_dir / "LATEST"
        if not latest.exists():
            continue
        version = latest.read_text().strip()
        manifest = json.loads((list_dir / version / "manifest.json").read_text())
        failed = [g["name"] for g in manifest["gates"] if not g["success"]]
        gates = f"{len(manifest['gates'])} passed" if not failed else "FAILED: " + ", ".join(failed)
        expires = _utc(manifest.get("expires_at"))
        state = "  EXPIRED" if expired(manifest.get("expires_at")) else ""
        print(f"{manifest['list']:<28} {manifest['channel']:<26} {version:<22} {manifest['row_count']:>10,}  "
              f"{expires:<21} {gates}{state}")
    if blocked:
        print()
        print(f"blocked in the latest run ({record['run_id']}, as-of {record['as_of']}):")
        for item in blocked:
            served = item.get("served") or {}
            still = (f"still served: {served['version']} (expires {_utc(served.get('expires_at'))}"
                     f"{', EXPIRED' if expired(served.get('expires_at')) else ''})" if served.get("version")
                     else "nothing served")
            print(f"{item['name']:<28} {item['channel']:<26} BLOCKED  {item['detail']}  [{still}]")
    if run_id:
        print()
        print(f"report: {home / 'reports' / run_id / 'index.html'}")
    return 0


def _utc(text: str | None) -> str:
    from datetime import datetime

    if not text:
        return "-"
    try:
        return datetime.fromisoformat(text).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%MZ")
    except ValueError:
        return text


def cmd_report(home: Path, run_id: str | None, open_browser: bool) -> int:
    import shutil
    import webbrowser

    from assets.reporting.paths import latest_run, report_path

    run_id = run_id or latest_run(home)
    if run_id is None:
        print(f"outreach report: no run has written a report under {home / 'reports'} (run `outreach run` first)",
              file=sys.stderr)
        return 2
    try:
        path = report_path(home, run_id)
    except ValueError as error:
        print(f"outreach report: {error}", file=sys.stderr)
        return 2
    if not path.is_file():
        print(f"outreach report: no report at {path}", file=sys.stderr)
        return 2
    print(path)
    if open_browser:
        # A headless machine has no browser: say so and still succeed (the path is printed).
        usable = any(shutil.which(name) for name in ("xdg-open", "open", "chromium", "firefox", "google-chrome"))
        try:
            opened = usable and webbrowser.open(path.resolve().as_uri())
        except webbrowser.Error:
            opened = False
        if not opened:
            print("no browser here: open the file above in one", file=sys.stderr)
    return 0


def cmd_explain(phone: str, home: Path, list_name: str | None) -> int:
    from .explain import explain_phone

    try:
        lines = explain_phone(phone, home, list_name)
    except ValueError as error:
        print(f"outreach explain: {error}", file=sys.stderr)
        return 2
    for line in lines:
        print(line)
    return 0


def cmd_ledger(home: Path, export: str | None) -> int:
    """Counts per ledger table, or an export; never a row, never a phone number."""
    import duckdb

    from assets.encryption import MissingKeyError
    from assets.ledger import export_ledger, ledger_counts, ledger_path

    if export is not None and (export.endswith(("/", "\\")) or Path(export).is_dir()):
        print(f"outreach ledger: --export {export}: give the name of a new DuckDB file, not a folder", file=sys.stderr)
        return 2
    path = ledger_path(home)
    if not path.is_file():
        print(f"outreach ledger: no ledger at {path} (it is written by `outreach run`)", file=sys.stderr)
        return 2
    try:
        if export is not None:
            counts = export_ledger(home, Path(export))
            print(f"exported {sum(counts.values()):,} rows in {len(counts)} tables to {export}")
            return 0
        counts = ledger_counts(home)
    except (FileExistsError, FileNotFoundError, ValueError, MissingKeyError) as error:
        print(f"outreach ledger: {error}", file=sys.stderr)
        return 2
    except duckdb.IOException:
        print(f"outreach ledger: {path} is open for writing by a run; try again when it finishes", file=sys.stderr)
        return 2

    def when(value) -> str:
        return "-" if value is None else value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")

    print(f"ledger: {path} (append-only)")
    print(f"{'table':<18} {'rows':>10} {'files':>6}  {'first seen (earliest)':<22} {'first seen (latest)':<22}")
    for name, summary in counts.items():
        print(f"{name:<18} {summary['rows']:>10,} {summary['files']:>6,}  {when(summary['earliest']):<22} {when(summary['latest']):<22}")
    return 0


def cmd_init(home: Path) -> int:
    """HOME (0700) and its key (HOME/.outreach.key, 0600); files written before encryption are encrypted."""
    import os

    from assets import encryption

    from .home_lock import HomeBusyError, hold_home

    os.umask(0o077)
    if home.exists() and not home.is_dir():
        print(f"outreach init: {home} is not a folder", file=sys.stderr)
        return 2
    try:
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        if os.environ.get(encryption.KEY_ENV):
            print(f"init: {home}: {encryption.KEY_ENV} is set, so no key file is written; the home uses that key")
        elif encryption.key_path(home).exists():
            print(f"init: {home} already has a key ({encryption.key_path(home)})")
        else:
            path = encryption.write_key_file(home)
            print(f"init: wrote a new key to {path} (mode 0600). Store it in a password manager too, never "
                  f"beside {home}'s backups: without it the warehouse and the ledger cannot be read.")
        key = encryption.read_key(home)
        with hold_home(home):
            for path in encryption.home_databases(home):
                if path.is_file() and encryption.is_plaintext(path):
                    encryption.reencrypt(path, None, key)
                    print(f"init: encrypted {path}, written before encryption")
    except encryption.MissingKeyError as error:
        print(f"outreach init: {error}", file=sys.stderr)
        return 2
    except HomeBusyError as error:
        print(f"outreach init: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"outreach init: {home}: {error.strerror}", file=sys.stderr)
        return 2
    return 0


def cmd_rekey(home: Path) -> int:
    from assets import encryption

    from .home_lock import HomeBusyError, hold_home

    try:
        with hold_home(home):
            encryption.rotate_key(home, encryption.home_databases(home))
    except (encryption.MissingKeyError, HomeBusyError) as error:
        print(f"outreach rekey: {error}", file=sys.stderr)
        return 2
    print(f"rekey: the warehouse and the ledger are encrypted with a new key in {encryption.key_path(home)}; "
          "replace your copy of the old key with it")
    return 0


def cmd_sql(home: Path, command: str | None) -> int:
    """A read-only SQL shell on the encrypted warehouse, the ledger attached as outreach_ledger."""
    import duckdb

    from assets.encryption import MissingKeyError
    from assets.ledger.store import attach as attach_ledger, ledger_path
    from assets.warehouse import connect

    warehouse = home / "warehouse.duckdb"
    if not warehouse.is_file():
        print(f"outreach sql: no warehouse at {warehouse} (it is written by `outreach run`)", file=sys.stderr)
        return 2
    try:
        with connect(warehouse, read_only=True) as con:
            if ledger_path(home).is_file():
                attach_ledger(con, home, read_only=True)
            if command is not None:
                return 0 if _sql_statement(con, command) else 1
            return _sql_shell(con)
    except MissingKeyError as error:
        print(f"outreach sql: {error}", file=sys.stderr)
        return 2
    except duckdb.IOException:
        print(f"outreach sql: {warehouse} is open for writing by a run; try again when it finishes", file=sys.stderr)
        return 2
    except duckdb.Error as error:
        print(f"outreach sql: {warehouse} cannot be opened ({error.__class__.__name__}: {error})", file=sys.stderr)
        return 2


def _sql_statement(con, text: str) -> bool:
    import duckdb

    try:
        relation = con.sql(text)
    except duckdb.Error as error:
        print(f"error: {error}", file=sys.stderr)
        return False
    if relation is not None:
        relation.show(max_rows=100)
    return True


def _sql_shell(con) -> int:
    interactive = sys.stdin.isatty()
    if interactive:
        print("warehouse (read-only) and outreach_ledger; end statements with ';', Ctrl-D quits")
    buffer, ok = [], True
    while True:
        if interactive:
            try:
                line = input("outreach> " if not buffer else "     ...> ")
            except EOFError:
                print()
                line = None
        else:
            line = sys.stdin.readline() or None
        if line is None:
            text = "\n".join(buffer).strip()
            if text:
                ok = _sql_statement(con, text) and ok
            return 0 if ok else 1
        buffer.append(line.rstrip("\n"))
        text = "\n".join(buffer).strip()
        if text.endswith(";"):
            ok = _sql_statement(con, text) and ok
            buffer = []
        elif not text:
            buffer = []


def cmd_serve(args) -> int:
    import os

    from api.app import ServeOptions, create_app

    if (args.certfile is None) != (args.keyfile is None):
        print("outreach serve: give --certfile and --keyfile together", file=sys.stderr)
        return 2
    if not (args.home / "published").is_dir():
        print(f"outreach serve: {args.home} has no published lists yet (run `outreach run` first)", file=sys.stderr)
        return 2
    if args.rate_limit < 1 or args.max_body_bytes < 1:
        print("outreach serve: --rate-limit and --max-body-bytes must be at least 1", file=sys.stderr)
        return 2
    os.umask(0o077)
    import uvicorn

    options = ServeOptions(rate_per_minute=args.rate_limit, burst=max(1, args.rate_limit // 5),
                           max_body_bytes=args.max_body_bytes, public_url=args.public_url)
    try:
        app = create_app(args.home, options, args.policy)
    except ConfigError as error:
        print(f"outreach serve: {error}", file=sys.stderr)
        return 2
    scheme = "https" if args.certfile else "http"
    print(f"serving {args.home} on {scheme}://{args.host}:{args.port} (Ctrl-C stops)", flush=True)
    # uvicorn's access log would print every URL; the audit table is the record instead.
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False,
                ssl_certfile=str(args.certfile) if args.certfile else None,
                ssl_keyfile=str(args.keyfile) if args.keyfile else None)
    return 0


def cmd_consumers(args) -> int:
    import os

    from api.consumers import ConsumerError, ConsumerStore
    from configuration.config_files import EXPORT_PROFILES

    os.umask(0o077)
    store = ConsumerStore(args.home)
    try:
        if args.action == "add":
            lists = [name.strip() for name in args.lists.split(",") if name.strip()]
            if args.profile not in EXPORT_PROFILES:
                print(f"outreach consumers: --profile must be one of {', '.join(EXPORT_PROFILES)}", file=sys.stderr)
                return 2
            token = store.add(args.name, lists, args.profile)
            print(f"consumer {args.name}: lists {', '.join(sorted(set(lists)))}; profile {args.profile}")
            print("token (shown once; keep it in the dialer's secret store):")
            print(token)
        elif args.action == "rotate":
            token = store.rotate(args.name)
            print(f"consumer {args.name}: new token (shown once; the old one no longer works):")
            print(token)
        elif args.action == "revoke":
            store.revoke(args.name)
            print(f"consumer {args.name}: revoked")
        else:
            consumers = store.all()
            if not consumers:
                print("no consumers (add one with `outreach consumers add`)")
            for consumer in consumers:
                state = "active" if consumer.active else f"revoked {consumer.revoked_at}"
                print(f"{consumer.name:<24} {consumer.profile:<10} {state:<30} lists: {', '.join(consumer.lists)}")
    except ConsumerError as error:
        print(f"outreach consumers: {error}", file=sys.stderr)
        return 2
    return 0


def cmd_audit(home: Path, consumer: str | None, last: int | None) -> int:
    import sqlite3

    from api.audit import read_audit

    try:
        rows = read_audit(home, consumer, last)
    except sqlite3.Error as error:
        print(f"outreach audit: the audit cannot be read ({error.__class__.__name__})", file=sys.stderr)
        return 2
    if not rows:
        print("no API requests recorded" + (f" for {consumer}" if consumer else ""))
        return 0
    print(f"{'at (UTC)':<24} {'consumer':<16} {'request':<40} {'list':<22} {'version':<20} {'status':>6} "
          f"{'served':>8} {'live-supp':>9} {'pushed':>6} {'ms':>8}")

    def count(value) -> str:
        return "-" if value is None else f"{value:,}"

    for row in rows:
        request = f"{row['method']} {row['endpoint']}"
        print(f"{row['at'][:23]:<24} {row['consumer'] or '-':<16} {request:<40} {row['list_name'] or '-':<22} "
              f"{row['version'] or '-':<20} {row['status']:>6} {count(row['rows_served']):>8} "
              f"{count(row['rows_suppressed_live']):>9} {count(row['rows_accepted']):>6} {row['duration_ms']:>8.1f}")
    return 0


def _home_policy(home: Path, policy_path: Path | None):
    from configuration.config_files import load_policy, resolve_config_path

    return load_policy(resolve_config_path(policy_path, home, "policy.yaml"))


def cmd_forget(phone_text: str, home: Path, policy_path: Path | None) -> int:
    """Counts only; the number appears by its last two digits."""
    import os
    from datetime import datetime

    from assets.encryption import MissingKeyError, check_home
    from assets.retention.erasure import RULE_ID, forget_number, mask_phone
    from .explain import to_e164
    from .home_lock import HomeBusyError, hold_home

    try:
        phone = to_e164(phone_text)
    except ValueError as error:
        print(f"outreach forget: {error}", file=sys.stderr)
        return 2
    if not home.is_dir():
        print(f"outreach forget: HOME {home} is not a folder", file=sys.stderr)
        return 2
    try:
        policy = _home_policy(home, policy_path)
    except ConfigError as error:
        print(f"outreach forget: {error}", file=sys.stderr)
        return 2
    os.umask(0o077)
    masked = mask_phone(phone)
    try:
        # Before anything is changed: the ledger and the warehouse open only with HOME's key.
        check_home(home)
        with hold_home(home):
            result = forget_number(home, phone, datetime.now(timezone.utc), policy.data["rules"][RULE_ID])
    except (HomeBusyError, MissingKeyError) as error:
        print(f"outreach forget: {error}", file=sys.stderr)
        return 2
    recorded = "recorded" if result.newly_recorded else "was already recorded"
    print(f"forget {masked}: erasure {recorded} in the ledger; suppressed on every channel from now on ({RULE_ID})")
    published = result.published
    print(f"published: {published['versions']:,} versions rewritten, {published['contact_rows']:,} contact rows "
          f"removed, {published['decision_rows']:,} decision rows marked {RULE_ID}"
          + (f", {published['temp_folders']:,} stale temporary folders removed" if published["temp_folders"] else ""))
    if result.warehouse_busy:
        print("warehouse: open in another process; the next `outreach run` removes the person from it", file=sys.stderr)
        return 2
    if result.warehouse is None:
        print("warehouse: none yet")
    else:
        counts = result.warehouse
        print(f"warehouse: {counts['raw_rows']:,} raw rows blanked, {counts['quarantine_lines']:,} quarantined lines "
              f"blanked, {counts['model_rows']:,} model rows removed, {counts['decision_rows']:,} decision rows "
              "without names; file rewritten")
    print("also remove the person from the inbox's source files and from lists already sent to vendors")
    return 0


def cmd_prune(home: Path, dry_run: bool, policy_path: Path | None) -> int:
    from assets.retention.prune import prune_published
    from .home_lock import HomeBusyError, hold_home

    if not home.is_dir():
        print(f"outreach prune: HOME {home} is not a folder", file=sys.stderr)
        return 2
    try:
        days = _home_policy(home, policy_path).published_versions_days
    except ConfigError as error:
        print(f"outreach prune: {error}", file=sys.stderr)
        return 2
    try:
        with hold_home(home):
            result = prune_published(home / "published", days, dry_run=dry_run)
    except HomeBusyError as error:
        print(f"outreach prune: {error}", file=sys.stderr)
        return 2
    verb = "would delete" if dry_run else "deleted"
    lists = len({candidate.list_name for candidate in result.deleted})
    size = sum(candidate.bytes for candidate in result.deleted)
    print(f"prune: retention {days:,} days; {verb} {len(result.deleted):,} versions of {lists:,} lists ({size:,} bytes)")
    print(f"kept: {result.kept_latest:,} LATEST, {result.kept_recent:,} within retention, "
          f"{result.kept_unexpired:,} not yet expired" + (f", {result.unreadable:,} without a readable manifest" if result.unreadable else ""))
    print("the ledger is never pruned")
    return 0


def _demo_dagster_home() -> None:
    """The demo is recorded into data/dagster_home (unless DAGSTER_HOME says otherwise), the
    instance `make dev` opens: its run, checks and metadata are in the UI on first open."""
    import os

    if not os.environ.get("DAGSTER_HOME"):
        folder = Path("data/dagster_home").resolve()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "dagster.yaml").touch()  # an empty configuration: Dagster's defaults, no warning
        os.environ["DAGSTER_HOME"] = str(folder)


def main(argv: list[str] | None = None) -> int:
    from configuration.permissions import private_umask

    # Every file this process writes (HOME, its databases, dbt's artifacts, published lists) is
    # its owner's; publish_mode in lists.yaml opens the published lists to a group.
    private_umask()
    args = build_parser().parse_args(argv)
    if args.command == "generate":
        return cmd_generate(args.out, args.voters, args.seed, args.as_of)
    if args.command == "run":
        return cmd_run(args.inbox, args.home, args.as_of, args.lists, args.policy, args.engine)
    if args.command == "demo":
        inbox, home = Path("data/inbox"), Path("data/home")
        _demo_dagster_home()
        status = cmd_generate(inbox, 100_000, 1, None)
        return status or cmd_init(home) or cmd_run(inbox, home, None, None, None)
    if args.command == "init":
        return cmd_init(args.home)
    if args.command == "sql":
        return cmd_sql(args.home, args.sql_command)
    if args.command == "rekey":
        return cmd_rekey(args.home)
    if args.command == "lists":
        return cmd_lists(args.home)
    if args.command == "report":
        return cmd_report(args.home, args.run_id, args.open_browser)
    if args.command == "explain":
        return cmd_explain(args.phone, args.home, args.list_name)
    if args.command == "ledger":
        return cmd_ledger(args.home, args.export)
    if args.command == "serve":
        return cmd_serve(args)
    if args.command == "consumers":
        return cmd_consumers(args)
    if args.command == "audit":
        return cmd_audit(args.home, args.consumer, args.last)
    if args.command == "forget":
        return cmd_forget(args.phone, args.home, args.policy)
    if args.command == "prune":
        return cmd_prune(args.home, args.dry_run, args.policy)
    return 2


if __name__ == "__main__":
    sys.exit(main())

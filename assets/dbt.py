"""The dbt project as Dagster assets; its tests become asset checks."""


import contextlib
import ctypes
import functools
import io
import json
import os
import signal
import subprocess
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from configuration.permissions import private_tree
from configuration.settings import RunSettings
from . import encryption
from .build_state import BuildPlan, forget_build_state
from .dbt_failure import failure_summary
from .dbt_memory import memory_retry, read_run_results
from .dbt_selection import configured_segments, guard_tests, in_dependency_order
from .warehouse import MEMORY_ENV, memory_limit

from .dbt_progress import model_progress
from .private_errors import redact_quoted

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"


def dbt_executable() -> str:
    """The dbt next to this interpreter: DbtCliResource needs it on construction."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def ensure_manifest() -> Path:
    """Parse the project when the manifest is missing or older than any project file."""
    sources = [DBT_PROJECT_DIR / "dbt_project.yml", *DBT_PROJECT_DIR.glob("models/**/*"), *DBT_PROJECT_DIR.glob("macros/**/*")]
    newest = max(path.stat().st_mtime for path in sources if path.is_file())
    if not MANIFEST.exists() or MANIFEST.stat().st_mtime < newest:
        subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
            check=True,
        )
    return MANIFEST


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable())


# Who answers for a folder's models; compliance rules have their own reviewers.
FOLDER_OWNERS = {"compliance": "team:compliance"}
DEFAULT_OWNER = "team:data-engineering"


class FolderTranslator(DagsterDbtTranslator):
    """Asset groups mirror the model folders (staging, people, compliance, segments, lists)."""

    def get_group_name(self, dbt_resource_props) -> str | None:
        if dbt_resource_props.get("resource_type") != "model":
            return super().get_group_name(dbt_resource_props)
        return model_folder(dbt_resource_props["fqn"])

    def get_owners(self, dbt_resource_props) -> list[str]:
        folder = model_folder(dbt_resource_props.get("fqn", []))
        return [FOLDER_OWNERS.get(folder, DEFAULT_OWNER)]


def model_folder(fqn: list[str]) -> str:
    """`['outreach', 'compliance', 'int_opt_outs']` -> `compliance`; top-level models -> `dbt`."""
    return fqn[1] if len(fqn) > 2 else "dbt"


def build_dbt_assets() -> dg.AssetsDefinition:
    @dbt_assets(manifest=ensure_manifest(), name="outreach_dbt", dagster_dbt_translator=FolderTranslator())
    def outreach_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: dg.ResourceParam[RunSettings],
                     build_plan: dg.ResourceParam[BuildPlan]):
        os.environ["OUTREACH_WAREHOUSE"] = str(settings.warehouse)
        # The profile's memory_limit: the same bound as this process's connections.
        os.environ[MEMORY_ENV] = memory_limit()
        # dbt attaches the encrypted warehouse with this key; dbt masks DBT_ENV_SECRET_* in its logs.
        os.environ[encryption.DBT_KEY_ENV] = encryption.read_key(settings.home)
        # Any dbt build makes the incremental state stale: it is written anew only after a run
        # whose build succeeded (orchestration/build_plan.py, record_build).
        forget_build_state(settings.home)
        # Read by list_decisions' config (dbt_project/macros/decision_delta.sql). An environment
        # variable, not a dbt var: dbt re-parses only what reads it, not the whole project.
        delta = build_plan.decisions_delta or context.run.tags.get(DECISIONS_TAG) == DECISIONS_DELTA
        os.environ[DECISIONS_DELTA_ENV] = "true" if delta else ""
        manifest = load_manifest()
        segments = configured_segments(manifest, [spec.segment for spec in settings.lists.lists])
        selected = {key.path[-1]: key for key in context.selected_asset_keys}
        reused = reused_models(build_plan, set(selected))
        reused_guards = guard_tests(manifest, set(selected)) - guard_tests(manifest, set(selected) - reused)
        skip = sorted(reused | reused_guards)
        try:
            if settings.engine == "spark":
                yield from _build_on_spark(context, dbt, settings, dbt_build_args(segments, skip=skip))
                return
            # A reused model reads no built one (it would be downstream of a change): report them
            # first, parents before children, as Dagster wants. Each table is what a build would
            # make now, and the lists downstream run on it.
            for name in in_dependency_order(manifest, reused):
                yield dg.Output(None, output_name=context.assets_def.get_output_name_for_asset_key(selected[name]),
                                metadata={"reused": True})
            # Their publish-guard tests are not run again: each passed in the build that made its
            # models (a build state is recorded only after a build whose tests all passed), and
            # their inputs have not changed since. Reported as such: a blocking check without a
            # result makes Dagster warn at every list downstream.
            for key in sorted(context.selected_asset_check_keys, key=lambda k: (k.asset_key.to_string(), k.name)):
                if key.name in reused_guards:
                    yield dg.AssetCheckResult(asset_key=key.asset_key, check_name=key.name, passed=True,
                                              metadata={"reused": True})
            if reused:
                context.log.info(f"reused {len(reused)} of {len(selected)} models: their inputs did not change "
                                 "since the last recorded build")
            if len(reused) < len(selected):
                yield from _build_within_memory(context, dbt, settings, segments, skip)
        finally:
            os.environ.pop(DECISIONS_DELTA_ENV, None)  # a later dbt of this process decides every number

    return outreach_dbt


def reused_models(plan: BuildPlan, selected: set[str]) -> set[str]:
    """The selected models the plan leaves as they are (none when it builds every model)."""
    return set() if plan.models is None else selected - plan.models


def _event_key(event) -> tuple | None:
    """What an event reports on, so a second dbt pass does not report a node twice."""
    if isinstance(event, dg.Output):
        return ("output", event.output_name)
    if isinstance(event, dg.AssetMaterialization):
        return ("materialization", event.asset_key)
    if isinstance(event, dg.AssetCheckResult):
        return ("check", event.asset_key, event.check_name)
    return None


# The start of the step's log line when a build is retried (orchestration/runner.py prints it).
OUT_OF_MEMORY_NOTICE = "Out of memory:"


def _build_within_memory(context, dbt: DbtCliResource, settings: RunSettings, segments: list[str] | None,
                         skip: list[str]):
    """The DuckDB build; when it fails only because DuckDB ran out of memory, the nodes that did
    not finish are built again one at a time (assets/dbt_memory.py). A second failure fails the step."""
    reported: set = set()
    held: list = []
    limit = os.environ[MEMORY_ENV]
    first_pass_limit = os.environ.get(TEST_FIRST_PASS_MEMORY_ENV, "").strip() or limit
    os.environ[MEMORY_ENV] = first_pass_limit
    try:
        yield from _build(context, dbt, settings, dbt_build_args(segments, skip=skip), reported, held)
        return
    except DbtBuildFailed:
        retry = memory_retry(read_run_results(settings.home / "dbt_target"))
        if retry is None:
            yield from held
            raise
    finally:
        os.environ[MEMORY_ENV] = limit
    context.log.warning(
        f"{OUT_OF_MEMORY_NOTICE} DuckDB's {first_pass_limit} ({MEMORY_ENV}) ran out in "
        f"{', '.join(retry.out_of_memory)} with models built side by side; building what did not finish "
        "again, one model at a time")
    if "list_decisions" not in retry.finished:
        # Decided again for every number: the first pass's delta steps are not trusted.
        os.environ[DECISIONS_DELTA_ENV] = ""
    yield from _build(context, dbt, settings,
                      dbt_build_args(segments, skip=sorted({*skip, *retry.finished}), threads=1), reported)


def _build(context, dbt: DbtCliResource, settings: RunSettings, args: list[str], reported: set | None = None,
           held: list | None = None):
    """One `dbt build` (args say which target and nodes), its events streamed to Dagster.

    `reported` collects what was reported; an event already in it is not reported again
    (the staging views are built on both engines by `--engine spark`). With `held`, the failed
    checks of tests that errored (rather than found rows) go there, not to Dagster: a second
    pass may run those tests again."""
    with contextlib.redirect_stdout(_DbtSummary(sys.stdout)):
        # What this build's failure is read from (dbt_memory, dbt_failure): never an earlier
        # build's, when dbt stops before writing its own.
        (settings.home / "dbt_target" / "run_results.json").unlink(missing_ok=True)
        # Run artifacts live with the home they describe, not in the source tree.
        with dies_with_this_process():
            invocation = dbt.cli(args, context=context, target_path=settings.home / "dbt_target",
                                 raise_on_error=False)
        # dagster-dbt copies partial_parse.msgpack in with shutil.copy, which keeps the source tree's 0644.
        private_tree(settings.home / "dbt_target")
        # The gates after this step load Great Expectations and input-independent tables
        # (seconds, mostly disk): loaded now, while dbt starts and builds in its own process.
        # In this thread, once per process (expectations/preload.py says why not in another).
        from expectations import preload

        preload.load()
        for event in invocation.stream():
            if held is not None and _errored_check(event):
                held.append(event)
                continue
            key = _event_key(event)
            if reported is not None and key is not None:
                if key in reported:
                    continue
                reported.add(key)
            yield event
        error = invocation.get_error()
        if error is not None:
            # dagster-dbt's own error repeats dbt's messages, which quote values DuckDB choked on.
            # The first line, which the run's outcomes show, names the failed nodes and why.
            summary = failure_summary(read_run_results(settings.home / "dbt_target"))
            details = redact_quoted(str(error))
            raise DbtBuildFailed(f"{summary}\n{details}" if summary else details) from None


def _errored_check(event) -> bool:
    """A failed check whose dbt test errored (DuckDB failed to run it), not one that found rows."""
    return isinstance(event, dg.AssetCheckResult) and not event.passed and \
        str(getattr(event.metadata.get("status"), "value", event.metadata.get("status"))) == "error"


# Models not written in engine-neutral SQL (docs/scale-out.md "What is not ported"): with
# --engine spark they and everything downstream would build on DuckDB, from Spark's results.
# Every model is portable today; the hook stays for a model that cannot be.
DUCKDB_ONLY_MODELS: tuple[str, ...] = ()
# dbt's unit tests cast their fixture rows with DuckDB types: they test the models' logic and run
# in every DuckDB build (and CI); a Spark build runs the data tests on the real tables.
SPARK_SKIPS = ("resource_type:unit_test",)


def _build_on_spark(context, dbt: DbtCliResource, settings: RunSettings, build_args: list[str]):
    """`--engine spark`: the portable models on Spark, read back into the warehouse, the rest on DuckDB.

    The Parquet copies of the sources and of the models are plain text on disk (the warehouse
    is encrypted): they exist under HOME/spark only while this step runs.
    """
    from . import spark_layer, warehouse

    reported: set = set()
    try:
        with warehouse.connect(settings.warehouse) as con:
            time_columns = spark_layer.export_sources(con, settings.home)
        os.environ[spark_layer.SPARK_DIR_ENV] = str(spark_layer.spark_folder(settings.home))
        # Local mode talks to itself: no network address to look up, and no warning naming the host.
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        yield from _build(context, dbt, settings,
                          build_args + ["--target", "spark", "--exclude", " ".join(DUCKDB_ONLY_MODELS + SPARK_SKIPS)],
                          reported)
        try:
            with warehouse.connect(settings.warehouse) as con:
                loaded = spark_layer.import_models(con, settings.home, spark_layer.written_models(settings.home),
                                                   time_columns)
        except Exception as error:  # a DuckDB error object; its text may quote values
            raise DbtBuildFailed(f"loading Spark's models into the warehouse failed: {type(error).__name__}: "
                                 f"{redact_quoted(str(error).splitlines()[0] if str(error) else '')}") from None
    finally:
        spark_layer.remove(settings.home)
    # Staging views (Spark's are session-scoped) and the DuckDB-only models, over Spark's tables.
    # One --exclude value (dbt reads space-separated selectors as a union): dagster-dbt keeps one.
    again = build_args + (["--exclude", " ".join(loaded)] if loaded else [])
    if not DUCKDB_ONLY_MODELS:
        # The views' data tests ran on Spark over the same rows and were reported; a second
        # run of them here costs a DuckDB query each and reports nothing new.
        again += ["--exclude-resource-type", "test"]
    yield from _build(context, dbt, settings, again, reported)


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _parent_death_signal() -> Callable[[], None] | None:
    """A preexec_fn that has the kernel SIGKILL the child when this process dies (Linux).

    Without it a `kill -9` of `outreach run` leaves `dbt build` running, re-parented to init,
    holding the warehouse's DuckDB lock and writing on. libc is loaded here, in the parent:
    after fork the child only calls prctl.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died between fork and prctl
            os._exit(1)

    return preexec


@contextlib.contextmanager
def dies_with_this_process() -> Iterator[None]:
    """dbt subprocesses started in the block (DbtCliResource.cli) get the parent-death signal.

    dagster-dbt starts dbt with a plain subprocess.Popen and takes no preexec_fn, so for the
    block its module sees a `subprocess` whose Popen adds one. The signal is tied to the thread
    that forks, which is the step's thread for the whole dbt build (in-process executor).
    tests/test_crash_hygiene.py kills a real run during dbt and checks dbt is gone.
    """
    from dagster_dbt.core import dbt_cli_invocation as invocation

    preexec = _parent_death_signal()
    real = invocation.subprocess
    if preexec is None or getattr(real, "Popen", None) is not subprocess.Popen:
        yield
        return
    patched = types.SimpleNamespace(**{name: getattr(real, name) for name in dir(real) if not name.startswith("__")})
    patched.Popen = functools.partial(subprocess.Popen, preexec_fn=preexec)
    invocation.subprocess = patched
    try:
        yield
    finally:
        invocation.subprocess = real


# Mutation tests only (tests/test_gate_independence.py): switch one rule id off in the
# eligibility SQL, so the independent gate can be seen to block what it lets through.
TEST_DISABLE_RULE_ENV = "OUTREACH_TEST_DISABLE_RULE"
# Fault injection for tests only (tests/test_dbt_memory.py): the memory limit of a build's first
# pass, so that DuckDB runs out in it and the second pass, at the run's limit, can be seen to finish.
TEST_FIRST_PASS_MEMORY_ENV = "OUTREACH_TEST_FIRST_PASS_MEMORY"
# The run tag an incremental `outreach run` sets when list_decisions may decide again only the
# numbers whose inputs changed (orchestration/runner.py), and what passes it on to dbt.
DECISIONS_TAG = "outreach/decisions"
DECISIONS_DELTA = "changed_numbers_only"
DECISIONS_DELTA_ENV = "OUTREACH_DECISIONS_DELTA"


class DbtBuildFailed(RuntimeError):
    """dbt build failed; the message names nodes and error kinds, with quoted values blanked."""


def dbt_build_args(segments: list[str] | None = None, skip: list[str] | None = None,
                   threads: int | None = None) -> list[str]:
    """A production build: unit tests belong in CI (tests/test_dbt_ci_build.py), and which models
    and data tests run is the Dagster selection's (orchestration/location.py), which dagster-dbt
    passes as --select. `segments`: the segment models the lists use (None: all). `skip`: models
    and tests of that selection the run's plan reuses (dbt node names, one --exclude). `threads`:
    models built side by side, when not the profile's."""
    # No dbt.log: at debug level it records every error in full, values DuckDB quoted included.
    args = ["build", "--log-level-file", "none", "--exclude-resource-type", "unit_test"]
    if skip:
        args += ["--exclude", " ".join(skip)]
    if threads is not None:
        args += ["--threads", str(threads)]
    variables = {}
    disabled = os.environ.get(TEST_DISABLE_RULE_ENV, "").strip()
    if disabled:
        variables["test_disable_rule"] = disabled
    if segments is not None:
        variables["segments"] = list(segments)
    if variables:
        args += ["--vars", json.dumps(variables)]
    return args


@functools.lru_cache(maxsize=1)
def load_manifest() -> dict:
    return json.loads(ensure_manifest().read_text())


class _DbtSummary(io.TextIOBase):
    """dagster-dbt echoes every dbt line to stdout; a run keeps the errors and the totals."""

    _KEEP = ("ERROR", "FAIL", "WARN", "Done.", "Failure", "Runtime Error", "Compilation Error", "Out of Memory Error")

    def __init__(self, target):
        self._target = target

    def write(self, text: str) -> int:
        for line in text.splitlines():
            progress = model_progress(line)  # one line per finished model (assets/dbt_progress.py)
            if progress is not None:
                self._target.write(f"  {progress}\n")
                self._target.flush()
            elif any(marker in line for marker in self._KEEP):
                self._target.write(f"  dbt: {redact_quoted(line.strip())}\n")
        return len(text)

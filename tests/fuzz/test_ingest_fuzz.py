"""Fuzz: a corrupted file of every source format, read by its family's real loader into a real
DuckDB file (no pipeline run: tests/fuzz/test_run_fuzz.py runs the CLI).

For each example: the file is either refused with a LayoutError whose message starts with
its name (never a traceback, never the line's content), or read with every line accounted
for (rows read = loaded + quarantined, each really in its table), no NUL and no over-long
value in a raw table, and, for plain line files, no line left out."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from hypothesis import HealthCheck, given, note, settings

from . import corruption as c

# 15 formats x 30 examples; derandomized so CI sees the same examples every time.
EXAMPLES = 30


@pytest.fixture(scope="module")
def formats(tmp_path_factory):
    from synthetic import generate_inbox

    inbox = tmp_path_factory.mktemp("generated")
    generate_inbox(inbox, voters=300, seed=7, as_of=c.AS_OF)
    return {sample.format: sample for sample in c.samples(inbox)}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def _check(sample: c.Sample, ops: list[tuple], workdir) -> None:
    note(f"{sample.format}: {[op[:1] + tuple(x if not isinstance(x, bytes) or len(x) < 40 else f'<{len(x)} bytes>' for x in op[1:]) for op in ops]}")
    rel, data = c.corrupt(sample, ops)
    inbox, scratch, database = workdir / "inbox", workdir / "scratch", workdir / "w.duckdb"
    c.write_inbox(inbox, {rel: data})
    database.unlink(missing_ok=True)
    shutil.rmtree(scratch, ignore_errors=True)
    with duckdb.connect(str(database)) as con:
        loads, refusal = c.read_family(con, inbox, sample.family, scratch)
        if refusal is not None:
            c.assert_refusal_names_file(refusal, rel)
            return
        assert [load.file.split("!")[0] for load in loads] == [rel]
        c.assert_reconciled(con, sample.family)
        plain = not any(op[0] in ("gzip", "zip", "encode", "random_file") for op in ops)
        if plain and sample.family != "volunteers":
            c.assert_no_line_vanished(con, sample.family, loads[0].file, data)
    assert not scratch.exists() or not any(scratch.iterdir()), "a decompressed or converted copy was left behind"


FORMATS = ["nc_ncvoter", "fl_voters", "nc_ncvhis", "fl_history", "actblue", "mobilize", "dnc_full", "dnc_changes",
           "opt_outs", "inbound_sms", "consents", "line_types", "rnd", "contact_history", "surveys"]


@pytest.mark.parametrize("name", FORMATS)
def test_every_corruption_is_read_or_refused_by_name(name, formats, workdir):
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large])
    @given(ops=c.JSON_CORRUPTIONS if name == "mobilize" else c.CORRUPTIONS)
    def check(ops):
        _check(formats[name], ops, workdir)

    check()

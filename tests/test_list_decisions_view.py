"""A list's rows (`lists.<name>`) and decisions (`lists.<name>__decisions`) are views of its rows
of main.list_members and main.list_decisions, not copies (docs/performance.md): the gate, the
counts, the waterfall and the published files read them filtered. A home an earlier version
left a copy in gets the view in its place. Publishing checks that the rows are those the gate
checked (a fingerprint the gate records), so a later build cannot publish rows no gate saw."""

from __future__ import annotations

import json

import duckdb
import pytest

from assets.lists import RowsChangedSinceGate, _rows_as_gated, _rows_fingerprint, _view_decisions, _view_rows
from assets.sql_text import ident
from configuration.config_files import ListSpec


def _spec(name: str) -> ListSpec:
    return ListSpec(name=name, segment="everyone", channel="manual_call", purpose="political",
                    effective_channel="manual_call")


def _warehouse(path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("create schema lists")
    con.execute("create table main.list_decisions (list_name varchar, contact_id varchar, phone_e164 varchar, "
                "included boolean, rule_ids varchar[], evidence varchar[], first_name varchar)")
    con.execute("insert into main.list_decisions values "
                "('calls', 'c1', '+19195550101', true, [], [], 'Ann'), "
                "('calls', 'c2', '+19195550102', false, ['R09'], ['opt_out'], 'Bo'), "
                "('texts', 'c1', '+19195550101', false, ['C04'], [], 'Ann')")
    con.execute("create table main.list_members (list_name varchar, contact_id varchar, phone_e164 varchar, "
                "first_name varchar, score double)")
    con.execute("insert into main.list_members values ('calls', 'c1', '+19195550101', 'Ann', 0.5), "
                "('texts', 'c3', '+19195550103', 'Cy', 0.7), ('calls', 'c4', '+19195550104', 'Di', 0.2)")
    return con


GATES = [{"name": "configuration", "success": True}]


def _record_gate(con, spec: ListSpec) -> None:
    """What the gate step writes after checking the list's rows (assets/lists.py)."""
    con.execute(f"create or replace table lists.{ident(spec.name + '__gates')} as "
                "select * from (values (?, ?)) t(gates, rows_fingerprint)", [json.dumps(GATES), _rows_fingerprint(con, spec)])


def test_the_decisions_of_a_list_are_a_view_of_its_rows_only(tmp_path):
    con = _warehouse(tmp_path / "warehouse.duckdb")
    _view_decisions(con, _spec("calls"))
    assert con.execute("select table_type from information_schema.tables "
                       "where table_schema = 'lists' and table_name = 'calls__decisions'").fetchone() == ("VIEW",)
    assert con.execute('select * from lists."calls__decisions" order by contact_id').fetchall() == [
        ("c1", "+19195550101", True, [], []), ("c2", "+19195550102", False, ["R09"], ["opt_out"])]
    # A later build of the decisions shows through: nothing to copy again.
    con.execute("update main.list_decisions set included = false, rule_ids = ['R09'] where contact_id = 'c1'")
    assert con.execute('select count(*) from lists."calls__decisions" where included').fetchone() == (0,)


def test_a_copy_an_earlier_version_left_is_replaced_by_the_view(tmp_path):
    con = _warehouse(tmp_path / "warehouse.duckdb")
    con.execute('create table lists."calls__decisions" as select 1 as stale')
    _view_decisions(con, _spec("calls"))
    _view_decisions(con, _spec("calls"))  # and again, on the view itself
    assert con.execute('select count(*) from lists."calls__decisions"').fetchone() == (2,)


def test_a_list_name_with_a_quote_stays_a_value(tmp_path):
    con = _warehouse(tmp_path / "warehouse.duckdb")
    con.execute("insert into main.list_decisions values ('it''s', 'c3', '+19195550103', true, [], [], null)")
    _view_decisions(con, _spec("it's"))
    assert con.execute("""select contact_id from lists."it's__decisions" """).fetchall() == [("c3",)]


def test_the_rows_of_a_list_are_a_view_of_its_members_only(tmp_path):
    con = _warehouse(tmp_path / "warehouse.duckdb")
    con.execute('create table lists."calls" as select 1 as stale')  # the copy an earlier version made
    _view_rows(con, _spec("calls"))
    _view_rows(con, _spec("calls"))
    assert con.execute("select table_type from information_schema.tables "
                       "where table_schema = 'lists' and table_name = 'calls'").fetchone() == ("VIEW",)
    assert con.execute('select contact_id from lists."calls" order by contact_id').fetchall() == [("c1",), ("c4",)]


def test_publishing_takes_the_rows_the_gate_checked(tmp_path):
    con = _warehouse(tmp_path / "warehouse.duckdb")
    spec = _spec("calls")
    _view_rows(con, spec)
    _record_gate(con, spec)
    assert _rows_as_gated(con, spec) == (GATES, 2)
    # Another list's rows changing is no change of this list's.
    con.execute("update main.list_members set score = 0.9 where list_name = 'texts'")
    assert _rows_as_gated(con, spec) == (GATES, 2)


@pytest.mark.parametrize("change", [
    "update main.list_members set score = 0.9 where contact_id = 'c4'",
    "insert into main.list_members values ('calls', 'c5', '+19195550105', 'Ed', 0.1)",
    "delete from main.list_members where contact_id = 'c1'",
    "insert into main.list_members select * from main.list_members where contact_id = 'c1'",  # a row twice
])
def test_rows_changed_after_the_gate_are_not_published(tmp_path, change):
    con = _warehouse(tmp_path / "warehouse.duckdb")
    spec = _spec("calls")
    _view_rows(con, spec)
    _record_gate(con, spec)
    con.execute(change)
    with pytest.raises(RowsChangedSinceGate, match="changed since its gate ran"):
        _rows_as_gated(con, spec)


def test_a_gate_record_without_the_rows_it_checked_publishes_nothing(tmp_path):
    con = _warehouse(tmp_path / "warehouse.duckdb")
    spec = _spec("calls")
    _view_rows(con, spec)
    # The record an earlier version's gate wrote: gates only.
    con.execute('create table lists."calls__gates" as select ? as gates', [json.dumps(GATES)])
    with pytest.raises(RowsChangedSinceGate, match="no rows recorded"):
        _rows_as_gated(con, spec)


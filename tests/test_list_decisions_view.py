"""A list's decisions (`lists.<name>__decisions`) are a view of its rows of main.list_decisions,
not a copy (docs/performance.md): the counts, the waterfall and decisions.parquet read them
filtered. A home an earlier version left a copy in gets the view in its place."""

from __future__ import annotations

import duckdb

from assets.lists import _view_decisions
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
    return con


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

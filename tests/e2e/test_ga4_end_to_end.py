"""A GA4 retailer end to end: the real GA4 sample (../shared/realdata/ga4-obfuscated-sample,
24,219 events) onboarded with one add-retailer command, landed and built with the
real CLI and dbt, and reconciled with the same figures computed here with plain
DuckDB over the sample file.

Two copies of the project, three builds in all:
- `daily`: the sample split into its 92 daily Parquet tables (events_YYYYMMDD.parquet),
  delivered in two runs (2020's days, then 2021's) with a `retail-imports run` after each;
- `at_once`: the same days as gzip newline-delimited JSON the way BigQuery writes it
  (64-bit integers as strings, null fields left out), all delivered at once.
Both get one more day, written here, with what the sample lacks: a visitor who
logs in (user_id) and buys, a bot, a full and a partial refund of sample orders,
and an event without event_timestamp. The two must give the same marts, and the
marts must hold every page view and order of the files, nothing more.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import ProjectCopy
from ga4_exports import SAMPLE, connect, write_daily_parquet, write_ndjson

pytestmark = pytest.mark.dbt

EXTRA_DAY = "20210201"
T0 = datetime(2021, 2, 1, 10, 0, tzinfo=timezone.utc)
LOOKBACK = timedelta(days=30)


def _micros(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1_000_000))


def _event(name: str, at: datetime | None, visitor: str, params: dict, **fields) -> dict:
    """One event as BigQuery's JSON export writes it (INT64 as strings)."""
    def value(v):
        if isinstance(v, int):
            return {"int_value": str(v)}
        if isinstance(v, float):
            return {"double_value": v}
        return {"string_value": v}
    event = {"event_date": EXTRA_DAY, "event_name": name, "user_pseudo_id": visitor, "platform": "WEB",
             "stream_id": "2100450278", "device": {"category": "desktop"},
             "event_params": [{"key": k, "value": value(v)} for k, v in params.items()], **fields}
    if at is not None:
        event["event_timestamp"] = _micros(at)
    return event


def _param(event: dict, key: str):
    return next(p["value"]["string_value"] for p in event["event_params"] if p["key"] == key)


def _sample_orders() -> list[tuple]:
    """(transaction id, first item id, revenue) of two sample purchases to refund."""
    with connect() as con:
        return con.execute(f"""select ecommerce.transaction_id, items[1].item_id, ecommerce.purchase_revenue
                               from read_parquet('{SAMPLE}')
                               where event_name = 'purchase' and ecommerce.transaction_id not in ('(not set)')
                                 and len(items) > 1 and event_date < '20201115'
                               order by event_timestamp limit 2""").fetchall()


def extra_events() -> list[dict]:
    session = 1612173600
    landing = "https://shop.example/?utm_source=newsletter&utm_medium=email&utm_campaign=feb"
    (full_id, _, full_revenue), (part_id, part_item, _) = _sample_orders()
    events = [
        # a visitor lands from a newsletter, logs in, and buys: GA4 sets user_id once logged in
        _event("page_view", T0, "v-login.1", {"ga_session_id": session, "page_location": landing,
                                             "source": "newsletter", "medium": "email", "campaign": "feb"}),
        _event("page_view", T0 + timedelta(minutes=5), "v-login.1",
               {"ga_session_id": session, "page_location": "https://shop.example/account"}, user_id="crm-1"),
        _event("purchase", T0 + timedelta(minutes=10), "v-login.1",
               {"ga_session_id": session, "currency": "EUR", "page_location": "https://shop.example/thanks"},
               user_id="crm-1",
               ecommerce={"transaction_id": "T-1001", "purchase_revenue": 45.5, "tax_value": 5.5,
                          "total_item_quantity": "3"},
               items=[{"item_id": "SKU-1", "item_name": "Mug", "item_brand": "Acme", "item_category": "Home",
                       "price": 10.0, "quantity": "2", "item_revenue": 20.0},
                      {"item_id": "SKU-2", "item_name": "Tee", "item_category": "Apparel", "item_category2": "Men",
                       "price": 20.0, "item_revenue": 20.0}]),
        # a purchase listing no item: an order without lines
        _event("purchase", T0 + timedelta(minutes=30), "v-login.1", {"ga_session_id": session, "currency": "EUR"},
               user_id="crm-1", ecommerce={"transaction_id": "T-1002", "purchase_revenue": 12.0}),
        # refunds of two sample orders delivered months before: the whole order, then one item
        _event("refund", T0 + timedelta(hours=1), "refunder.1", {"currency": "USD"},
               ecommerce={"transaction_id": full_id, "refund_value": full_revenue}),
        _event("refund", T0 + timedelta(hours=2), "refunder.2", {"currency": "USD"},
               ecommerce={"transaction_id": part_id, "refund_value": 5.0},
               items=[{"item_id": part_item, "item_refund": 5.0, "quantity": "1"}]),
        # an event without its time: kept, flagged, reported
        _event("page_view", None, "v-broken.1", {"ga_session_id": session, "page_location": "https://shop.example/"}),
    ]
    # a crawler: 60 page views in one minute
    events += [_event("page_view", T0 + timedelta(hours=3, seconds=s), "v-bot.1",
                      {"ga_session_id": session + 1, "page_location": f"https://shop.example/p/{s}"})
               for s in range(60)]
    return events


def _write_extra_day(drop: Path) -> None:
    drop.mkdir(parents=True, exist_ok=True)
    (drop / f"events_{EXTRA_DAY}.json").write_text("\n".join(json.dumps(e) for e in extra_events()) + "\n")


def _deliveries(paths: list[Path]) -> list[list[Path]]:
    """The daily files in two deliveries: 2020 (November, December), then January 2021."""
    years = defaultdict(list)
    for path in paths:
        years[path.name[7:11]].append(path)
    return [years[y] for y in sorted(years)]


def _project(tmp: Path, name: str) -> ProjectCopy:
    project = ProjectCopy(tmp / name)
    project.add_retailer("shop", "events", "ga4_events", "drop/shop/events_*")
    return project


def _run(project: ProjectCopy) -> None:
    result = project.cli("run")
    assert result.code == 0, result.out[-4000:] + result.err[-3000:]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ga4")
    parquet = write_daily_parquet(tmp / "parquet")

    daily = _project(tmp, "daily")
    drop = daily.root / "drop" / "shop"
    deliveries = _deliveries(parquet)
    for number, delivery in enumerate(deliveries, start=1):
        drop.mkdir(parents=True, exist_ok=True)
        for path in delivery:
            shutil.copy(path, drop / path.name)
        if number == len(deliveries):
            _write_extra_day(drop)
        _run(daily)

    at_once = _project(tmp, "at_once")
    drop = at_once.root / "drop" / "shop"
    for path in parquet:
        write_ndjson(path, drop / f"{path.stem}.json.gz")
    _write_extra_day(drop)
    _run(at_once)
    return {"daily": daily, "at_once": at_once}


@pytest.fixture(scope="module")
def sample():
    """The figures the marts must show, computed from the sample file and the extra day."""
    con = connect()
    con.execute(f"create view sample as select *, file_row_number from read_parquet('{SAMPLE}', file_row_number = true)")
    con.execute("""create view purchases as
                   select * from sample where event_name = 'purchase'
                     and ecommerce.transaction_id is not null and ecommerce.transaction_id <> '(not set)'""")
    # an order delivered twice in a day keeps its last delivery (file order)
    con.execute("""create view orders as
                   select * from (select *, row_number() over (partition by ecommerce.transaction_id
                                                              order by event_date desc, file_row_number desc) as newest
                                  from purchases) where newest = 1""")
    yield con
    con.close()


def _pq(con, sql: str):
    return con.execute(sql).fetchall()


def test_every_page_view_of_the_sample_is_in_the_marts_once(built, sample):
    expected = {(v, t, u) for v, t, u in _pq(sample, """
        select user_pseudo_id, make_timestamp(event_timestamp),
               list_filter(event_params, lambda p: p.key = 'page_location')[1].value.string_value
        from sample where event_name = 'page_view'""")}
    assert len(expected) == 7_498
    # + the extra day: 2 views of the visitor who logs in, 60 of the bot; the one without a time is flagged
    extra = {(e["user_pseudo_id"], datetime.fromtimestamp(int(e["event_timestamp"]) / 1e6, timezone.utc).replace(tzinfo=None),
              _param(e, "page_location"))
             for e in extra_events() if e["event_name"] == "page_view" and "event_timestamp" in e}
    marts = built["daily"].query("""select visitor_id, viewed_at, page_url from main.fct_page_views
                                    where retailer = 'shop'""")
    assert len(marts) == len(set(marts)) == 7_498 + 62
    assert {m for m in marts if not m[0].startswith("v-")} == expected
    assert len({m for m in marts if m[0].startswith("v-")}) == len(extra) == 62
    # sessions are GA4's own: visitor + ga_session_id
    sessions = _pq(sample, """select count(distinct (user_pseudo_id, list_filter(event_params, lambda p: p.key = 'ga_session_id')[1].value.int_value))
                              from sample where event_name = 'page_view'""")[0][0]
    assert built["daily"].query("select count(*), count_if(is_derived_session) from main.int_sessions "
                                "where retailer = 'shop'") == [(sessions + 2, 0)]


def test_every_order_of_the_sample_reconciles_with_the_marts(built, sample):
    expected = {t: (Decimal(str(r)), n) for t, r, n in _pq(sample, """
        select ecommerce.transaction_id, ecommerce.purchase_revenue, len(items) from orders""")}
    assert len(expected) == 525   # 624 purchases: 93 without transaction id, 6 delivered twice
    got = {t: (r, n) for t, r, n in built["daily"].query("""
        select orders.order_id, orders.revenue, count(lines.order_line_item_key)
        from main.fct_orders as orders
        left join main.fct_order_line_items as lines on orders.order_key = lines.order_key
        where orders.retailer = 'shop' group by all""")}
    assert got.pop("T-1001") == (Decimal("45.5"), 2)
    assert got.pop("T-1002") == (Decimal("12"), 0)
    assert got == expected
    # line items: ids, names, brands, categories, prices, quantities (GA4: 1 when not set), currency
    items = _pq(sample, """
        select ecommerce.transaction_id, i.item_id, i.item_name, i.item_brand, i.item_category,
               list_filter([i.item_category2, i.item_category3, i.item_category4, i.item_category5],
                           lambda c: trim(c) not in ('', '(not set)')),
               i.price, coalesce(i.quantity, 1), i.item_revenue
        from orders, unnest(items) as t(i)""")
    lines = built["daily"].query("""
        select order_id, product_id, product_name, brand, category, categories, unit_price, quantity, total_amount
        from main.fct_order_line_items where retailer = 'shop' and order_id not like 'T-%'""")
    # text trimmed, empty or GA4's (not set) meaning no value
    expected_lines = sorted(tuple((None if v.strip() in ("", "(not set)") else v.strip()) if isinstance(v, str) else v
                                  for v in row) for row in items)
    assert sorted((o, p, n, b, c, cs, float(u) if u is not None else None, int(q), float(t) if t is not None else None)
                  for o, p, n, b, c, cs, u, q, t in lines) == expected_lines
    totals = _pq(sample, "select sum(ecommerce.purchase_revenue), sum((select sum(coalesce(i.quantity, 1)) "
                         "from unnest(items) as t(i))) from orders")[0]
    assert built["daily"].query("select sum(revenue) from main.fct_orders where retailer = 'shop' "
                                "and order_id not like 'T-%'")[0][0] == Decimal(str(totals[0]))
    assert built["daily"].query("select sum(quantity) from main.fct_order_line_items where retailer = 'shop' "
                                "and order_id not like 'T-%'")[0][0] == totals[1]
    assert built["daily"].query("""select lines.currency_code, categories, platform, session_id, visitor_id
                                   from main.fct_order_line_items as lines join main.fct_orders using (order_key)
                                   where fct_orders.order_id = 'T-1001' and line_position = 2""") == [
        ("EUR", ["Men"], "web", "v-login.1-1612173600", "v-login.1")]


def test_purchases_without_transaction_id_are_flagged_not_merged(built, sample):
    unset = _pq(sample, """select count(*) from sample where event_name = 'purchase'
                           and (ecommerce.transaction_id is null or ecommerce.transaction_id = '(not set)')""")[0][0]
    assert unset == 93
    flagged = built["daily"].query("""
        select count(distinct (source_file, line_number)) from main.audit_rejected_rows
        where retailer = 'shop' and reason like 'transaction_id: % has no transaction id, so no order to belong to%'""")
    assert flagged == [(unset,)]
    assert built["daily"].query("select count(*) from main.fct_orders where retailer = 'shop' "
                                "and (order_id is null or order_id like '(%')") == [(0,)]
    # a purchase that lists no items: its order is kept, with no lines, and the gap is reported
    # (the sample's one has no transaction id either)
    assert built["daily"].query("select count(*) from main.fct_order_line_items where order_id = 'T-1002'") == [(0,)]
    assert built["daily"].query("select regexp_replace(source_file, '.*/', ''), line_number "
                                "from main.audit_rejected_rows where reason like '%the purchase lists no items%' "
                                "order by 1") == [
        ("events_20201111.parquet", _pq(sample, """
            select count(*) + 1 from sample where event_date = '20201111' and file_row_number <
                (select file_row_number from sample where event_name = 'purchase' and len(items) = 0)""")[0][0]),
        (f"events_{EXTRA_DAY}.json", 4),
    ]


def test_refunds_update_the_orders_they_refund(built):
    (full_id, _, full_revenue), (part_id, part_item, _) = _sample_orders()
    for name in ("daily", "at_once"):
        project = built[name]
        events = project.query(f"""select order_id, event_type, changes from main.fct_order_events
                                   where order_id in ('{full_id}', '{part_id}') order by order_id, event_at""")
        assert [(o, t) for o, t, _ in events] == sorted(
            [(full_id, "orderPlace"), (full_id, "orderUpdate"), (part_id, "orderPlace"), (part_id, "orderUpdate")])
        updates = {o: c for o, t, c in events if t == "orderUpdate"}
        assert f"refund_amount: null -> {float(full_revenue)}" in updates[full_id]
        assert "line_item_status: paid -> refunded" in updates[full_id]
        assert "refund_amount: null -> 5.0" in updates[part_id] and "line_item_status: paid -> refunded" in updates[part_id]
        statuses = project.query(f"""select order_id, product_id, line_item_status, refund_amount
                                     from main.fct_order_line_items where order_id in ('{full_id}', '{part_id}')""")
        assert {s for o, _, s, _ in statuses if o == full_id} == {"refunded"}
        assert {(p, s, r) for o, p, s, r in statuses if o == part_id and s == "refunded"} == {(part_item, "refunded", Decimal("5"))}
        assert project.query(f"select refund_amount from main.fct_orders where order_id = '{part_id}'") == [(Decimal("5"),)]


def test_identity_stitching_bots_and_attribution_run_on_ga4(built, sample):
    project = built["daily"]
    assert project.query("select visitor_id, crm_id from main.dim_visitor_identities where retailer = 'shop'") == [
        ("v-login.1", "crm-1")]
    assert project.query("select attribution_status, first_touch_channel, first_touch_utm_campaign, "
                         "last_touch_utm_campaign, user_crm_id from main.fct_order_attribution "
                         "where order_id = 'T-1001'") == [("attributed", "email", "feb", "feb", "crm-1")]
    assert project.query("select visitor_id from main.int_visitor_days where retailer = 'shop' and is_bot") == [
        ("v-bot.1",)]
    # every sample order attributed to the visitor's own sessions of the 30 days before, as computed here
    starts = defaultdict(list)
    for visitor, _session, started in _pq(sample, """
            select user_pseudo_id, list_filter(event_params, lambda p: p.key = 'ga_session_id')[1].value.int_value,
                   min(make_timestamp(event_timestamp))
            from sample where event_name = 'page_view' group by 1, 2"""):
        starts[visitor].append(started)
    expected = {}
    for order_id, visitor, at in _pq(sample, "select ecommerce.transaction_id, user_pseudo_id, "
                                             "make_timestamp(event_timestamp) from orders"):
        visits = [s for s in starts[visitor] if s <= at <= s + LOOKBACK]
        expected[order_id] = ("attributed" if visits else "unattributed", len(visits))
    got = {o: (s, n) for o, s, n in project.query("""select order_id, attribution_status, visits_in_lookback
                                                    from main.fct_order_attribution where retailer = 'shop'
                                                    and order_id not like 'T-%'""")}
    assert got == expected
    assert 0 < sum(1 for s, _ in expected.values() if s == "attributed") < len(expected)


def test_events_without_time_are_flagged_and_every_file_reconciles(built, sample):
    project = built["daily"]
    assert project.query("""select source_file, line_number, reason from main.audit_rejected_rows
                            where retailer = 'shop' and reason like 'event_timestamp%'
                            group by all""") == [
        (f"drop/shop/events_{EXTRA_DAY}.json", 7, "event_timestamp: required value missing")]
    files = project.query("""select count(*), count_if(is_reconciled), sum(rows_read), sum(rows_rejected)
                             from main.audit_import_files where retailer = 'shop'""")
    assert files == [(93, 93, 24_219 + len(extra_events()), 0)]
    # every valid event is in the GA4 events mart, page views and purchases as much as the others
    assert project.query("select count(*) from main.fct_ga4_events where retailer = 'shop'") == [
        (24_219 + len(extra_events()) - 1,)]
    assert project.query("select event_name, count(*) from main.fct_ga4_events where event_name in "
                         "('view_item', 'add_to_cart', 'begin_checkout') group by 1 order by 1") == [
        ("add_to_cart", 305), ("begin_checkout", 189), ("view_item", 2119)]


MARTS = {
    "fct_page_views": "page_view_id, visitor_id, session_id, page_url, referrer_url, utm_source, utm_medium, "
                      "utm_campaign, platform, device_type, viewed_at, file_date",
    "fct_orders": "order_key, order_id, visitor_id, crm_id, session_id, revenue, tax_amount, refund_amount, "
                  "currency_code, promotions, payment_method, ordered_at",
    "fct_order_line_items": "order_line_item_key, product_id, product_name, brand, category, categories, "
                            "unit_price, quantity, total_amount, refund_amount, line_item_status",
    "fct_ga4_events": "event_key, event_name, visitor_id, session_id, transaction_id, page_location, "
                      "event_source, device_category, purchase_revenue, event_at, event_date, file_date",
    # (its event_key names the delivery, a file of another name in each project)
    "fct_order_events": "order_id, event_type, event_at, change_count, changes",
    "int_sessions": "session_key, visitor_id, channel, utm_source, utm_campaign, page_views, started_at",
    "fct_order_attribution": "order_key, attribution_status, first_touch_session_key, last_touch_session_key, "
                             "first_touch_channel, visits_in_lookback",
}


def test_parquet_in_two_deliveries_equals_ndjson_at_once(built):
    for mart, columns in MARTS.items():
        sql = f"select {columns} from main.{mart} where retailer = 'shop' order by all"
        daily, at_once = built["daily"].query(sql), built["at_once"].query(sql)
        assert daily and daily == at_once, mart
    # the staged events are the same values, whichever encoding the export used
    columns = ", ".join(c for c, in built["daily"].query(
        "select column_name from information_schema.columns where table_name = 'stg_shop__events' "
        "and column_name not in ('event_params', 'user_properties', 'items', '_source_file', '_loaded_at', '_load_id')"))
    sql = f"select {columns} from main.stg_shop__events order by _file_date, _line_number"
    assert built["daily"].query(sql) == built["at_once"].query(sql)

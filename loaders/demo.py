"""Deterministic sample deliveries for the demo retailers.

acme delivers comma-separated files with every column and `+0200` offsets;
zephyr delivers tab-separated files without event ids or UTM terms, in UTC.
Both include what real deliveries do: events up to three days late, an event
delivered again in a later file, and (acme, day 2) one damaged row. Visitors
log in on some visits and not on others (identity stitching ties the rest to
them), and a crawler walks acme's pages every night (the bot audit flags it).
kestrel delivers Kevel Audience order files (loaders/demo_orders.py).
"""

from __future__ import annotations

import csv
import random
import zlib
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from .demo_bazaar import write_bazaar
from .demo_orders import write_kestrel

START = date(2024, 6, 1)
PAGES = ["/", "/women", "/men", "/sale", "/product/p-100", "/product/p-200", "/product/p-300", "/cart", "/checkout"]
CAMPAIGNS = [("google", "cpc", "summer_sale"), ("newsletter", "email", "june_news"), ("", "", ""), ("facebook", "paid_social", "retarget")]
DEVICES = ["desktop", "mobile", "tablet"]
AGENTS = {"desktop": "Mozilla/5.0 (X11; Linux x86_64)", "mobile": "Mozilla/5.0 (iPhone)", "tablet": "Mozilla/5.0 (iPad)"}
CRAWLER = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

RETAILERS = {
    "acme": {"delimiter": ",", "domain": "https://shop.acme.example", "tz": timezone(timedelta(hours=2)), "full": True},
    "zephyr": {"delimiter": "\t", "domain": "https://www.zephyr.example", "tz": timezone.utc, "full": False},
}

VISIT_COLUMNS = ["event_id", "event_time", "event_type", "visitor_id", "crm_id", "session_id", "url", "referrer",
                 "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "campaign_id",
                 "platform", "device_type", "user_agent"]
ORDER_COLUMNS = ["order_id", "event_time", "visitor_id", "crm_id", "session_id", "revenue", "currency",
                 "item_count", "product_ids", "coupon_code", "platform"]


def _stamp(moment: datetime, tz) -> str:
    local = moment.astimezone(tz)
    return local.strftime("%Y-%m-%dT%H:%M:%SZ") if tz is timezone.utc else local.strftime("%Y-%m-%dT%H:%M:%S%z")


def _day_rows(retailer: str, day: int, rng: random.Random):
    cfg = RETAILERS[retailer]
    file_day = START + timedelta(days=day)
    visits, orders = [], []
    for v in range(60):
        visitor = f"v{rng.randrange(1, 120):04d}"
        crm = f"crm-{visitor[1:]}" if rng.random() < 0.3 else ""
        session = f"s{day}-{v:03d}"
        # most events are from the file's day; some arrive one to three days late
        lag = rng.choices([0, 1, 2, 3], weights=[85, 8, 4, 3])[0]
        base = datetime(file_day.year, file_day.month, file_day.day, tzinfo=timezone.utc) - timedelta(days=lag)
        moment = base + timedelta(seconds=rng.randrange(0, 86400))
        source, medium, campaign = rng.choice(CAMPAIGNS)
        device = rng.choice(DEVICES)
        for step in range(rng.randrange(1, 5)):
            page = rng.choice(PAGES)
            url = f"{cfg['domain']}{page}"
            if step == 0 and source:
                url += f"?utm_source={source}&utm_medium={medium}&utm_campaign={campaign}"
            visits.append({
                "event_id": f"{retailer}-e{day}-{v}-{step}", "event_time": _stamp(moment + timedelta(minutes=step), cfg["tz"]),
                "event_type": "page_view" if step or rng.random() < 0.8 else "click", "visitor_id": visitor,
                "crm_id": crm, "session_id": session, "url": url,
                "referrer": "https://www.google.com/" if source == "google" and step == 0 else "",
                "utm_source": source if step == 0 else "", "utm_medium": medium if step == 0 else "",
                "utm_campaign": campaign if step == 0 else "", "utm_term": "", "utm_content": "",
                "campaign_id": f"cmp-{zlib.crc32(campaign.encode()) % 1000}" if campaign and step == 0 else "",
                "platform": "web", "device_type": device, "user_agent": AGENTS[device],
            })
        if rng.random() < 0.25:
            items = rng.randrange(1, 4)
            orders.append({
                "order_id": f"{retailer[0].upper()}{day:02d}{v:03d}", "event_time": _stamp(moment + timedelta(minutes=9), cfg["tz"]),
                "visitor_id": visitor, "crm_id": crm, "session_id": session,
                "revenue": f"{rng.randrange(1500, 30000) / 100:.2f}", "currency": "EUR", "item_count": str(items),
                "product_ids": ";".join(f"p-{rng.choice([100, 200, 300])}" for _ in range(items)),
                "coupon_code": "SUMMER10" if rng.random() < 0.2 else "", "platform": "web",
            })
    if cfg["full"]:
        visits += _crawler_rows(retailer, day, file_day, cfg)
    return visits, orders


def _crawler_rows(retailer: str, day: int, file_day: date, cfg: dict) -> list[dict]:
    """A crawler's nightly walk over the shop: no randomness, so the other rows stay as they were."""
    start = datetime(file_day.year, file_day.month, file_day.day, 3, tzinfo=timezone.utc)
    return [{
        "event_id": f"{retailer}-bot{day}-{i}", "event_time": _stamp(start + timedelta(seconds=20 * i), cfg["tz"]),
        "event_type": "page_view", "visitor_id": "crawler-1", "crm_id": "", "session_id": f"bot{day}",
        "url": f"{cfg['domain']}{PAGES[i % len(PAGES)]}", "referrer": "", "utm_source": "", "utm_medium": "",
        "utm_campaign": "", "utm_term": "", "utm_content": "", "campaign_id": "", "platform": "web",
        "device_type": "desktop", "user_agent": CRAWLER,
    } for i in range(30)]


def write_demo(out: Path, days: int = 3, seed: int = 20240601) -> list[Path]:
    written: list[Path] = []
    for retailer, cfg in RETAILERS.items():
        rng = random.Random(f"{seed}-{retailer}")
        previous_last_visit = None
        for day in range(days):
            visits, orders = _day_rows(retailer, day, rng)
            if previous_last_visit:
                visits.append(previous_last_visit)   # delivered again in the next file
            previous_last_visit = dict(visits[0])
            stamp = (START + timedelta(days=day)).strftime("%Y%m%d")
            visit_cols = VISIT_COLUMNS if cfg["full"] else [c for c in VISIT_COLUMNS if c not in {"event_id", "utm_term", "utm_content"}]
            written.append(_write(out / retailer / "visits" / f"{retailer}_visits_{stamp}.csv", visit_cols, visits,
                                  cfg["delimiter"], damaged=(retailer == "acme" and day == 1)))
            written.append(_write(out / retailer / "orders" / f"{retailer}_orders_{stamp}.csv", ORDER_COLUMNS, orders,
                                  cfg["delimiter"]))
    written += write_bazaar(out, days=days, seed=seed)   # the other vendor formats (demo_bazaar.py)
    written += write_kestrel(out, days, seed)
    return written


def _write(path: Path, columns: list[str], rows: list[dict], delimiter: str, damaged: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerow(columns)
        for i, row in enumerate(rows):
            writer.writerow([row.get(c, "") for c in columns])
            if damaged and i == 10:
                handle.write(delimiter.join(["broken-row", "by jane.doe@example.com", "three fields"]) + "\n")
    return path

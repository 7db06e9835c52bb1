"""Deterministic Kevel Audience order files for the demo retailer kestrel.

One row per line item, the order columns on the first row of each order only
(the vendor allows leaving them empty on the others), `custom_` columns, user
ids that are plain e-mails (hashed in staging) or CRM ids, `+0100` offsets.
Each day re-delivers one order of the day before with its lines moved on
(paid -> fulfilled, one line cancelled), so the newest delivery must win.
"""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

START = date(2024, 6, 1)
TZ = timezone(timedelta(hours=1))
CENT = Decimal("0.01")
PRODUCTS = [("p-100", "Linen shirt", "Men > Shirts", "42.00"), ("p-200", "Canvas sneaker", "Shoes", "65.50"),
            ("p-300", "Wool scarf", "Accessories", "19.90"), ("p-400", "Rain jacket", "Women > Jackets", "120.00")]
ORDER_COLUMNS = ["orderId", "userIdType", "userId", "currency", "total", "subtotal", "tax", "shipping", "discount",
                 "refund", "paymentMethod", "shippingMethod", "shippingCountry", "source", "promotions", "createdAt",
                 "lastUpdated", "custom_gift_wrap", "custom_store code"]
LINE_COLUMNS = ["lineItem_id", "lineItem_productId", "lineItem_itemGroupId", "lineItem_name", "lineItem_sku",
                "lineItem_brand", "lineItem_category", "lineItem_categories", "lineItem_currency", "lineItem_total",
                "lineItem_subtotal", "lineItem_tax", "lineItem_shipping", "lineItem_discount", "lineItem_refund",
                "lineItem_quantity", "lineItem_promotions", "lineItem_adult", "lineItem_size", "lineItem_sizeSystem",
                "lineItem_status"]
COLUMNS = ORDER_COLUMNS + LINE_COLUMNS


def order_rows(rng: random.Random, order_id: str, day: int, status: str) -> list[dict]:
    placed = datetime(START.year, START.month, START.day, tzinfo=timezone.utc) + timedelta(
        days=day, seconds=rng.randrange(0, 86400))
    lines, subtotal, tax, shipping = [], Decimal(0), Decimal(0), Decimal(0)
    for n in range(rng.randrange(1, 4)):
        product, name, category, price = rng.choice(PRODUCTS)
        quantity = rng.randrange(1, 3)
        discount = (Decimal(price) * quantity * Decimal("0.1")).quantize(CENT) if rng.random() < 0.3 else Decimal(0)
        line_subtotal = Decimal(price) * quantity - discount
        line_tax = (line_subtotal * Decimal("0.2")).quantize(CENT)
        line_shipping = Decimal("4.90") if n == 0 else Decimal(0)
        subtotal, tax, shipping = subtotal + line_subtotal, tax + line_tax, shipping + line_shipping
        lines.append({
            "lineItem_id": f"{order_id}-{n + 1}", "lineItem_productId": f"{product}-{n % 2}", "lineItem_itemGroupId": product,
            "lineItem_name": name, "lineItem_sku": f"{product}-{n % 2}-M", "lineItem_brand": "Kestrel",
            "lineItem_category": category, "lineItem_categories": category.replace(" > ", ";"),
            "lineItem_currency": "EUR", "lineItem_total": str(line_subtotal + line_tax + line_shipping),
            "lineItem_subtotal": str(line_subtotal), "lineItem_tax": str(line_tax), "lineItem_shipping": str(line_shipping),
            "lineItem_discount": str(discount), "lineItem_refund": "0", "lineItem_quantity": f"{quantity}.0",
            "lineItem_promotions": "SUMMER10" if discount else "", "lineItem_adult": "" if n else "false",
            "lineItem_size": "M", "lineItem_sizeSystem": "EU", "lineItem_status": status,
        })
    customer = rng.randrange(1, 40)
    email = rng.random() < 0.6
    lines[0].update({
        "orderId": order_id, "userIdType": "email" if email else "crm_id",
        "userId": f"  Customer{customer}@Kestrel.example " if email else f"crm-{customer:04d}",
        "currency": "EUR", "total": str(subtotal + tax + shipping), "subtotal": str(subtotal), "tax": str(tax),
        "shipping": str(shipping), "discount": "0", "refund": "0", "paymentMethod": rng.choice(["Visa", "PayPal"]),
        "shippingMethod": "UPS", "shippingCountry": "France", "source": rng.choice(["web", "POS"]),
        "promotions": "SUMMER10" if any(line["lineItem_promotions"] for line in lines) else "",
        "createdAt": placed.astimezone(TZ).strftime("%Y-%m-%dT%H:%M:%S%z"),
        "lastUpdated": placed.astimezone(TZ).strftime("%Y-%m-%dT%H:%M:%S%z"),
        "custom_gift_wrap": "yes" if rng.random() < 0.3 else "", "custom_store code": f"S{rng.randrange(1, 5)}",
    })
    for line in lines[1:]:
        line["orderId"] = order_id
    return lines


def write_kestrel(out: Path, days: int, seed: int) -> list[Path]:
    rng = random.Random(f"{seed}-kestrel")
    written, previous = [], None
    for day in range(days):
        rows = []
        if previous:
            # yesterday's first order again, moved on: shipped, its last line cancelled
            again = [dict(row, lineItem_status="fulfilled") for row in previous]
            updated = datetime.strptime(again[0]["lastUpdated"], "%Y-%m-%dT%H:%M:%S%z") + timedelta(days=1)
            again[0]["lastUpdated"] = updated.strftime("%Y-%m-%dT%H:%M:%S%z")
            if len(again) > 1:
                again[-1]["lineItem_status"] = "cancelled"
            rows += again
        orders = [order_rows(rng, f"K{day + 1}{n:03d}", day, rng.choice(["placed", "paid", "paid"])) for n in range(12)]
        previous = orders[0]
        for order in orders:
            rows += order
        path = out / "kestrel" / "orders" / f"kestrel_orders_{(START + timedelta(days=day)).strftime('%Y%m%d')}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS)
            for row in rows:
                writer.writerow([row.get(c, "") for c in COLUMNS])
        written.append(path)
    return written

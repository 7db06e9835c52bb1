"""Deterministic sample deliveries of the demo retailer bazaar: the other vendor formats.

bazaar delivers, one file a day each:
- daily conversions (spec 002): CSV without header separated by ", " (the
  vendor's own example) on odd days, JSON rows on even days; one URL without
  its protocol and, on day 2, one bare path (rejected);
- store purchases (spec 004): ";" files, the first with a header, with one to
  three trailing transaction attributes (receipt id first);
- CRM users (spec 003): a full CSV export on day 1, JSON lines updates after
  (one or two attributes of some users change, the rest stays);
- products: Shopify's products export (variant and image rows), re-imported
  daily with a price change and a new product; and a Google Merchant style
  TSV feed.
"""

from __future__ import annotations

import csv
import json
import random
import zlib
from datetime import date, timedelta
from pathlib import Path

START = date(2024, 6, 1)
DOMAIN = "https://www.bazaar.example"
PAGES = ["/", "/lamps", "/rugs", "/product/lamp-1", "/product/rug-2", "/product/vase-3", "/checkout/thanks"]
CHANNELS = ["organic", "social", "paid", "email"]
CITIES = ["Lyon", "Porto", "Gent", "Turku", "Graz"]
PRODUCTS = [  # handle, title, vendor, type, price, sizes
    ("lamp-1", "Brass Table Lamp", "Lumo", "Lamps", "89.00", ["S", "M"]),
    ("rug-2", "Wool Rug 120x180", "Tessa", "Rugs", "149.00", ["120x180"]),
    ("vase-3", "Glass Vase", "Lumo", "Decor", "24.50", ["S", "M", "L"]),
    ("chair-4", "Oak Chair", "Holt", "Furniture", "210.00", ["One size"]),
]
NEW_PRODUCTS = [("mirror-5", "Round Mirror", "Holt", "Decor", "65.00", ["50cm"])]
SHOPIFY_COLUMNS = ["Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags", "Published",
                   "Option1 Name", "Option1 Value", "Variant SKU", "Variant Price", "Variant Barcode",
                   "Image Src", "Image Position", "Status"]


def write_bazaar(out: Path, days: int, seed: int) -> list[Path]:
    rng = random.Random(f"{seed}-bazaar")
    root = out / "bazaar"
    written: list[Path] = []
    for day in range(days):
        when = START + timedelta(days=day)
        written.append(_conversions(root / "conversions", when, day, rng))
        written.append(_store(root / "store", when, day, rng))
        written.append(_users(root / "crm", when, day, rng))
        written.append(_shopify(root / "products", when, day))
        written.append(_feed(root / "feed", when, day))
    return written


def _conversions(folder: Path, when: date, day: int, rng: random.Random) -> Path:
    rows = []
    for page in PAGES:
        for channel in rng.sample(CHANNELS, 2):
            transactions = rng.randrange(0, 6)
            rows.append({"url": DOMAIN + page, "date": when.isoformat(), "channel": channel,
                         "transactions": transactions, "revenue": round(transactions * rng.uniform(20, 90), 2)})
    rows[1]["url"] = rows[1]["url"].removeprefix("https://")   # no protocol: takes the source's default
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"conversion-export-{when.isoformat()}"
    if day % 2 == 0:
        path = stem.with_suffix(".csv")
        path.write_text("".join(
            ", ".join(str(r[k]) for k in ("url", "date", "channel", "transactions", "revenue")) + "\n" for r in rows
        ), encoding="utf-8")
        return path
    rows[2].pop("channel")                                     # missing optional field: the source's default
    rows[3]["device"] = "mobile"
    rows.append({"url": "/checkout/thanks", "date": when.isoformat(), "channel": "organic",
                 "transactions": 1, "revenue": 10.0})          # a bare path: rejected in staging
    path = stem.with_suffix(".jsonl")
    path.write_text("".join(json.dumps(r) + ",\n" for r in rows), encoding="utf-8")
    return path


def _store(folder: Path, when: date, day: int, rng: random.Random) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"bazaar_store_{when:%Y%m%d}.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", quotechar='"', lineterminator="\n")
        if day == 0:
            writer.writerow(["Time Stamp", "Customer ID", "Event Type", "Category", "Event Name", "Num1", "Num2",
                             "Var 1", "Var 2", "Var 3", "Var 4", "Var 5"]
                            + [f"EventName Attr{i}" for i in range(1, 11)] + ["Purchase ID", "Payment", "Cashier"])
        for receipt in range(12):
            customer = f"C{rng.randrange(1, 40):03d}"
            moment = f"{when.isoformat()} {rng.randrange(9, 20):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
            for handle_, title, _vendor, kind, price, _sizes in rng.sample(PRODUCTS, rng.randrange(1, 3)):
                units = rng.randrange(1, 4)
                attrs = [f"R{when:%m%d}-{receipt:03d}", rng.choice(["card", "cash"]), "Ana; Bo"][: rng.randrange(1, 4)]
                writer.writerow([moment, customer, "7", kind.lower(), handle_, units, f"{units * float(price):.2f}",
                                 rng.choice(CITIES), "store", "", "", "", title] + [""] * 9 + attrs)
    return path


def _users(folder: Path, when: date, day: int, rng: random.Random) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    emails = [f"{name}@bazaar-mail.example" for name in ("ana", "bo", "chen", "dara", "eli", "fox", "gus", "hana")]
    if day == 0:
        path = folder / f"bazaar_users_{when:%Y%m%d}.csv"
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["email", "first_name", "city", "orders_count", "vip"])
            for i, email in enumerate(emails):
                shown = f" {email.upper()} " if i % 3 == 0 else email    # ids are trimmed and lower-cased
                writer.writerow([shown, email.split("@")[0].title(), CITIES[i % len(CITIES)], i * 2, "true" if i % 4 == 0 else "false"])
        return path
    path = folder / f"bazaar_users_{when:%Y%m%d}.jsonl"
    lines = []
    for email in rng.sample(emails, 3):
        update = {"email": email, "city": rng.choice(CITIES)}
        if rng.random() < 0.5:
            update["orders_count"] = rng.randrange(1, 30)
        if day == 2:
            update["newsletter"] = True
        lines.append(json.dumps(update))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _shopify(folder: Path, when: date, day: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    catalogue = [list(p) for p in PRODUCTS + (NEW_PRODUCTS if day >= 1 else [])]
    if day >= 1:
        catalogue[0][4] = "79.00"                                # lamp-1 on sale from day 2
    if day >= 2:
        catalogue[2][1] = "Glass Vase, smoked"                  # vase-3 renamed on day 3
    path = folder / f"products_export_{when:%Y%m%d}.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, SHOPIFY_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for handle_, title, vendor, kind, price, sizes in catalogue:
            for n, size in enumerate(sizes):
                row = {"Handle": handle_, "Option1 Value": size, "Variant SKU": f"{handle_.upper()}-{size}",
                       "Variant Price": price, "Variant Barcode": f"'40{zlib.crc32((handle_ + size).encode()) % 10**11:011d}"}
                if n == 0:
                    row.update({"Title": title, "Body (HTML)": f"<p>{title}</p>", "Vendor": vendor, "Type": kind,
                                "Tags": kind.lower(), "Published": "true", "Option1 Name": "Size",
                                "Image Src": f"https://cdn.bazaar.example/{handle_}-1.jpg", "Image Position": "1",
                                "Status": "active"})
                writer.writerow(row)
            writer.writerow({"Handle": handle_, "Image Src": f"https://cdn.bazaar.example/{handle_}-2.jpg",
                             "Image Position": "2"})             # an image continuation row
    return path


def _feed(folder: Path, when: date, day: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"bazaar_feed_{when:%Y%m%d}.tsv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["id", "title", "description", "link", "image_link", "price", "sale_price",
                         "availability", "brand", "condition", "gtin"])
        for n, (handle_, title, vendor, _kind, price, _sizes) in enumerate(PRODUCTS):
            stock = "out of stock" if day >= 1 and n == 3 else "in stock"
            writer.writerow([f"feed-{handle_}", title, f"{title} by {vendor}", f"{DOMAIN}/product/{handle_}",
                             f"https://cdn.bazaar.example/{handle_}-1.jpg", f"{price} EUR", "", stock, vendor, "new",
                             f"40{n:011d}"])
    return path

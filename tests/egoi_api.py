"""A local E-goi API (tests/servers/egoi_server.py) for the egoi_contacts tests, and what it serves.

The server runs on a free port of 127.0.0.1 and reads its scenario (key,
account, lists, segments, faults) from a JSON file on every request, so a
test changes what E-goi says by rewriting it. `expected_record` is the
spec's mapping computed here, independently of the loader.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import duckdb

from backends import SERVERS, Server, free_port

API_KEY = "egoi-test-key-5f9d2c7a41b84e0c"   # must never show up in output, warehouse or reports
ACCOUNT_ID = "482913"
LIST_ID = "321"
SEGMENT_ID = "7"


def contact(contact_id: str, *, status="active", consent="consent", email=None, email_status="active",
            cellphone=None, cellphone_status="active", phone=None, phone_status="active",
            first_name="Ana", last_name="Sousa") -> dict:
    """A contact as E-goi's ContactCollection items are shaped: base fields, extra fields, tags."""
    base = {"contact_id": contact_id, "status": status, "consent": consent, "consent_date": "2024-05-01 10:00:00",
            "subscription_method": "form", "subscription_date": "2024-05-01 10:00:00", "change_date": "2024-06-01",
            "first_name": first_name, "last_name": last_name, "birth_date": "1975-01-10", "language": "pt",
            "email": email, "email_status": email_status, "cellphone": cellphone,
            "cellphone_status": cellphone_status, "phone": phone, "phone_status": phone_status,
            "push_token_android": [], "push_token_ios": []}
    return {"base": base, "extra": [{"field_id": 1, "format": "text", "value": f"loyalty card of {first_name}"}],
            "tags": [1, 2]}


def sample_contacts() -> list[dict]:
    """Seven contacts: e-mails in mixed case with spaces, one non-ASCII, two without e-mail, phones only."""
    return [
        contact("8f3a27ef26", email=" Ana.Sousa@Example.PT ", cellphone="351-912345678"),
        contact("1b2c3d4e5f", status="inactive", consent="withdrawn", email="rui@example.pt", email_status="inactive",
                first_name="Rui", last_name="Matos"),
        contact("a0a0a0a0a0", status="unconfirmed", consent="any", email=None, cellphone="351-933333333",
                cellphone_status="inactive", first_name="Joana"),
        contact("b1b1b1b1b1", consent="legitimate_interest", email="zoë@exemple.fr", phone="351-210000000",
                phone_status="inactive", first_name="Zoë"),
        contact("c2c2c2c2c2", status="removed", consent="none", email=None, phone=None, first_name="Nuno"),
        contact("d3d3d3d3d3", email="MARIA@EXAMPLE.COM", cellphone="351-966666666", phone="351-220000000",
                first_name="Maria"),
        contact("e4e4e4e4e4", consent="contract", email="pedro@example.com", email_status="inactive",
                first_name="Pedro"),
    ]


def personal_strings(contacts: list[dict]) -> set[str]:
    """Plain personal data a contact carries, which must land nowhere (e-mails, phones, names)."""
    found = set()
    for c in contacts:
        for key in ("email", "cellphone", "phone", "first_name", "last_name"):
            value = c["base"].get(key)
            if value and len(value.strip()) > 3:
                found.add(value.strip())
                found.add(value.strip().lower())
    return found


def email_sha256(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def expected_record(c: dict, account_id: str = ACCOUNT_ID, list_id: str = LIST_ID) -> dict:
    """The spec's "E-goi Attribute Mapping", written out: user ids and attributes of one contact."""
    base = c["base"]
    prefix = f"egoi.account{account_id}.list{list_id}."
    attributes = {prefix + "status": base["status"], prefix + "consent": base["consent"]}
    if base.get("email"):
        attributes[prefix + "emailStatus"] = base["email_status"]
    if base.get("cellphone"):
        attributes[prefix + "cellphoneStatus"] = base["cellphone_status"]
    if base.get("phone"):
        attributes[prefix + "phoneStatus"] = base["phone_status"]
    return {"contact_id": base["contact_id"],
            "email_sha256": email_sha256(base["email"]) if base.get("email") else None,
            "attributes": attributes}


def warehouse_text(warehouse: Path) -> str:
    """Every value of every table of a warehouse, as one text to search for what must not be there."""
    parts = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute("select table_schema, table_name from information_schema.tables "
                             "where table_type = 'BASE TABLE'").fetchall()
        for schema, table in tables:
            parts += [repr(row) for row in con.execute(f'select * from "{schema}"."{table}"').fetchall()]
    return "\n".join(parts)


class EgoiApi:
    """The test server and its scenario file."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.scenario_file = folder / "scenario.json"
        self.log_file = folder / "requests.log"
        self.log_file.touch()
        self.set(lists={LIST_ID: sample_contacts()})
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = Server("egoi", [sys.executable, str(SERVERS / "egoi_server.py"), str(self.port),
                                      str(self.scenario_file), str(self.log_file)], self.port, folder / "server.log")

    def set(self, *, lists: dict | None = None, segments: dict | None = None, faults: list | None = None,
            api_key: str = API_KEY, account_id: str = ACCOUNT_ID) -> None:
        current = json.loads(self.scenario_file.read_text()) if self.scenario_file.exists() else {}
        current.update(api_key=api_key, account_id=account_id, faults=faults or [])
        if lists is not None:
            current["lists"] = lists
        if segments is not None:
            current["segments"] = segments
        current.setdefault("segments", {})
        self.scenario_file.write_text(json.dumps(current, ensure_ascii=False))

    def requests(self) -> list[dict]:
        return [json.loads(line) for line in self.log_file.read_text().splitlines() if line.strip()]

    def forget_requests(self) -> None:
        self.log_file.write_text("")

    def stop(self) -> None:
        self.server.stop()

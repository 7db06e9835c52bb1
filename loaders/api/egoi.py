"""The E-goi Contacts source: the contacts of an E-goi list (or of one segment of it).

Vendor spec 003, "Users", "E-goi Contacts Source": "This third-party
integration loads user data from an E-goi Contact List and imports it as
attributes and user IDs." The source needs "an E-goi API key with
permissions to List All Contacts and Get My Account Info, as well as the
List ID"; a Segment Id is optional. E-goi API v3 (E-goi's SDKs, e.g.
E-goi/sdk-ruby docs/ContactsApi.md and docs/MyAccountApi.md):

- GET /my-account gives `general_info.client_id`, the account id the
  attribute names carry ("automatically determined, so you don't have to
  provide it explicitly");
- GET /lists/{list_id}/contacts, or /lists/{list_id}/contacts/segment/{segment_id},
  with offset and limit, gives `{total_items, items: [{base: {contact_id,
  status, consent, email, email_status, cellphone, cellphone_status, phone,
  phone_status, ...}, extra: [...]}]}`;
- the key goes in the `Apikey` header.

Each contact becomes one record mapped by the spec's "E-goi Attribute
Mapping" table (MAPPED_ATTRIBUTES below); nothing else of the contact is kept.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Iterator

from ..errors import FileError, LoaderError
from ..storage import resolve_secrets
from .http import JsonClient, RetryPolicy
from .kind import ApiDelivery, ApiKind, FetchStats
from .pager import offset_pages

if TYPE_CHECKING:
    from ..project import Source

NAME = "egoi_contacts"
DEFAULT_BASE_URL = "https://api.egoiapp.com"
DEFAULT_PAGE_SIZE = 500
MAX_PAGE_SIZE = 1000          # the SDKs refuse a larger limit

# The spec's table: E-goi Contact Field -> attribute egoi.account<ACCOUNT-ID>.list<LIST-ID>.<name>,
# and the contact field that must be present for the attribute to apply
# ("The Contact email status, if an email is available"...).
MAPPED_ATTRIBUTES = {
    "status": ("status", None),
    "consent": ("consent", None),
    "email_status": ("emailStatus", "email"),
    "cellphone_status": ("cellphoneStatus", "cellphone"),
    "phone_status": ("phoneStatus", "phone"),
}
# The mapping is the spec's, fixed: no column overrides, and no location
# (transformations and casts are refused for the format: no_transformations).
NOT_ALLOWED = ("columns", "defaults", "file", "location")
_ID = re.compile(r"[0-9]+")
_ACCOUNT = re.compile(r"[A-Za-z0-9_-]+")   # it goes into attribute names


def attribute_name(account_id: str, list_id: str, attribute: str) -> str:
    """egoi.account<ACCOUNT-ID>.list<LIST-ID>.<E-GOI-ATTRIBUTE> (spec: "E-goi Attribute Mapping")."""
    return f"egoi.account{account_id}.list{list_id}.{attribute}"


def email_sha256(email: str) -> str:
    """Spec 003 "Users": "we also lowercase and trim the original ID before transforming it"."""
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def to_record(contact: dict, account_id: str, list_id: str) -> dict:
    """One contact as the spec maps it: its user ids and its attributes, nothing more."""
    base = contact.get("base") if isinstance(contact.get("base"), dict) else {}
    record: dict = {"contact_id": _text(base.get("contact_id"))}
    email = _text(base.get("email"))
    if email:
        record["email_sha256"] = email_sha256(email)
    for field, (attribute, needs) in MAPPED_ATTRIBUTES.items():
        value = base.get(field)
        if value is not None and (needs is None or _text(base.get(needs))):
            record[attribute_name(account_id, list_id, attribute)] = value
    return record


def _text(value) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def check(block: dict, where: str) -> None:
    """Refuse what this source cannot do, naming the way out."""
    for key in NOT_ALLOWED:
        if block.get(key):
            raise LoaderError(f"{where}: meta.loader.{key}: an {NAME} source has none (its contacts come from the "
                              "E-goi API, mapped as the spec's E-goi Attribute Mapping says)")
    if block.get("format") != NAME:
        raise LoaderError(f"{where}: an {NAME} source lands format {NAME}, not {block.get('format')!r}")
    if not _ID.fullmatch(str(block.get("list_id") or "")):
        raise LoaderError(f"{where}: meta.loader.list_id must be the numeric id of the E-goi list "
                          f"(got {block.get('list_id')!r})")
    if _segment(block) is not None and not _ID.fullmatch(_segment(block)):
        raise LoaderError(f"{where}: meta.loader.segment_id must be the numeric id of an E-goi segment "
                          f"(got {block['segment_id']!r})")
    if not (block.get("api_key_env") or block.get("credentials") or block.get("api_key")):
        raise LoaderError(f"{where}: the E-goi API key is missing: set meta.loader.api_key_env to the environment "
                          "variable holding it, or credentials to a profile with an api_key")
    page_size(block, where)
    RetryPolicy.from_options(block, where)


def _segment(options: dict) -> str | None:
    """The segment id, or None: the whole list (an empty value means no segment)."""
    value = options.get("segment_id")
    return None if value is None or str(value).strip() == "" else str(value).strip()


def page_size(options: dict, where: str) -> int:
    size = str(options.get("page_size", DEFAULT_PAGE_SIZE)).strip()
    if not _ID.fullmatch(size) or not 1 <= int(size) <= MAX_PAGE_SIZE:
        raise LoaderError(f"{where}: meta.loader.page_size must be a whole number from 1 to {MAX_PAGE_SIZE}")
    return int(size)


def deliveries(source: "Source") -> list[ApiDelivery]:
    """One delivery per run: the list (or segment), named after the account the key belongs to."""
    options = source.options
    list_id = str(options["list_id"])
    segment_id = _segment(options)
    key = resolve_secrets(options, source.key).get("api_key")
    if not key:
        raise LoaderError(f"{source.key}: the credentials profile {options.get('credentials')!r} has no api_key")
    client = JsonClient(str(options.get("base_url") or DEFAULT_BASE_URL), {"Apikey": str(key)},
                        RetryPolicy.from_options(options, source.key), f"{source.key} (E-goi)")
    account_id = _account_id(client)
    # the base name alone (what `status` shows) still says which list
    base_name = f"list{list_id}" + (f"-segment{segment_id}" if segment_id else "") + "-contacts.jsonl"
    client.name = name = f"egoi://account{account_id}/{base_name}"
    path = f"/lists/{list_id}/contacts" + (f"/segment/{segment_id}" if segment_id else "")
    size = page_size(options, source.key)

    def records(stats: FetchStats) -> Iterator[dict]:
        for page in offset_pages(client, path, size):
            stats.pages += 1
            for contact in page:
                yield to_record(contact, account_id, list_id)

    def describe(stats: FetchStats) -> str:
        scope = f"list {list_id}" + (f", segment {segment_id}" if segment_id else "")
        return f"E-goi account {account_id}, {scope}: {stats.pages} pages, {stats.records} contacts"

    return [ApiDelivery(name, records, describe)]


def _account_id(client: JsonClient) -> str:
    """Get My Account Info: general_info.client_id."""
    try:
        body = client.get("/my-account")
    except FileError as exc:  # listing failed: the source cannot be listed, as a store that cannot be reached
        raise LoaderError(f"{exc.path}: cannot read the account (Get My Account Info): {exc.problem}") from None
    info = body.get("general_info")
    account = _text(info.get("client_id")) if isinstance(info, dict) else None
    if not account or not _ACCOUNT.fullmatch(account):
        raise LoaderError(f"{client.name}: Get My Account Info gave no usable general_info.client_id "
                          f"(got {account!r})")
    return account


KIND = ApiKind(NAME, NAME, check, deliveries, settings={
    "list_id": "E-goi list id (the number before the list's title)",
    "segment_id": "segment id (empty: the whole list)",
    "api_key_env": "environment variable holding the E-goi API key",
})

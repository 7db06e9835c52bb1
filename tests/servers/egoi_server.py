"""The E-goi API v3 endpoints the egoi_contacts source calls, on 127.0.0.1, for the tests (aiohttp).

usage: egoi_server.py PORT SCENARIO_FILE LOG_FILE

Answers with the shapes of E-goi's OpenAPI description (its SDKs' docs:
MyAccount, ContactCollection, Unauthorized):
  GET /my-account                                   {general_info: {client_id, name, ...}, ...}
  GET /lists/{list_id}/contacts                     {total_items, items: [{base: {...}, extra: [], tags: []}]}
  GET /lists/{list_id}/contacts/segment/{segment}   the same, the segment's contacts only
with offset (default 0) and limit (default 10, 1 to 1000) paging. Every
request needs the `Apikey` header; a wrong one gets E-goi's 401 body.

SCENARIO_FILE (JSON) is read on every request, so a test can change it
between runs: {api_key, account_id, lists: {list_id: [contact]},
segments: {list_id: {segment_id: [contact_id]}}, faults: [{path, offset?,
status?, retry_after?, delay?, times}]}. A fault answers requests to `path`
(at `offset`, when given) with `status` (and Retry-After), or first waits
`delay` seconds; `times` counts how many requests it takes (-1: all).
Fault counts start again whenever the file changes. Every request is
appended to LOG_FILE as a JSON line (time, path, query, status) - never
the key it was sent.
"""

import asyncio
import json
import os
import sys
import time

from aiohttp import web

UNAUTHORIZED = {
    "type": "http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html", "title": "Unauthorized", "status": 401,
    "detail": "The request has not been applied because it lacks valid authentication credentials for the "
              "target resource",
}


def build(scenario_file: str, log_file: str) -> web.Application:
    state = {"mtime": None, "used": {}}

    def scenario() -> dict:
        mtime = os.stat(scenario_file).st_mtime_ns
        if mtime != state["mtime"]:
            state["mtime"], state["used"] = mtime, {}
        with open(scenario_file, encoding="utf-8") as handle:
            return json.load(handle)

    def fault_for(faults: list, request: web.Request):
        for index, fault in enumerate(faults):
            if fault["path"] != request.path:
                continue
            if "offset" in fault and str(fault["offset"]) != request.query.get("offset", "0"):
                continue
            used = state["used"].get(index, 0)
            if fault.get("times", 1) != -1 and used >= fault.get("times", 1):
                continue
            state["used"][index] = used + 1
            return fault
        return None

    @web.middleware
    async def record(request, handler):
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            response = exc
        with open(log_file, "a") as log:
            log.write(json.dumps({"time": time.time(), "path": request.path, "query": dict(request.query),
                                  "status": response.status}) + "\n")
        if isinstance(response, web.HTTPException):
            raise response
        return response

    async def answer(request: web.Request, body_of):
        current = scenario()
        if request.headers.get("Apikey") != current["api_key"]:
            return web.json_response(UNAUTHORIZED, status=401)
        fault = fault_for(current.get("faults", []), request)
        if fault and fault.get("delay"):
            await asyncio.sleep(fault["delay"])
        if fault and fault.get("status"):
            headers = {"Retry-After": str(fault["retry_after"])} if "retry_after" in fault else {}
            return web.json_response({"title": "fault", "status": fault["status"], "detail": "injected by the test"},
                                     status=fault["status"], headers=headers)
        return web.json_response(body_of(current))

    async def my_account(request):
        return await answer(request, lambda s: {
            "general_info": {"client_id": s["account_id"], "name": "Test shop", "website": "https://shop.example",
                             "cellphone": "351-000000000"},
            "plan_info": {"type": "pro"}, "balance_info": {"balance": 0, "currency": "EUR"},
        })

    def page(request, contacts: list) -> dict:
        offset = int(request.query.get("offset", "0"))
        limit = int(request.query.get("limit", "10"))
        if not 1 <= limit <= 1000 or offset < 0:
            raise web.HTTPUnprocessableEntity(text=json.dumps({"title": "Unprocessable Entity"}),
                                              content_type="application/json")
        return {"total_items": len(contacts), "items": contacts[offset:offset + limit]}

    def list_contacts(current: dict, list_id: str) -> list:
        if list_id not in current["lists"]:
            raise web.HTTPNotFound(text=json.dumps({"title": "Not Found", "detail": "List not found"}),
                                   content_type="application/json")
        return current["lists"][list_id]

    async def contacts(request):
        return await answer(request, lambda s: page(request, list_contacts(s, request.match_info["list_id"])))

    async def segment_contacts(request):
        def body(s):
            everyone = list_contacts(s, request.match_info["list_id"])
            members = s.get("segments", {}).get(request.match_info["list_id"], {}).get(request.match_info["segment_id"])
            if members is None:
                raise web.HTTPNotFound(text=json.dumps({"title": "Not Found", "detail": "Segment not found"}),
                                       content_type="application/json")
            return page(request, [c for c in everyone if c["base"]["contact_id"] in members])
        return await answer(request, body)

    app = web.Application(middlewares=[record])
    app.router.add_get("/my-account", my_account)
    app.router.add_get("/lists/{list_id}/contacts", contacts)
    app.router.add_get("/lists/{list_id}/contacts/segment/{segment_id}", segment_contacts)
    return app


if __name__ == "__main__":
    port, scenario_file, log_file = sys.argv[1:4]
    web.run_app(build(scenario_file, log_file), host="127.0.0.1", port=int(port),
                print=lambda *_: print("ready", flush=True), access_log=None)

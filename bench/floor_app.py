"""The collector benchmark's floor: a bare ASGI app that reads each body and discards it.

Served by the same uvicorn (uvloop, httptools, same workers) as the
collector, so the ratio between the two is what the collector itself costs:
parsing, checking, spooling and the fdatasync before each answer.
"""

_OK = b'{"accepted":1}'


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(_OK)).encode())]})
    await send({"type": "http.response.body", "body": _OK})

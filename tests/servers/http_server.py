"""A range-capable static HTTP server on 127.0.0.1 for the tests (aiohttp).

usage: http_server.py PORT ROOT LOG_FILE [CERT KEY]
Serves ROOT with directory index pages (what fsspec's HTTP listing reads),
Range requests, ETag and Last-Modified; over TLS when given a certificate
and key. Paths under /slow/ answer after $HTTP_TEST_DELAY seconds (to hold
a run open). With $HTTP_TEST_AUTH ("user:password") every request needs
that basic auth. Every request is appended to LOG_FILE as "METHOD PATH TIME",
so tests can tell a download from a HEAD.
"""

import asyncio
import os
import ssl
import sys
import time

from aiohttp import BasicAuth, web


def build(root: str, log_file: str) -> web.Application:
    delay = float(os.environ.get("HTTP_TEST_DELAY", "0"))
    auth = os.environ.get("HTTP_TEST_AUTH")

    @web.middleware
    async def record(request, handler):
        with open(log_file, "a") as log:
            log.write(f"{request.method} {request.path} {time.time():.2f}\n")
        if auth:
            given = request.headers.get("Authorization", "")
            try:
                ok = BasicAuth.decode(given) == BasicAuth(*auth.split(":", 1))
            except ValueError:
                ok = False
            if not ok:
                raise web.HTTPUnauthorized(headers={"WWW-Authenticate": 'Basic realm="test"'})
        if request.path.startswith("/slow/") and delay:
            await asyncio.sleep(delay)
        return await handler(request)

    app = web.Application(middlewares=[record])
    app.router.add_static("/", root, show_index=True)
    return app


if __name__ == "__main__":
    port, root, log_file = sys.argv[1:4]
    context = None
    if len(sys.argv) > 5:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(sys.argv[4], sys.argv[5])
    web.run_app(build(root, log_file), host="127.0.0.1", port=int(port), ssl_context=context,
                print=lambda *_: print("ready", flush=True), access_log=None)

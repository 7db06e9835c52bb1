"""A range-capable static HTTP server on 127.0.0.1 for the tests (aiohttp).

usage: http_server.py PORT ROOT LOG_FILE
Serves ROOT with directory index pages (what fsspec's HTTP listing reads),
Range requests, ETag and Last-Modified. Paths under /slow/ answer after
$HTTP_TEST_DELAY seconds (to hold a run open). Every request is appended to
LOG_FILE as "METHOD PATH", so tests can tell a download from a HEAD.
"""

import asyncio
import time
import os
import sys

from aiohttp import web


def build(root: str, log_file: str) -> web.Application:
    delay = float(os.environ.get("HTTP_TEST_DELAY", "0"))

    @web.middleware
    async def record(request, handler):
        with open(log_file, "a") as log:
            log.write(f"{request.method} {request.path} {time.time():.2f}\n")
        if request.path.startswith("/slow/") and delay:
            await asyncio.sleep(delay)
        return await handler(request)

    app = web.Application(middlewares=[record])
    app.router.add_static("/", root, show_index=True)
    return app


if __name__ == "__main__":
    port, root, log_file = sys.argv[1:4]
    web.run_app(build(root, log_file), host="127.0.0.1", port=int(port), print=lambda *_: print("ready", flush=True),
                access_log=None)

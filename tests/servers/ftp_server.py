"""A real FTP server on 127.0.0.1 for the tests (pyftpdlib), rooted in one folder.

usage: ftp_server.py PORT ROOT USER [CERT KEY]
With CERT and KEY it speaks FTPS (explicit TLS, required on control and data
connections). The password is read from $FTP_TEST_PASSWORD, so it never
shows in `ps`. Runs until killed.
"""

import os
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
from pyftpdlib.servers import FTPServer


def main(port: int, root: str, user: str, cert: str | None, key: str | None) -> None:
    authorizer = DummyAuthorizer()
    authorizer.add_user(user, os.environ["FTP_TEST_PASSWORD"], root, perm="elr")
    handler = TLS_FTPHandler if cert else FTPHandler
    if cert:
        handler.certfile, handler.keyfile = cert, key
        handler.tls_control_required = handler.tls_data_required = True
    handler.authorizer = authorizer
    handler.banner = "retail-imports test FTP server"
    server = FTPServer(("127.0.0.1", port), handler)
    server.serve_forever()


if __name__ == "__main__":
    port, root, user, *tls = sys.argv[1:]
    main(int(port), root, user, *(tls or [None, None]))

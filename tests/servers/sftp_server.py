"""A real SFTP server on 127.0.0.1 for the tests (asyncssh), rooted in one folder.

usage: sftp_server.py PORT ROOT HOST_KEY_FILE USER
The password is read from $SFTP_TEST_PASSWORD, so it never shows in `ps`.
Prints "ready" once it listens; runs until killed.
"""

import asyncio
import os
import sys

import asyncssh


async def main(port: int, root: str, host_key: str, user: str) -> None:
    password = os.environ["SFTP_TEST_PASSWORD"]

    class Server(asyncssh.SSHServer):
        def begin_auth(self, username: str) -> bool:
            return True

        def password_auth_supported(self) -> bool:
            return True

        def validate_password(self, username: str, given: str) -> bool:
            return username == user and given == password

    await asyncssh.listen(
        "127.0.0.1", port, server_host_keys=[host_key], server_factory=Server,
        sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=root.encode()),
        allow_scp=False,
    )
    print("ready", flush=True)
    await asyncio.Future()


if __name__ == "__main__":
    port, root, host_key, user = sys.argv[1:5]
    asyncio.run(main(int(port), root, host_key, user))

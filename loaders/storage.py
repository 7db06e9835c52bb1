"""Where delivered files live: a location URL, listed by glob, fingerprinted, fetched.

A source's `location` is a local path or a URL (`s3://`, `gs://`, `az://`,
`abfs://`, `http(s)://`, `sftp://`, `ftp://`, `ftps://`); every protocol
goes through fsspec. A listing gives each file's *fingerprint*, the version
the store already knows without us downloading anything (S3 ETag, GCS md5
or generation, Azure content-MD5 or ETag, HTTP ETag or size +
Last-Modified, SFTP, FTP and local size + modification time), so an
unchanged file is skipped for the price of one listing. A changed or new file is streamed to a local
temporary file; decode.py takes it from there.

Credentials never sit in the YAML: the `storage:` block holds only
settings, plus `<option>_env: VARIABLE` to take a secret from the
environment, and `credentials: NAME` names a profile in a file outside the
project (`$RETAIL_CREDENTIALS`, default ~/.config/retail-imports/credentials.yml).
The clients' own conventions work too (AWS_* variables and profiles,
GOOGLE_APPLICATION_CREDENTIALS, AZURE_STORAGE_CONNECTION_STRING).
"""

from __future__ import annotations

import glob
import os
import re
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import yaml
from fsspec.implementations.ftp import FTPFileSystem

from .errors import FileError, LoaderError, missing_extra

# gcsfs's newer releases probe for hierarchical-namespace buckets and stall
# for a minute per call against anything but Google itself; we never need it.
os.environ.setdefault("GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT", "false")

REMOTE_PROTOCOLS = {
    "s3": "s3", "s3a": "s3",
    "gs": "gcs", "gcs": "gcs",
    "az": "azure", "abfs": "azure", "abfss": "azure",
    "http": "http", "https": "http",
    "sftp": "sftp", "ssh": "sftp",
    "ftp": "ftp", "ftps": "ftp",     # spec 004: "put the file to FTP path"; ftps is FTP over TLS
}
# Stores with real folders: a location whose folder is missing fails its source.
FOLDER_PROTOCOLS = {"sftp", "ftp"}
# Option names that hold a secret when given a literal value.
_SECRET = re.compile(
    r"(secret|password|passwd|passphrase|token|credential|account_key|sas|connection_string|private_key|api_key|write_key"
    r"|^key$|client_keys)", re.I)
# Literal values such options may still take: a mode, or a path to a file holding the secret.
_NOT_A_SECRET = re.compile(r"^(anon|google_default|cloud|browser|cache|false|true|none)$|^[~/.]|\.(json|pem|key)$", re.I)
_SECRET_QUERY = re.compile(r"(^|&)(sig|signature|x-amz-signature|x-goog-signature|token|access_token)=", re.I)
DEFAULT_CREDENTIALS_FILE = "~/.config/retail-imports/credentials.yml"


@dataclass(frozen=True)
class RemoteFile:
    """One delivered file as the store lists it."""

    path: str                  # what the filesystem opens (a local path for local sources)
    url: str                   # how people and the manifest name it: no credentials, no query string
    size: int | None
    fingerprint: str | None    # None: the store gives no version, so the file is downloaded and hashed
    problem: str | None = None  # why the file is refused without being read (a link out of the location)


def protocol_of(location: str) -> str:
    """`local` or one of s3, gcs, azure, http, sftp, ftp."""
    if "://" not in location:
        return "local"
    scheme = location.split("://", 1)[0].lower()
    if scheme == "file":
        return "local"
    if scheme not in REMOTE_PROTOCOLS:
        known = ", ".join(sorted(set(REMOTE_PROTOCOLS) | {"file"}))
        raise LoaderError(f"location {location!r}: unknown protocol {scheme!r} (known: {known})")
    return REMOTE_PROTOCOLS[scheme]


def public_url(url: str) -> str:
    """The URL without user info or query: safe to print and to store."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def check_inline_secrets(block: dict, where: str) -> None:
    """Refuse a meta.loader block (as written, before env_var() renders) that holds a secret.

    A secret-looking option with a literal value, a password in the location
    URL or a signature in its query string is refused with the way out.
    """
    location = str(block.get("location") or "")
    if "://" in location and "{{" not in location:
        parts = urlsplit(location)
        if parts.password:
            raise LoaderError(f"{where}: the location URL holds a password; use storage: {{password_env: VARIABLE}} "
                              "or credentials: PROFILE instead")
        if _SECRET_QUERY.search(parts.query or ""):
            raise LoaderError(f"{where}: the location URL holds a signature or token in its query string; "
                              "put it in an environment variable (storage: {...}_env) or a credentials profile")
    for key, value in _walk(block):
        if key == "credentials" and isinstance(value, str):
            continue  # names a profile kept outside the project
        if _SECRET.search(key) and not key.endswith("_env") and _literal_secret(value):
            raise LoaderError(
                f"{where}: option {key!r} holds a literal secret. Secrets never go in the project's YAML: "
                f"write `{key}_env: VARIABLE` (read from the environment), `{{{{ env_var('VARIABLE') }}}}`, "
                f"or keep it in a credentials profile (`credentials: NAME`)"
            )


def _walk(value):
    """Every (key, value) pair of nested mappings, also inside lists."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key), item
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _literal_secret(value) -> bool:
    if isinstance(value, list):
        return any(_literal_secret(v) for v in value)
    if value is None or isinstance(value, (bool, dict)):
        return False
    text = str(value).strip()
    return bool(text) and "env_var(" not in text and not _NOT_A_SECRET.search(text)


class Storage:
    """A source's location, opened: list its files, fetch one to a local path."""

    def __init__(self, location: str, options: dict | None = None, key: str = "source"):
        self.location = location
        self.protocol = protocol_of(location)
        self.key = key
        self._options = dict(options or {})
        self._fs = None
        self._pattern = None

    @property
    def is_local(self) -> bool:
        return self.protocol == "local"

    # -- listing ---------------------------------------------------------------------------------------------
    def list(self) -> list[RemoteFile]:
        """Files matching the location glob, oldest file name first."""
        if self.is_local:
            return self._list_local()
        fs, pattern = self._open()
        try:
            if not glob.has_magic(pattern) and not pattern.endswith("/"):
                # One file, or a folder. Over HTTP asking "is it a folder?" downloads the
                # file, so there the HEAD's content type tells: an HTML page is an index.
                info = fs.info(pattern)
                folder = info.get("mimetype") == "text/html" if self.protocol == "http" else \
                    info.get("type") == "directory"
                if not folder:
                    found = {pattern: info}
                    pattern = None
            if pattern is not None:
                if not glob.has_magic(pattern):
                    pattern = pattern.rstrip("/") + "/*"
                # A glob walking folders swallows errors (a refused login, an untrusted
                # certificate) and says "no files"; listing the folder first does not.
                self._list_folder(fs, _folder_of(pattern))
                found = fs.glob(pattern, detail=True)
        except FileNotFoundError:
            found = {}
        except LoaderError:
            raise
        except Exception as exc:  # every client has its own errors; one line names the place and the cause
            raise LoaderError(f"{self.key}: cannot list {public_url(self.location)}: {_reason(exc)}") from None
        files = []
        for path, info in found.items():
            if info.get("type", "file") != "file":
                continue
            if self.protocol == "http" and info.get("size") is None:
                info = self._info(fs, path)   # an index page gives names only; HEAD gives size and version
            files.append(RemoteFile(path, self._url(path), info.get("size"), fingerprint(self.protocol, info)))
        return sorted(files, key=lambda f: (f.url.rsplit("/", 1)[-1], f.url))

    def _list_folder(self, fs, folder: str) -> None:
        """A missing folder fails the source where stores have folders (SFTP, FTP); in an object store
        (S3, GCS, Azure, HTTP) a prefix with no object yet is only a location with nothing delivered."""
        try:
            fs.ls(folder, detail=False)
        except FileNotFoundError:
            if self.protocol in FOLDER_PROTOCOLS:
                raise LoaderError(f"{self.key}: folder {folder} does not exist (location "
                                  f"{public_url(self.location)})") from None
            raise

    def _list_local(self) -> list[RemoteFile]:
        """Files matching the glob. The folder the glob starts from must exist; a link is followed
        only to a file inside that folder (a link out of it would land any file the loader can read)."""
        pattern = self.location[len("file://"):] if self.location.startswith("file://") else self.location
        if os.path.isdir(pattern):
            pattern = os.path.join(pattern, "*")
        root = local_folder(self.location)
        if not os.path.isdir(root):
            raise LoaderError(f"{self.key}: folder {root} does not exist (location {self.location})")
        inside = os.path.realpath(root)
        files = []
        for path in glob.glob(pattern, recursive=True):
            if not os.path.isfile(path):
                continue
            real = os.path.realpath(path)
            if os.path.commonpath([real, inside]) != inside:
                files.append(RemoteFile(path, path, 0, None, problem=(
                    f"is a link to {real}, outside the location's folder {root}: refused, not read "
                    "(links are followed only to files inside it)")))
                continue
            stat = os.stat(path)
            files.append(RemoteFile(path, path, stat.st_size, f"size+mtime:{stat.st_size}@{stat.st_mtime_ns}"))
        return sorted(files, key=lambda f: (os.path.basename(f.path), f.path))

    def _info(self, fs, path: str) -> dict:
        try:
            return fs.info(path)
        except Exception as exc:
            raise LoaderError(f"{self.key}: cannot read {self._url(path)}: {_reason(exc)}") from None

    # -- fetching --------------------------------------------------------------------------------------------
    def fetch(self, path: str, url: str, size: int | None, dest: str) -> int:
        """Stream the remote file at `path` to `dest`; the bytes fetched. A short transfer is an error."""
        fs, _ = self._open()
        try:
            fs.get_file(path, dest)
        except Exception as exc:
            raise FileError(url, f"download failed: {_reason(exc)}") from None
        got = os.path.getsize(dest)
        if size is not None and got != size:
            raise FileError(url, f"download incomplete: {got} of {size} bytes (the file may be being "
                                 "rewritten; it is tried again next run)")
        return got

    # -- plumbing --------------------------------------------------------------------------------------------
    def _open(self):
        if self._fs is None:
            import fsspec

            options = storage_options(self.protocol, self._options, self.key)
            try:
                if self.protocol == "ftp":
                    self._fs, self._pattern = _ftp_filesystem(self.location, options)
                else:
                    self._fs, self._pattern = fsspec.core.url_to_fs(self.location, **options)
            except ImportError as exc:
                raise LoaderError(f"{self.key}: no client installed for {public_url(self.location)}: "
                                  f"{missing_extra('remote', exc)}") from None
            except Exception as exc:
                raise LoaderError(f"{self.key}: cannot open {public_url(self.location)}: {_reason(exc)}") from None
        return self._fs, self._pattern

    def _url(self, path: str) -> str:
        if self.protocol == "http":
            return public_url(path)
        scheme = self.location.split("://", 1)[0]
        if self.protocol in ("sftp", "ftp"):
            parts = urlsplit(self.location)
            host = f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname
            return f"{scheme}://{host}/{path.lstrip('/')}"
        return f"{scheme}://{path.lstrip('/')}"


def local_folder(location: str) -> str | None:
    """The folder a local location's glob starts from (None for a remote location)."""
    if protocol_of(location) != "local":
        return None
    pattern = location[len("file://"):] if location.startswith("file://") else location
    return pattern if os.path.isdir(pattern) else _folder_of(pattern)


def _folder_of(pattern: str) -> str:
    """The folder a glob starts from: everything before the part with the first wildcard."""
    first = min((i for i, ch in enumerate(pattern) if ch in "*?["), default=len(pattern))
    return pattern[:first].rsplit("/", 1)[0] or "/"


def fingerprint(protocol: str, info: dict) -> str | None:
    """The store's own version of a file, from its listing: changes whenever the content may have."""
    if protocol == "s3" and info.get("ETag"):
        return f"etag:{str(info['ETag']).strip(chr(34))}"
    if protocol == "gcs":
        if info.get("md5Hash"):
            return f"md5:{info['md5Hash']}"
        if info.get("generation"):
            return f"generation:{info['generation']}"
    if protocol == "azure":
        md5 = (info.get("content_settings") or {}).get("content_md5")
        if md5:
            return f"md5:{bytes(md5).hex()}"
        if info.get("etag"):
            return f"etag:{str(info['etag']).strip(chr(34))}"
    if protocol == "http":
        if info.get("ETag"):
            return f"etag:{str(info['ETag']).strip(chr(34))}"
        if info.get("Last-Modified") and info.get("size") is not None:
            return f"size+mtime:{info['size']}@{info['Last-Modified']}"
    if protocol == "ftp" and info.get("modify"):
        return f"size+mtime:{info.get('size')}@{info['modify']}"   # MLSD's modify fact (or LIST's date)
    if protocol == "sftp" and info.get("mtime") is not None:
        mtime = info["mtime"]
        stamp = mtime.isoformat() if hasattr(mtime, "isoformat") else str(mtime)
        return f"size+mtime:{info.get('size')}@{stamp}"
    return None


def storage_options(protocol: str, options: dict, key: str = "source") -> dict:
    """fsspec options of a source: its `storage:` block, its credentials profile, `*_env` resolved."""
    storage = options.get("storage") or {}
    if not isinstance(storage, dict):
        raise LoaderError(f"{key}: meta.loader storage must be a mapping of options")
    merged = {**_profile(options.get("credentials"), key), **storage}
    resolved = _resolve_env(merged, key)
    if protocol == "http":
        resolved = _http_options(resolved)
    if protocol == "sftp":
        resolved = _sftp_options(resolved, key)
    return resolved


def secret_option(options: dict, name: str, key: str = "source") -> str | None:
    """One secret of a meta.loader block, wherever the conventions above allow it: `<name>_env:
    VARIABLE`, `<name>` rendered from `{{ env_var(...) }}`, or `<name>` in the `credentials` profile."""
    given = {k: v for k, v in options.items() if k in (name, f"{name}_env")}
    value = _resolve_env({**_profile(options.get("credentials"), key), **given}, key).get(name)
    return None if value is None else str(value)


def resolve_secrets(options: dict, key: str = "source") -> dict:
    """A source's own options (an API source's api_key_env...) with its credentials profile under
    them and every `<option>_env` read from the environment: what its client is given, never stored."""
    return _resolve_env({**_profile(options.get("credentials"), key), **options}, key, "option")


def redacted(options: dict) -> dict:
    """The options with every secret-looking value hidden: safe to print and to write in a report
    (a secret given as `{{ env_var('X') }}` is already rendered in them)."""
    def hide(value):
        if isinstance(value, dict):
            return {k: ("***" if _SECRET.search(str(k)) and not str(k).endswith("_env") and _literal_secret(v)
                        else hide(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [hide(v) for v in value]
        return value
    return hide(options)


def _profile(name, key: str) -> dict:
    if not name:
        return {}
    path = Path(os.path.expanduser(os.environ.get("RETAIL_CREDENTIALS", DEFAULT_CREDENTIALS_FILE)))
    if not path.is_file():
        raise LoaderError(f"{key}: credentials profile {name!r} asked for, but {path} does not exist "
                          "(set $RETAIL_CREDENTIALS to the file holding it)")
    try:
        profiles = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise LoaderError(f"{path}: YAML does not parse: {exc}") from None
    if not isinstance(profiles.get(name), dict):
        raise LoaderError(f"{key}: no credentials profile {name!r} in {path} (profiles: "
                          f"{', '.join(sorted(profiles)) or 'none'})")
    return dict(profiles[name])


def _resolve_env(value, key: str, label: str = "storage option"):
    """`password_env: VAR` becomes `password: <value of VAR>`, at any depth."""
    if isinstance(value, dict):
        out = {}
        for name, item in value.items():
            if isinstance(name, str) and name.endswith("_env") and isinstance(item, str):
                if item not in os.environ:
                    raise LoaderError(f"{key}: environment variable {item} ({label} {name}) is not set")
                out[name[: -len("_env")]] = os.environ[item]
            else:
                out[name] = _resolve_env(item, key, label)
        return out
    if isinstance(value, list):
        return [_resolve_env(v, key, label) for v in value]
    return value


def _http_options(options: dict) -> dict:
    """username/password become HTTP basic auth; everything else goes to fsspec's HTTP filesystem."""
    options = dict(options)
    user, password = options.pop("username", None), options.pop("password", None)
    if user is not None:
        import aiohttp

        client = dict(options.get("client_kwargs") or {})
        client["auth"] = aiohttp.BasicAuth(user, password or "")
        options["client_kwargs"] = client
    return options


def _ftp_filesystem(location: str, options: dict):
    """(filesystem, path) of an ftp:// or ftps:// location; user and port may be in the URL, the password never."""
    parts = urlsplit(location)
    settings = {"host": parts.hostname, "port": parts.port or 21, "tls": parts.scheme.lower() == "ftps"}
    if parts.username:
        settings["username"] = parts.username
    return VerifiedFTPFileSystem(**{**settings, **options}), parts.path or "/"


class VerifiedFTPFileSystem(FTPFileSystem):
    """fsspec's FTP filesystem, whose FTPS checks the server's certificate.

    ftplib's FTP_TLS trusts any certificate unless given a context; this one
    verifies it against the system's CAs (or $SSL_CERT_FILE, like HTTPS
    locations) and the host name, and encrypts the data connections too.
    """

    def _connect(self):
        if not self.tls:
            return super()._connect()
        from ftplib import FTP_TLS

        self.ftp = FTP_TLS(context=ssl.create_default_context(), timeout=self.timeout, encoding=self.encoding)
        self.ftp.connect(self.host, self.port)
        self.ftp.login(*self.cred)


def _sftp_options(options: dict, key: str) -> dict:
    """Host keys are checked: sshfs would skip the check unless told where the known hosts are."""
    options = dict(options)
    known = options.get("known_hosts") or os.path.expanduser("~/.ssh/known_hosts")
    known = os.path.expanduser(str(known))
    if not os.path.isfile(known):
        raise LoaderError(f"{key}: SFTP host keys cannot be checked: {known} does not exist (set storage.known_hosts "
                          "to a file with the server's key, e.g. from `ssh-keyscan -p PORT HOST`)")
    options["known_hosts"] = known
    if isinstance(options.get("client_keys"), str):
        options["client_keys"] = [os.path.expanduser(options["client_keys"])]
    return options


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__

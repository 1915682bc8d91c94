"""CURVE keys in a folder, the ZAP allow-list that binds each key to a role, and peer identities.

Folder layout (docs/protocol.md section 1): ``DIR/NAME.key`` holds the public key and, in its metadata,
the role; ``DIR/NAME.key_secret`` holds both keys. Files use the ZeroMQ certificate format that czmq and
``zmq.auth`` read, but the role is written into the *public* file too (``zmq.auth.create_certificates``
puts metadata only in the secret one), because the verifying node reads roles from public files.

The ZAP handler is our own small agent rather than ``zmq.auth.ThreadAuthenticator`` because it must
answer with metadata (``Role``) that libzmq then attaches to every message of that connection, and
pyzmq's authenticator cannot send metadata.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
import re
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import zmq
from zmq.utils import z85

from comms.records import Peer
from comms.sockets import frame_property

log = logging.getLogger("comms.keys")

ZAP_DOMAIN = "sanwei"
_DENY_LOG_EVERY = 60.0
ZAP_ENDPOINT = "inproc://zeromq.zap.01"
_ROLE = re.compile(r"[a-z]+(:[A-Za-z0-9_\-]+)?")
_NAME = re.compile(r"[A-Za-z0-9_.\-]+")


class KeyFileError(ValueError):
    """A key file that is missing, unreadable or inconsistent."""


ANONYMOUS = Peer("anonymous", "")


def peer_of(frame: zmq.Frame) -> Peer:
    """The authenticated peer of a received frame (from the ``User-Id`` and ``Role`` properties)."""
    name = frame_property(frame, "User-Id")
    if not name:
        return ANONYMOUS
    return Peer(name, frame_property(frame, "Role") or "")


@dataclass(frozen=True, slots=True)
class PeerKey:
    name: str
    role: str
    public: bytes  # Z85, 40 bytes
    secret: bytes | None = None  # Z85, only for the node's own keys

    @property
    def fingerprint(self) -> str:
        """A short, stable name of the public key for logs and the journal (never the key itself)."""
        return fingerprint(self.public)

    def describe(self) -> dict[str, str]:
        return {"name": self.name, "role": self.role, "fingerprint": self.fingerprint}


def fingerprint(public_z85: bytes) -> str:
    """``sha256:`` and the first 16 hex digits of the SHA-256 of the 32-byte public key."""
    return "sha256:" + hashlib.sha256(z85.decode(public_z85)).hexdigest()[:16]


def check_role(role: str) -> str:
    if not _ROLE.fullmatch(role):
        raise KeyFileError(f"role {role!r} is not of the form kind[:scope]")
    return role


def _write_key_file(path: Path, public: bytes, secret: bytes | None, role: str) -> None:
    kind = "Secret" if secret else "Public"
    lines = [
        f"#   ****  Generated on {datetime.datetime.now():%Y-%m-%d %H:%M:%S} by Sanwei  ****",
        f"#   ZeroMQ CURVE {kind} Certificate",
        "#   Exchange securely, or use a secure mechanism to verify the contents",
        "#   of this file after exchange.",
        "",
        "metadata",
        f"    role = {role}",
        "curve",
        f'    public-key = "{public.decode("ascii")}"',
    ]
    if secret:
        lines.append(f'    secret-key = "{secret.decode("ascii")}"')
    data = "\n".join(lines) + "\n"
    if secret:
        # The secret file is created unreadable by others before anything is written into it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(data)
    else:
        path.write_text(data, encoding="utf-8")


def generate_keys(directory: str | os.PathLike[str], name: str, role: str) -> PeerKey:
    """Create ``DIR/NAME.key`` and ``DIR/NAME.key_secret`` for a node of the given role."""
    if not _NAME.fullmatch(name):
        raise KeyFileError(f"key name {name!r}: letters, digits, '_', '.', '-' only")
    check_role(role)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    public, secret = zmq.curve_keypair()
    _write_key_file(folder / f"{name}.key", public, None, role)
    _write_key_file(folder / f"{name}.key_secret", public, secret, role)
    return PeerKey(name, role, public, secret)


def _read_key_file(path: Path) -> tuple[str, bytes, bytes | None]:
    """(role, public, secret) from a ZPL certificate; tolerant of czmq's and pyzmq's layouts."""
    role = ""
    public: bytes | None = None
    secret: bytes | None = None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"{path}: {exc}") from exc
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or "=" not in stripped:
            continue
        name, _, value = stripped.partition("=")
        name, value = name.strip(), value.strip().strip("\"'")
        if name == "role":
            role = value
        elif name == "public-key":
            public = value.encode("ascii")
        elif name == "secret-key":
            secret = value.encode("ascii")
    if public is None or len(public) != 40:
        raise KeyFileError(f"{path}: no Z85 public key")
    if secret is not None and len(secret) != 40:
        raise KeyFileError(f"{path}: malformed secret key")
    return role, public, secret


class KeyRing:
    """All keys of one folder: the public keys of known peers (with roles) and this node's secret ones."""

    def __init__(self, keys: dict[str, PeerKey]) -> None:
        self._by_name = dict(keys)
        self._by_public = {k.public: k for k in keys.values()}

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> PeerKey:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyFileError(f"no key named {name!r}") from None

    def names(self) -> list[str]:
        return sorted(self._by_name)

    def by_public(self, public_z85: bytes) -> PeerKey | None:
        return self._by_public.get(public_z85)

    def by_name(self, name: str) -> PeerKey | None:
        return self._by_name.get(name)


def load_keys(directory: str | os.PathLike[str]) -> KeyRing:
    """Read every ``*.key`` (and matching ``*.key_secret``) of a folder; the first bad file raises."""
    ring, problems = scan_keys(directory)
    if problems:
        raise KeyFileError(problems[0].problem)
    return ring


FolderSignature = dict[str, tuple[int, int]] | None


def folder_signature(folder: Path) -> FolderSignature:
    """Name -> (size, modification time in ns) of the key files of a folder; None when it is gone."""
    try:
        paths = [p for p in folder.iterdir() if p.name.endswith((".key", ".key_secret"))]
    except FileNotFoundError:
        return None
    signature = {}
    for path in paths:
        try:
            st = path.stat()
        except FileNotFoundError:  # removed since the listing: the next look sees it gone
            continue
        signature[path.name] = (st.st_size, st.st_mtime_ns)
    return signature


@dataclass(frozen=True, slots=True)
class KeyProblem:
    """A key file that could not be taken into the allow-list, and why."""

    file: str
    problem: str


def scan_keys(directory: str | os.PathLike[str]) -> tuple[KeyRing, list[KeyProblem]]:
    """Read every ``*.key`` of a folder, keeping the good ones: a bad file is reported, not fatal.

    Raises ``KeyFileError`` only when the folder itself is missing."""
    folder = Path(directory)
    if not folder.is_dir():
        raise KeyFileError(f"key folder {folder} does not exist")
    keys: dict[str, PeerKey] = {}
    problems: list[KeyProblem] = []
    for path in sorted(folder.glob("*.key")):
        try:
            keys[path.stem] = _read_pair(folder, path)
        except KeyFileError as exc:
            problems.append(KeyProblem(path.name, str(exc)))
    return KeyRing(keys), problems


def _read_pair(folder: Path, path: Path) -> PeerKey:
    name = path.stem
    role, public, _ = _read_key_file(path)
    try:
        check_role(role)
    except KeyFileError as exc:
        raise KeyFileError(f"{path}: {exc}") from None
    secret = None
    secret_path = folder / f"{name}.key_secret"
    if secret_path.exists():
        _, secret_public, secret = _read_key_file(secret_path)
        if secret_public != public:
            raise KeyFileError(f"{secret_path} does not match {path}")
    return PeerKey(name, role, public, secret)


def _zap_metadata(props: dict[str, str]) -> bytes:
    # ZMTP metadata encoding: 1-byte name length, name, 4-byte value length, value.
    out = bytearray()
    for name, value in props.items():
        raw = value.encode()
        out += bytes([len(name)]) + name.encode("ascii") + struct.pack("!I", len(raw)) + raw
    return bytes(out)


class ZapHandler:
    """An agent thread answering ZAP requests (RFC 27) of one context from a key allow-list.

    Bound to the context's well-known ZAP endpoint, so there is at most one per context; ``Security``
    makes sure of that.
    """

    def __init__(self, context: zmq.Context, keyring: KeyRing | Callable[[], KeyRing]) -> None:
        """``keyring``: the allow-list, or a function returning the current one (asked at each request,
        so a reloaded list takes effect at the next handshake)."""
        self._context = context
        self._keyring = keyring if callable(keyring) else (lambda: keyring)
        self._last_logged: dict[tuple[bytes, bytes], float] = {}
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.denied = 0
        self.allowed = 0
        self._thread = threading.Thread(target=self._run, name="sanwei-zap", daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(5.0)
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5.0)

    def _run(self) -> None:
        sock = self._context.socket(zmq.REP)
        try:
            sock.linger = 0
            sock.bind(ZAP_ENDPOINT)
        except zmq.ZMQError as exc:
            self._error = exc
            sock.close()
            self._ready.set()
            return
        self._ready.set()
        try:
            while not self._stop.is_set():
                if not sock.poll(100):
                    continue
                request = sock.recv_multipart()
                try:
                    answer = self._answer(request)
                except Exception:
                    # A REP socket that does not answer is stuck for good: answer "denied" instead.
                    log.exception("ZAP handler failed on a request")
                    answer = [b"1.0", request[1] if len(request) > 1 else b"", b"500", b"Error", b"", b""]
                sock.send_multipart(answer)
        finally:
            sock.close()

    def _answer(self, request: list[bytes]) -> list[bytes]:
        if len(request) < 6:
            # A REP socket must answer something; this shape tells libzmq the request was bad.
            return [b"1.0", request[1] if len(request) > 1 else b"", b"500", b"Malformed", b"", b""]
        version, request_id, domain, _address, _identity, mechanism = request[:6]
        credentials = request[6:]

        def deny(reason: bytes) -> list[bytes]:
            self.denied += 1
            # A refused client retries every 100 ms (libzmq's reconnect interval): one line a minute
            # for each reason and key, not ten a second.
            said = (reason, credentials[0] if credentials else b"")
            now = time.monotonic()
            if now - self._last_logged.get(said, -_DENY_LOG_EVERY) >= _DENY_LOG_EVERY:
                if len(self._last_logged) >= 1024:  # a stream of random keys must not grow it for ever
                    self._last_logged.clear()
                self._last_logged[said] = now
                log.warning("ZAP denied a %s client: %s", mechanism.decode(errors="replace"), reason.decode())
            return [version, request_id, b"400", reason, b"", b""]

        if domain != ZAP_DOMAIN.encode():
            return deny(b"Unknown domain")
        if mechanism != b"CURVE" or len(credentials) != 1:
            return deny(b"CURVE required")
        key = self._keyring().by_public(z85.encode(credentials[0]))
        if key is None:
            return deny(b"Unknown key")
        self.allowed += 1
        return [version, request_id, b"200", b"OK", key.name.encode(), _zap_metadata({"Role": key.role})]


@dataclass(frozen=True)
class KeyChange:
    """What one reload of a key folder changed. A key whose public key or role changed appears in both
    ``removed`` (as it was) and ``added`` (as it is): its old sessions must go."""

    added: tuple[PeerKey, ...] = ()
    removed: tuple[PeerKey, ...] = ()
    problems: tuple[KeyProblem, ...] = ()
    own_key_problem: str | None = None  # this node's own pair missing or broken: the loaded one is kept

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def _same(a: PeerKey, b: PeerKey) -> bool:
    """The same key for the allow-list: a different public key or role ends the old one's sessions."""
    return (a.public, a.role) == (b.public, b.role)


@dataclass
class _Reloads:
    at: float  # wall-clock time of the last load or reload
    count: int = 0
    problems: tuple[KeyProblem, ...] = ()
    own_key_problem: str | None = None


class Security:
    """CURVE settings for one node: its own key pair, the allow-list, and one ZAP handler per context.

    The allow-list can be reloaded from the key folder while the node runs (``reload``); the ZAP handler
    and ``knows`` always answer from the current one. The node's own pair is the one it started with.
    """

    def __init__(self, keyring: KeyRing, me: str, directory: str | os.PathLike[str] | None = None) -> None:
        own = keyring[me]
        if own.secret is None:
            raise KeyFileError(f"no secret key for {me!r} in the key folder")
        self._keyring = keyring
        self.me = own
        self.directory = Path(directory) if directory is not None else None
        self._handlers: dict[int, tuple[ZapHandler, int]] = {}
        self._lock = threading.Lock()
        self._reload_lock = threading.Lock()
        self._started_with = keyring
        # The key files' names, sizes and modification times when the list was last read (``from_dir``,
        # ``reload``): a watcher reloads when the folder no longer matches.
        self.signature: FolderSignature = None
        self._reloads = _Reloads(time.time())

    @classmethod
    def from_dir(cls, directory: str | os.PathLike[str], me: str) -> Security:
        signature = folder_signature(Path(directory))  # before reading: a later change shows as a difference
        security = cls(load_keys(directory), me, directory)
        security.signature = signature
        return security

    @property
    def keyring(self) -> KeyRing:
        """The current allow-list (a reload replaces it whole, so a reader never sees half of one)."""
        return self._keyring

    def knows(self, peer: Peer) -> bool:
        """Whether an authenticated peer's key is still on the allow-list with the role it came in with.
        A connection made before its key was removed (or its role changed) carries the old ``User-Id``
        and ``Role``: its messages are refused by this test until the connection is closed."""
        key = self._keyring.by_name(peer.name)
        return key is not None and key.role == peer.role

    def reload(self) -> KeyChange:
        """Read the key folder again and make it the allow-list; returns what changed.

        A file that cannot be read (malformed, a role of the wrong shape, a half-written copy) is
        reported in ``problems`` and keeps the key it held before, if any: only deleting a key file
        revokes it. The node's own pair missing or different is reported in ``own_key_problem`` and the
        node keeps the identity it started with. Raises ``KeyFileError`` when the folder is gone (the
        allow-list then stays as it was)."""
        if self.directory is None:
            raise KeyFileError("this node's keys were not read from a folder: nothing to reload")
        with self._reload_lock:
            signature = folder_signature(self.directory)
            scanned, problems = scan_keys(self.directory)
            self.signature = signature
            old = self._keyring
            keys = {name: scanned[name] for name in scanned.names()}
            for problem in problems:
                name = Path(problem.file).stem
                if name in old:
                    keys[name] = old[name]
            own_problem = None
            mine = keys.get(self.me.name)
            if mine is None:
                own_problem = f"{self.me.name}.key is missing from {self.directory}"
            elif (mine.public, mine.role) != (self.me.public, self.me.role) or mine.secret != self.me.secret:
                own_problem = (
                    f"{self.me.name}.key or its secret in {self.directory} no longer match this node's pair"
                )
            if own_problem is not None:
                keys[self.me.name] = self.me
            added = tuple(k for n, k in sorted(keys.items()) if n not in old or not _same(old[n], k))
            removed = tuple(old[n] for n in old.names() if n not in keys or not _same(old[n], keys[n]))
            self._keyring = KeyRing(keys)
            self._reloads = _Reloads(time.time(), self._reloads.count + 1, tuple(problems), own_problem)
            return KeyChange(added, removed, tuple(problems), own_problem)

    def allow_list(self) -> dict[str, object]:
        """The keys loaded and when, for ``link.status``."""
        ring, reloads = self._keyring, self._reloads
        return {
            "folder": str(self.directory) if self.directory is not None else None,
            "keys": [ring[name].describe() for name in ring.names()],
            "loaded_at": datetime.datetime.fromtimestamp(reloads.at, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "reloads": reloads.count,
            "problems": [{"file": p.file, "problem": p.problem} for p in reloads.problems],
            "own_key_problem": reloads.own_key_problem,
        }

    def make_server(self, sock: zmq.Socket) -> None:
        """Turn a socket that binds into a CURVE server checked by the ZAP allow-list."""
        sock.curve_server = True
        sock.curve_publickey = self.me.public
        sock.curve_secretkey = self.me.secret
        sock.zap_domain = ZAP_DOMAIN.encode()
        # Fail closed: refuse clients if the ZAP handler is missing rather than let everyone in.
        sock.setsockopt(zmq.ZAP_ENFORCE_DOMAIN, 1)

    def make_client(self, sock: zmq.Socket, server: str) -> None:
        """Turn a socket that connects into a CURVE client of the named server (its key as the folder
        now has it, or as it was at start when it has been removed since: a client that reconnects must
        not fail for that)."""
        key = self._keyring.by_name(server) or self._started_with[server]
        sock.curve_serverkey = key.public
        sock.curve_publickey = self.me.public
        sock.curve_secretkey = self.me.secret

    def attach(self, context: zmq.Context) -> None:
        """Start (or share) the ZAP handler of a context; called by each server node before binding."""
        with self._lock:
            handler, refs = self._handlers.get(id(context), (None, 0))
            if handler is None:
                handler = ZapHandler(context, lambda: self._keyring)
                handler.start()
            self._handlers[id(context)] = (handler, refs + 1)

    def detach(self, context: zmq.Context) -> None:
        with self._lock:
            handler, refs = self._handlers.get(id(context), (None, 0))
            if handler is None:
                return
            if refs <= 1:
                del self._handlers[id(context)]
                handler.stop()
            else:
                self._handlers[id(context)] = (handler, refs - 1)


# --- policies a server can apply to authenticated peers --------------------------------------------
PeerPolicy = Callable[[Peer, str], bool]


def still_allowed(security: Security | None, peer: Peer) -> bool:
    """What a server's agent checks on each message: the sender's key is still on the allow-list (always
    true without CURVE)."""
    return security is None or security.knows(peer)


def allow_all(peer: Peer, key: str) -> bool:
    return True


def scoped_write_policy(peer: Peer, key: str) -> bool:
    """The default write rule of docs/protocol.md 3.3.

    A peer with a scoped role (``district:230102``, ``console:230102``) writes only under
    ``/district/<scope>/``; an unscoped role (``centre``, ``console`` of the centre) and the anonymous
    peer of a node without CURVE (tests, lab) write anywhere.
    """
    scope = peer.role_scope
    if scope is None:
        return True
    return key.startswith(f"/district/{scope}/")

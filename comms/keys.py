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
import logging
import os
import re
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import zmq
from zmq.utils import z85

from comms.records import Peer
from comms.sockets import frame_property

log = logging.getLogger("comms.keys")

ZAP_DOMAIN = "sanwei"
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


def load_keys(directory: str | os.PathLike[str]) -> KeyRing:
    """Read every ``*.key`` (and matching ``*.key_secret``) of a folder."""
    folder = Path(directory)
    if not folder.is_dir():
        raise KeyFileError(f"key folder {folder} does not exist")
    keys: dict[str, PeerKey] = {}
    for path in sorted(folder.glob("*.key")):
        name = path.stem
        role, public, _ = _read_key_file(path)
        check_role(role)
        secret = None
        secret_path = folder / f"{name}.key_secret"
        if secret_path.exists():
            _, secret_public, secret = _read_key_file(secret_path)
            if secret_public != public:
                raise KeyFileError(f"{secret_path} does not match {path}")
        keys[name] = PeerKey(name, role, public, secret)
    return KeyRing(keys)


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

    def __init__(self, context: zmq.Context, keyring: KeyRing) -> None:
        self._context = context
        self._keyring = keyring
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
            log.warning("ZAP denied a %s client: %s", mechanism.decode(errors="replace"), reason.decode())
            return [version, request_id, b"400", reason, b"", b""]

        if domain != ZAP_DOMAIN.encode():
            return deny(b"Unknown domain")
        if mechanism != b"CURVE" or len(credentials) != 1:
            return deny(b"CURVE required")
        key = self._keyring.by_public(z85.encode(credentials[0]))
        if key is None:
            return deny(b"Unknown key")
        self.allowed += 1
        return [version, request_id, b"200", b"OK", key.name.encode(), _zap_metadata({"Role": key.role})]


class Security:
    """CURVE settings for one node: its own key pair, the allow-list, and one ZAP handler per context."""

    def __init__(self, keyring: KeyRing, me: str) -> None:
        own = keyring[me]
        if own.secret is None:
            raise KeyFileError(f"no secret key for {me!r} in the key folder")
        self.keyring = keyring
        self.me = own
        self._handlers: dict[int, tuple[ZapHandler, int]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_dir(cls, directory: str | os.PathLike[str], me: str) -> Security:
        return cls(load_keys(directory), me)

    def make_server(self, sock: zmq.Socket) -> None:
        """Turn a socket that binds into a CURVE server checked by the ZAP allow-list."""
        sock.curve_server = True
        sock.curve_publickey = self.me.public
        sock.curve_secretkey = self.me.secret
        sock.zap_domain = ZAP_DOMAIN.encode()
        # Fail closed: refuse clients if the ZAP handler is missing rather than let everyone in.
        sock.setsockopt(zmq.ZAP_ENFORCE_DOMAIN, 1)

    def make_client(self, sock: zmq.Socket, server: str) -> None:
        """Turn a socket that connects into a CURVE client of the named server."""
        sock.curve_serverkey = self.keyring[server].public
        sock.curve_publickey = self.me.public
        sock.curve_secretkey = self.me.secret

    def attach(self, context: zmq.Context) -> None:
        """Start (or share) the ZAP handler of a context; called by each server node before binding."""
        with self._lock:
            handler, refs = self._handlers.get(id(context), (None, 0))
            if handler is None:
                handler = ZapHandler(context, self.keyring)
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

"""The Open311 GeoReport v2 gateway: an ASGI application (Starlette) served by uvicorn, over the city's
database (``--db``: a local door) or a running centre (``--connect``: the node's command channel).

Under ``/open311/v2/``: ``discovery``, ``services``, ``services/{code}``, ``requests`` (GET with the
spec's filters, POST a report), ``requests/{id}`` and ``tokens/{token}``, each as ``.json`` or ``.xml``.
At ``/`` the public status page (``modes.everyday.public_page``), counted at most every ``status_ttl``
seconds whatever the number of readers.

What the rules say (which services, what a report becomes, what is public) is in
``modes.everyday.open311``; this module is the HTTP side: formats, errors as the spec writes them
(``[{"code": 400, "description": "..."}]`` with the HTTP status), the API key, per-key rate limits
(429 with ``Retry-After``), per-address limits on reads, the size of a request body (413), and the
threads the database work runs on (one writer, a few readers: the event loop never waits on the
database).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import math
import signal
import socket
import threading
import time
import xml.etree.ElementTree as ET
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from data.errors import InputError
from modes.common import app_keys
from modes.common.door import LocalDoor
from modes.everyday import link_commands, open311, public_page, public_status
from nodes.logs import NodeLog
from nodes.serve import settle_garbage_collector

API = "/open311/v2"
# POST fields passed on to the report; everything else a client sends (first_name, last_name, email,
# phone, device_id, account_id, attribute[...]) is dropped here, never stored (personal data).
CATALOGUE_TTL = 300.0  # seconds the names and services are kept
REPORT_FIELDS = ("service_code", "lat", "long", "address_string", "address_id", "description", "media_url")


class ApiError(Exception):
    """An error the client is told in the spec's form, with its HTTP status."""

    def __init__(self, status: int, description: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = headers or {}


@dataclass
class GatewayConfig:
    jurisdiction: str = "harbin"
    contact: str = "12319 城市管理热线 / city management hotline 12319"
    key_rate: float = 10.0  # reports a second per API key ...
    key_burst: float = 30.0  # ... with this many at once
    read_rate: float = 50.0  # reads a second per client address (0: no limit) ...
    read_burst: float = 100.0
    max_body: int = 16 * 1024  # bytes of a POST body
    status_ttl: float = 30.0  # seconds the status page's figures are kept
    writers: int = 1
    readers: int = 4


# --- rate limits ------------------------------------------------------------------------------------------


class RateLimiter:
    """Token buckets by key: ``rate`` a second, up to ``burst`` at once. Buckets of keys not seen for a
    while are forgotten (at most ``max_keys`` kept), so a flood of made-up keys costs memory once."""

    def __init__(
        self, rate: float, burst: float, *, max_keys: int = 10_000, now: Callable[[], float] = time.monotonic
    ):
        self.rate, self.burst, self.max_keys, self.now = rate, max(burst, 1.0), max_keys, now
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when allowed (a token taken), else the seconds until the next token."""
        if self.rate <= 0:
            return 0.0
        with self._lock:
            now = self.now()
            tokens, last = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.rate
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return wait


# --- the two ways to the city ----------------------------------------------------------------------------


class LocalBackend:
    """``--db``: reads in sessions of their own, reports through a local door as the app its key proves
    (the door's handler caches, the router among them, kept for the gateway's life)."""

    def __init__(self, session_factory, clock, bus) -> None:
        from nodes.centre import background_checkpoints

        self.Session, self.clock, self.bus = session_factory, clock, bus
        # SQLite: the WAL is copied back on a thread of its own, not inside some report's commit.
        self.checkpointer = background_checkpoints(session_factory.kw["bind"])
        self.door_services: dict[str, Any] = {}
        self.apps: dict[str, str] = {}  # key hash -> the app it proved
        self._catalogue: tuple[float, open311.Catalogue] | None = None
        with session_factory() as s:  # before the first report, not during it
            link_commands.prepare(s, self.door_services)
        self.catalogue()

    def catalogue(self) -> open311.Catalogue:
        """Names and services, read again every ``CATALOGUE_TTL`` seconds (a new department shows)."""
        if self._catalogue is None or self._catalogue[0] < time.monotonic():
            with self.Session() as s:
                self._catalogue = (time.monotonic() + CATALOGUE_TTL, open311.load_catalogue(s))
        return self._catalogue[1]

    def services(self) -> dict[str, open311.Service]:
        return self.catalogue().services

    def report(self, api_key: str | None, fields: dict[str, Any]) -> dict[str, Any]:
        # Which app a key proves never changes (one app, one key): remembered, and the report command
        # itself refuses an app revoked since, in its own transaction.
        digest = app_keys.key_hash(api_key) if api_key else ""
        app = self.apps.get(digest)
        if app is None:
            with self.Session() as s:
                app = self.apps[digest] = app_keys.app_of_key(s, api_key)
        person = app_keys.actor_of_app(app)
        door = LocalDoor(self.bus, self.Session, self.clock, person, services=self.door_services)
        try:
            return door.execute("open311.report", fields)
        finally:
            if self.checkpointer is not None:
                self.checkpointer.poke()

    def service_list(self, lang: str) -> list[dict]:
        return [s.as_doc(lang) for s in self.services().values()]

    def definition(self, code: str) -> dict | None:
        return open311.service_definition(self.services(), code)

    def requests(self, flt: open311.RequestFilter, lang: str) -> list[dict]:
        with self.Session() as s:
            return open311.find_requests(s, self.clock.now(), flt, lang, self.catalogue())

    def request(self, case_id: int, lang: str) -> list[dict]:
        with self.Session() as s:
            return open311.find_request(s, case_id, lang, self.catalogue())

    def token(self, token: str) -> list[dict]:
        with self.Session() as s:
            return open311.find_token(s, token)

    def status(self) -> dict:
        with self.Session() as s:
            return public_status.public_status(s, self.clock.now())

    def close(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()


class LinkBackend:
    """``--connect``: every read a query to the node, every report ``open311.report`` carrying the app's
    key as its session; the node checks the key and applies the report with its own door."""

    def __init__(self, link) -> None:
        self.link = link

    def _call(self, name: str, args: dict[str, Any], **kw) -> Any:
        from nodes.client import LinkError, LinkRefused

        try:
            return self.link.call(name, args, **kw)
        except LinkRefused as exc:
            if exc.reason.startswith(app_keys.KEY_REFUSAL):
                raise app_keys.KeyRefused(exc.reason.removeprefix(app_keys.KEY_REFUSAL)) from None
            raise InputError(exc.reason) from None
        except LinkError as exc:
            raise ApiError(503, f"the city's centre does not answer: {exc}") from None

    def report(self, api_key: str | None, fields: dict[str, Any]) -> dict[str, Any]:
        if not api_key:
            raise app_keys.KeyRefused("required to report (the city gives applications their keys)")
        session = {"login": app_keys.SESSION_LOGIN, "token": api_key}
        return self._call("open311.report", fields, session=session)

    def service_list(self, lang: str) -> list[dict]:
        return self._call("query.open311_services", {"lang": lang})["services"]

    def definition(self, code: str) -> dict | None:
        return self._call("query.open311_services", {"service_code": code})["definition"]

    def requests(self, flt: open311.RequestFilter, lang: str) -> list[dict]:
        return self._call("query.open311_requests", {"filter": flt.as_args(), "lang": lang})["requests"]

    def request(self, case_id: int, lang: str) -> list[dict]:
        return self._call("query.open311_requests", {"id": case_id, "lang": lang})["requests"]

    def token(self, token: str) -> list[dict]:
        return self._call("query.open311_requests", {"token": token})["requests"]

    def status(self) -> dict:
        return self._call("query.public_status", {}, timeout=30.0)

    def close(self) -> None:
        self.link.close()


# --- formats ---------------------------------------------------------------------------------------------

# The XML element of each list, and of its items (GeoReport v2's own names).
_XML_ITEM = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
             "endpoints": "endpoint", "formats": "format", "values": "value"}  # fmt: skip


def _xml_value(parent: ET.Element, name: str, value: Any) -> None:
    el = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for k, v in value.items():
            _xml_value(el, k, v)
    elif isinstance(value, list):
        for item in value:
            _xml_value(el, _XML_ITEM.get(name, "item"), item)
    elif isinstance(value, bool):
        el.text = "true" if value else "false"
    elif value is not None:
        el.text = str(value)


def to_xml(root: str, value: Any) -> bytes:
    """``value`` (a list of items, or one document) as GeoReport v2 XML under ``root``."""
    el = ET.Element(root)
    if isinstance(value, list):
        for item in value:
            _xml_value(el, _XML_ITEM.get(root, "item"), item)
    else:
        for k, v in value.items():
            _xml_value(el, k, v)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
        el, encoding="utf-8", xml_declaration=False
    )


def respond(
    fmt: str, root: str, value: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    if fmt == "xml":
        return Response(to_xml(root, value), status, headers, media_type="text/xml; charset=utf-8")
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status, headers, media_type="application/json; charset=utf-8")


def error_response(
    fmt: str, status: int, description: str, headers: dict[str, str] | None = None
) -> Response:
    return respond(fmt, "errors", [{"code": status, "description": description}], status, headers)


def _format(request: Request) -> str:
    fmt = request.path_params.get("fmt", "json")
    if fmt not in ("json", "xml"):
        raise ApiError(404, f"unknown format .{fmt}: use .json or .xml")
    return fmt


# --- the application ----------------------------------------------------------------------------------------


class Gateway:
    """The routes, the limits and the status page's cache over one backend."""

    def __init__(self, backend, config: GatewayConfig, log: NodeLog | None = None) -> None:
        self.backend, self.config, self.log = backend, config, log
        self.changeset = dt.datetime.now(open311.CITY_UTC_OFFSET).isoformat(timespec="seconds")
        self.key_limits = RateLimiter(config.key_rate, config.key_burst)
        self.read_limits = RateLimiter(config.read_rate, config.read_burst)
        self.writers = anyio.CapacityLimiter(config.writers)
        self.readers = anyio.CapacityLimiter(config.readers)
        self._status: tuple[float, str] | None = None
        self._status_lock = asyncio.Lock()
        self.app = Starlette(routes=self._routes())

    def _routes(self) -> list[Route]:
        def api(path: str, handler, methods=("GET",)) -> Route:
            return Route(f"{API}/{path}", self._guard(handler), methods=list(methods))

        return [
            Route("/", self._guard(self.status_page, api=False), methods=["GET"]),
            api("discovery.{fmt}", self.discovery),
            api("services.{fmt}", self.service_list),
            api("services/{code}.{fmt}", self.service_definition),
            api("requests.{fmt}", self.requests, methods=("GET", "POST")),
            api("requests/{id}.{fmt}", self.one_request),
            api("tokens/{token}.{fmt}", self.token),
        ]

    def _guard(self, handler, *, api: bool = True):
        """Errors in the spec's form (the page's as plain text), a per-address limit on reads."""

        async def endpoint(request: Request) -> Response:
            fmt = request.path_params.get("fmt", "json") if api else "json"
            fmt = fmt if fmt in ("json", "xml") else "json"
            try:
                if request.method == "GET":
                    wait = self.read_limits.take(request.client.host if request.client else "?")
                    if wait:
                        raise ApiError(429, "too many requests from this address: slow down", _retry(wait))
                    self._check_jurisdiction(request.query_params.get("jurisdiction_id"))
                response = await handler(request)
                if request.method == "GET":
                    response.headers["Access-Control-Allow-Origin"] = "*"
                return response
            except ApiError as exc:
                if not api:
                    return Response(
                        exc.description, exc.status, exc.headers, media_type="text/plain; charset=utf-8"
                    )
                return error_response(fmt, exc.status, exc.description, exc.headers)
            except app_keys.KeyRefused as exc:
                return error_response(fmt, 403, str(exc))
            except InputError as exc:
                return error_response(fmt, 400, str(exc))
            except Exception as exc:  # the client is told little; the log says what
                if self.log is not None:
                    self.log.event(
                        "error", "error", path=request.url.path, error=f"{type(exc).__name__}: {exc}"
                    )
                return error_response(fmt, 500, "the server could not answer this request")

        return endpoint

    def _check_jurisdiction(self, value: str | None) -> None:
        if value and value != self.config.jurisdiction:
            raise ApiError(
                404, f"jurisdiction_id {value!r} is not served here (this is {self.config.jurisdiction!r})"
            )

    async def _read(self, fn, *args):
        return await anyio.to_thread.run_sync(fn, *args, limiter=self.readers)

    # --- the endpoints ---

    async def discovery(self, request: Request) -> Response:
        fmt = _format(request)
        base = str(request.base_url).rstrip("/") + API
        doc = {
            "changeset": self.changeset,
            "contact": self.config.contact,
            "key_service": "api_key: python main.py open311 key new APP (the city's administrator)",
            "endpoints": [
                {
                    "specification": open311.SPECIFICATION,
                    "url": base,
                    "changeset": self.changeset,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        }
        return respond(fmt, "discovery", doc)

    async def service_list(self, request: Request) -> Response:
        fmt = _format(request)
        lang = open311.parse_lang(request.query_params.get("lang"))
        return respond(fmt, "services", await self._read(self.backend.service_list, lang))

    async def service_definition(self, request: Request) -> Response:
        fmt = _format(request)
        code = request.path_params["code"]
        doc = await self._read(self.backend.definition, code)
        if doc is None:
            raise ApiError(404, f"service_code {code!r} not found (GET services.{fmt} lists them)")
        return respond(fmt, "service_definition", doc)

    async def requests(self, request: Request) -> Response:
        if request.method == "POST":
            return await self.post_request(request)
        fmt = _format(request)
        lang = open311.parse_lang(request.query_params.get("lang"))
        flt = open311.parse_filter(request.query_params)
        return respond(fmt, "service_requests", await self._read(self.backend.requests, flt, lang))

    async def one_request(self, request: Request) -> Response:
        fmt = _format(request)
        lang = open311.parse_lang(request.query_params.get("lang"))
        ident = request.path_params["id"]
        if not ident.isdigit() or len(ident) > 18:
            raise ApiError(404, f"service_request_id {ident!r} not found")
        found = await self._read(self.backend.request, int(ident), lang)
        if not found:
            raise ApiError(404, f"service_request_id {ident} not found")
        return respond(fmt, "service_requests", found)

    async def token(self, request: Request) -> Response:
        fmt = _format(request)
        token = request.path_params["token"]
        found = await self._read(self.backend.token, token) if len(token) <= 32 else []
        if not found:
            raise ApiError(404, f"token {token[:40]!r} not found")
        return respond(fmt, "service_requests", found)

    async def post_request(self, request: Request) -> Response:
        fmt = _format(request)
        fields = await self._form(request)
        self._check_jurisdiction(fields.get("jurisdiction_id"))
        api_key = fields.get("api_key") or request.query_params.get("api_key")
        limit_key = hashlib.sha256((api_key or "").encode()).hexdigest()
        wait = self.key_limits.take(limit_key)
        if wait:
            raise ApiError(
                429,
                f"too many reports with this api_key: at most {self.config.key_rate:g} a second",
                _retry(wait),
            )
        report = {k: fields[k] for k in REPORT_FIELDS if fields.get(k) not in (None, "")}
        doc = await anyio.to_thread.run_sync(self.backend.report, api_key, report, limiter=self.writers)
        body = [{k: doc.get(k) for k in ("service_request_id", "token", "service_notice", "account_id")}]
        return respond(fmt, "service_requests", body, 201)

    async def _form(self, request: Request) -> dict[str, str]:
        """The POST body (form-encoded as the spec has it, or JSON), at most ``max_body`` bytes."""
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.config.max_body:
            raise ApiError(
                413, f"the request body is {declared} bytes; at most {self.config.max_body} are taken"
            )
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.config.max_body:
                raise ApiError(413, f"the request body is over {self.config.max_body} bytes")
            chunks.append(chunk)
        body = b"".join(chunks)
        kind = request.headers.get("content-type", "application/x-www-form-urlencoded").split(";")[0].strip()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "the request body is not UTF-8") from None
        if kind == "application/json":
            try:
                doc = json.loads(text or "{}")
            except ValueError as exc:
                raise ApiError(400, f"the JSON body does not parse: {exc}") from None
            if not isinstance(doc, dict):
                raise ApiError(400, "the JSON body must be an object of the POST fields")
            return {str(k): "" if v is None else str(v) for k, v in doc.items()}
        if kind not in ("application/x-www-form-urlencoded", ""):
            raise ApiError(415, f"send the fields as application/x-www-form-urlencoded, not {kind}")
        return dict(parse_qsl(text, keep_blank_values=True))

    async def status_page(self, request: Request) -> Response:
        now = time.monotonic()
        cached = self._status
        if cached is None or cached[0] <= now:
            async with self._status_lock:  # one count at a time; the others wait for its result
                cached = self._status
                if cached is None or cached[0] <= time.monotonic():
                    doc = await self._read(self.backend.status)
                    html = public_page.render_html(doc, cached_for=self.config.status_ttl)
                    cached = self._status = (time.monotonic() + self.config.status_ttl, html)
        headers = {
            "Cache-Control": f"public, max-age={int(self.config.status_ttl)}",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        }
        return HTMLResponse(cached[1], headers=headers)


def _retry(wait: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(wait)))}


# --- running it --------------------------------------------------------------------------------------------


def parse_bind(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:PORT`` for IPv6)."""
    host, sep, port = text.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(f"--bind {text!r} is not HOST:PORT (e.g. 127.0.0.1:8311)")
    return host.strip("[]"), int(port)


def _server_class():
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server without its own signal handling, which re-raises SIGTERM once it has shut
        down (the process would end by the signal, not with its status): ``serve`` stops it instead."""

        @contextlib.contextmanager
        def capture_signals(self):
            yield

    return Server


def _loop_factory():
    """uvloop's event loop where it is installed (not on Windows): a gateway's answer costs less CPU
    on it, and the one writer thread shares the interpreter with the loop."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def serve(gateway: Gateway, host: str, port: int, log: NodeLog) -> int:
    """Serve until SIGTERM or SIGINT. The socket is bound here first, so a port in use is said plainly
    (exit 3) before anything else starts."""
    import uvicorn

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY on the accepted connections only for a socket whose
    # protocol says TCP; without it every answer on a kept-alive connection waited 40 ms (Nagle against
    # the client's delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        log.event("failed", "error", error=f"cannot listen on {host}:{port}: {exc.strerror or exc}")
        return 3
    _Server = _server_class()
    config = uvicorn.Config(
        gateway.app, log_level="warning", access_log=False, lifespan="off", server_header=False,
        timeout_keep_alive=15, limit_concurrency=1000,
    )  # fmt: skip
    server = _Server(config)

    async def run() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.02)
        if server.started:
            settle_garbage_collector()  # what the gateway holds for good stays out of full collections
            bound = sock.getsockname()
            log.event(
                "ready", host=bound[0], port=bound[1], url=f"http://{host}:{bound[1]}{API}/",
                loop=type(loop).__module__.split(".")[0],
                http=server.config.http_protocol_class.__module__.rsplit(".", 1)[-1].removesuffix("_impl"),
            )  # fmt: skip
        await task

    try:
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            runner.run(run())
    finally:
        with contextlib.suppress(OSError):
            sock.close()
        gateway.backend.close()
    log.event("stopped")
    return 0

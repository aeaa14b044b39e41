"""A lean HTTP/1.1 client for the Bot API's small form posts (sendMessage, answerCallbackQuery, getUpdates…).

python-telegram-bot's default HTTPXRequest spent ~0.4 ms of CPU per call in httpx and httpcore (request
and response objects, anyio streams, a pool that polls every idle socket on each request): about a
third of the bot's CPU per update in bench/bot.py. The Bot API needs little of that: one origin, small
url-encoded POSTs, small JSON answers. So here: keep-alive connections over asyncio streams, at most
`pool_size` at once, TLS with certifi's CAs as httpx uses, the same errors as HTTPXRequest (TimedOut,
NetworkError). Requests carrying files (multipart uploads) still go through HTTPXRequest.

A request is never retried here: a POST that may have reached Telegram must not be sent twice.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from functools import lru_cache
from urllib.parse import urlencode, urlsplit

from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

KEEPALIVE = 5.0  # seconds an idle connection is kept (httpx's default keepalive_expiry)


@lru_cache(maxsize=64)
def _target(url: str) -> tuple[tuple[str, str, int], bytes]:
    """((scheme, host, port), request-line path with the Host header) for a Bot API URL."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    host = parts.hostname or ""
    port = parts.port or (443 if https else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host_header = host if parts.port is None else f"{host}:{port}"
    return (parts.scheme, host, port), f"{path} HTTP/1.1\r\nHost: {host_header}\r\n".encode("latin-1")


class _Conn:
    __slots__ = ("reader", "writer", "expires")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader = reader
        self.writer = writer
        self.expires = 0.0

    def usable(self, now: float) -> bool:
        # a server that closed an idle connection has fed EOF to the reader by now
        return now < self.expires and not self.reader.at_eof() and not self.writer.is_closing()

    def close(self) -> None:
        self.writer.close()


class LeanRequest(BaseRequest):
    def __init__(self, pool_size: int = 16, read_timeout: float | None = 5.0, write_timeout: float | None = 5.0,
                 connect_timeout: float | None = 5.0, pool_timeout: float | None = 1.0):
        self._pool_size = pool_size
        self._timeouts = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        self._idle: dict[tuple[str, str, int], list[_Conn]] = {}
        self._slots: asyncio.Semaphore | None = None
        self._ssl: ssl.SSLContext | None = None
        self._files = HTTPXRequest(connection_pool_size=min(pool_size, 4), read_timeout=read_timeout,
                                   write_timeout=write_timeout, connect_timeout=connect_timeout,
                                   pool_timeout=pool_timeout)
        self._headers = f"User-Agent: {self.USER_AGENT}\r\n".encode("latin-1")

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts[0]

    async def initialize(self) -> None:
        self._slots = asyncio.Semaphore(self._pool_size)
        await self._files.initialize()

    async def shutdown(self) -> None:
        idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn in conns:
                conn.close()
        await self._files.shutdown()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=BaseRequest.DEFAULT_NONE, write_timeout=BaseRequest.DEFAULT_NONE,
                         connect_timeout=BaseRequest.DEFAULT_NONE, pool_timeout=BaseRequest.DEFAULT_NONE,
                         ) -> tuple[int, bytes]:
        if request_data is not None and request_data.contains_files:
            return await self._files.do_request(url, method, request_data, read_timeout, write_timeout,
                                                connect_timeout, pool_timeout)
        if self._slots is None:
            raise RuntimeError("This LeanRequest is not initialized!")
        d_read, d_write, d_connect, d_pool = self._timeouts
        read_timeout = d_read if isinstance(read_timeout, DefaultValue) else read_timeout
        write_timeout = d_write if isinstance(write_timeout, DefaultValue) else write_timeout
        connect_timeout = d_connect if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool_timeout = d_pool if isinstance(pool_timeout, DefaultValue) else pool_timeout

        origin, line = _target(url)
        body = urlencode(request_data.json_parameters).encode() if request_data is not None else b""
        head = b"".join((method.encode("ascii"), b" ", line, self._headers,
                         b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ",
                         str(len(body)).encode("ascii"), b"\r\n\r\n"))

        slots = self._slots
        if slots.locked():
            try:
                await asyncio.wait_for(slots.acquire(), pool_timeout)
            except TimeoutError:
                raise TimedOut("Pool timeout: All connections in the connection pool are occupied. Request was "
                               "*not* sent to Telegram. Consider adjusting the connection pool size or the pool "
                               "timeout.") from None
        else:
            await slots.acquire()
        conn = None
        try:
            conn = self._checkout(origin)
            if conn is None:
                conn = await self._connect(origin, connect_timeout)
            exchange_timeout = None if read_timeout is None else read_timeout + (write_timeout or 0.0)
            async with asyncio.timeout(exchange_timeout):
                conn.writer.write(head + body)  # a few KB at most: the socket buffer takes it, no drain needed
                status, payload, keep = await _read_response(conn.reader)
            if keep:
                conn.expires = time.monotonic() + KEEPALIVE
                self._idle.setdefault(origin, []).append(conn)
            else:
                conn.close()
            conn = None
            return status, payload
        except TimeoutError as err:
            raise TimedOut from err
        except (OSError, EOFError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as err:
            raise NetworkError(f"http.{err.__class__.__name__}: {err}") from err
        finally:
            if conn is not None:  # failed or cancelled mid-exchange: its state is unknown, never reuse it
                conn.close()
            slots.release()

    def _checkout(self, origin) -> _Conn | None:
        conns = self._idle.get(origin)
        now = time.monotonic()
        while conns:
            conn = conns.pop()
            if conn.usable(now):
                return conn
            conn.close()
        return None

    async def _connect(self, origin, timeout: float | None) -> _Conn:
        scheme, host, port = origin
        tls = None
        if scheme == "https":
            if self._ssl is None:
                import certifi

                self._ssl = ssl.create_default_context(cafile=certifi.where())
            tls = self._ssl
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, ssl=tls, server_hostname=host if tls else None), timeout)
        return _Conn(reader, writer)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, keep the connection) for one HTTP/1.1 response."""
    raw = await reader.readuntil(b"\r\n\r\n")
    lines = raw.decode("latin-1").split("\r\n")
    version, status = lines[0].split(" ", 2)[:2]
    length = None
    chunked = False
    keep = version == "HTTP/1.1"
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding":
            chunked = "chunked" in value.lower()
        elif name == "connection":
            value = value.strip().lower()
            keep = value == "keep-alive" or (keep and value != "close")
    if chunked:
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                    pass
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(parts)
    elif length is not None:
        body = await reader.readexactly(length)
    else:  # no length: the body runs to the end of the connection
        body = await reader.read()
        keep = False
    return int(status), body, keep

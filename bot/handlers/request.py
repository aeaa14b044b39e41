"""The Bot API client: python-telegram-bot's BaseRequest over aiohttp.

PTB's default HTTPXRequest spent ~0.4 ms of CPU per call in httpx and httpcore, about a third of the
bot's CPU per update in bench/bot.py. aiohttp parses HTTP in C and keeps a plain connection pool, and PTB
documents custom BaseRequest implementations as supported, so this module only translates: PTB's
timeouts into aiohttp's, aiohttp's errors into PTB's (as HTTPXRequest does), RequestData into a form or
multipart body. Connections, keep-alive, response framing, TLS and proxies are aiohttp's job.

A request is never retried here: a POST that may have reached Telegram must not be sent twice (aiohttp
itself only retries idempotent methods on a dropped keep-alive connection; the Bot API is called by POST).
"""

from __future__ import annotations

import asyncio
import ssl
from urllib.parse import urlencode

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

POOL_TIMEOUT = ("Pool timeout: All connections in the connection pool are occupied. Request was *not* sent to "
                "Telegram. Consider adjusting the connection pool size or the pool timeout.")


class AiohttpRequest(BaseRequest):
    """At most `pool_size` requests at once over one aiohttp ClientSession; timeouts as in HTTPXRequest.

    `proxy`: an http(s) proxy URL for every request (aiohttp has no SOCKS without aiohttp-socks).
    """

    def __init__(self, pool_size: int = 16, read_timeout: float | None = 5.0, write_timeout: float | None = 5.0,
                 connect_timeout: float | None = 5.0, pool_timeout: float | None = 1.0,
                 media_write_timeout: float | None = 20.0, proxy: str | None = None):
        self._pool_size = pool_size
        self._timeouts = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        self._media_write_timeout = media_write_timeout
        self._proxy = proxy
        self._session: aiohttp.ClientSession | None = None
        # aiohttp's connector limit alone cannot tell a pool wait from a slow connect (its `connect`
        # timeout covers both); this semaphore makes the pool timeout PTB's own "Pool timeout" error
        self._slots: asyncio.Semaphore | None = None
        self._headers = {"User-Agent": self.USER_AGENT}

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts[0]

    async def initialize(self) -> None:
        if self._session is not None and not self._session.closed:
            return
        import certifi  # the CAs httpx (and so PTB by default) trusts, whatever the host system has

        tls = ssl.create_default_context(cafile=certifi.where())
        self._slots = asyncio.Semaphore(self._pool_size)
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._pool_size, ssl=tls),
            cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets none; skip the per-response cookie work
            proxy=self._proxy,
        )

    async def shutdown(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=BaseRequest.DEFAULT_NONE, write_timeout=BaseRequest.DEFAULT_NONE,
                         connect_timeout=BaseRequest.DEFAULT_NONE, pool_timeout=BaseRequest.DEFAULT_NONE,
                         ) -> tuple[int, bytes]:
        session, slots = self._session, self._slots
        if session is None or slots is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        d_read, d_write, d_connect, d_pool = self._timeouts
        read_timeout = d_read if isinstance(read_timeout, DefaultValue) else read_timeout
        if isinstance(write_timeout, DefaultValue):
            write_timeout = self._media_write_timeout if files else d_write
        connect_timeout = d_connect if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool_timeout = d_pool if isinstance(pool_timeout, DefaultValue) else pool_timeout

        # aiohttp has no write timeout: sending and answering together get write + read (connect apart),
        # and read_timeout also bounds each wait for the next piece of the answer, as httpx's does
        exchange = None if read_timeout is None or write_timeout is None else read_timeout + write_timeout
        timeout = aiohttp.ClientTimeout(
            total=None if exchange is None or connect_timeout is None else exchange + connect_timeout,
            connect=connect_timeout, sock_read=read_timeout)
        body, headers = _body(request_data, files)
        if headers:
            headers.update(self._headers)

        try:
            async with asyncio.timeout(pool_timeout):
                await slots.acquire()
        except TimeoutError:
            raise TimedOut(POOL_TIMEOUT) from None
        try:
            async with session.request(method, url, data=body, headers=headers or self._headers,
                                       timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as err:  # aiohttp's ServerTimeoutError and ConnectionTimeoutError are TimeoutErrors
            raise TimedOut from err
        except (aiohttp.ClientError, OSError) as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
        finally:
            slots.release()


def _body(request_data: RequestData | None, files: bool) -> tuple[bytes | aiohttp.FormData | None, dict]:
    """The request body, and headers to add (a Content-Type aiohttp does not set itself)."""
    if request_data is None:
        return None, {}
    if not files:
        return (urlencode(request_data.json_parameters).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"})
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form, {}

"""bot/handlers/http.py: the Bot API client keeps connections, reads every response framing, and fails
the way python-telegram-bot expects (TimedOut, NetworkError) without ever sending a request twice."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

import pytest
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.handlers.http import LeanRequest


class Server:
    """A tiny HTTP/1.1 server: answers each request with the next scripted response (bytes or a coroutine)."""

    def __init__(self, responses):
        self.responses = list(responses)
        self.requests: list[tuple[str, dict, bytes]] = []
        self.connections = 0

    async def __aenter__(self):
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/bot123:abc"
        return self

    async def __aexit__(self, *exc):
        self.server.close()

    async def _serve(self, reader, writer):
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
                body = await reader.readexactly(int(headers.get("content-length", 0)))
                self.requests.append((lines[0], headers, body))
                answer = self.responses.pop(0)
                if callable(answer):
                    answer = await answer()
                if answer is None:  # hang up without answering
                    writer.close()
                    return
                writer.write(answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def ok(payload: bytes = b'{"ok":true,"result":true}', extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(payload), extra, payload)


def data(**params) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])


async def test_posts_form_fields_and_reuses_the_connection():
    async with Server([ok(), ok(b'{"ok":true,"result":2}')]) as srv:
        req = LeanRequest(pool_size=2)
        await req.initialize()
        assert await req.do_request(srv.url + "/sendMessage", "POST", data(chat_id=5, text="Привет & bye")) \
            == (200, b'{"ok":true,"result":true}')
        assert await req.do_request(srv.url + "/getMe", "POST") == (200, b'{"ok":true,"result":2}')
        await req.shutdown()
    line, headers, body = srv.requests[0]
    assert line == "POST /bot123:abc/sendMessage HTTP/1.1"
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(body.decode()) == {"chat_id": ["5"], "text": ["Привет & bye"]}
    assert srv.connections == 1


async def test_chunked_and_connection_close_responses():
    chunked = b"HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"ok\"\r\n8\r\n:false}\n\r\n0\r\n\r\n"
    async with Server([chunked, ok(extra=b"Connection: close\r\n"), ok()]) as srv:
        req = LeanRequest()
        await req.initialize()
        assert await req.do_request(srv.url + "/x", "POST") == (400, b'{"ok":false}\n')
        assert (await req.do_request(srv.url + "/x", "POST"))[0] == 200
        assert (await req.do_request(srv.url + "/x", "POST"))[0] == 200  # on a new connection
        await req.shutdown()
    assert srv.connections == 2


async def test_a_hangup_is_a_network_error_and_is_not_retried():
    async with Server([None, ok()]) as srv:
        req = LeanRequest()
        await req.initialize()
        with pytest.raises(NetworkError):
            await req.do_request(srv.url + "/sendMessage", "POST", data(chat_id=1, text="hi"))
        assert len(srv.requests) == 1
        assert (await req.do_request(srv.url + "/x", "POST"))[0] == 200
        await req.shutdown()


async def test_slow_answer_times_out_and_a_full_pool_waits_then_times_out():
    async def slow():
        await asyncio.sleep(1)
        return ok()

    async with Server([slow, slow]) as srv:
        req = LeanRequest(pool_size=1, read_timeout=0.2, write_timeout=0.0, pool_timeout=0.1)
        await req.initialize()
        first = asyncio.create_task(req.do_request(srv.url + "/x", "POST"))
        await asyncio.sleep(0.05)
        with pytest.raises(TimedOut, match="Pool timeout"):
            await req.do_request(srv.url + "/y", "POST")
        with pytest.raises(TimedOut):
            await first
        await req.shutdown()


async def test_server_closing_an_idle_connection_is_noticed_before_reuse():
    async with Server([ok(), ok()]) as srv:
        req = LeanRequest()
        await req.initialize()
        await req.do_request(srv.url + "/x", "POST")
        for conns in req._idle.values():  # the server hangs up while the connection is idle
            for conn in conns:
                conn.writer.transport.abort()
        await asyncio.sleep(0.01)
        assert (await req.do_request(srv.url + "/x", "POST"))[0] == 200
        await req.shutdown()


async def test_uploads_go_through_httpx(monkeypatch):
    req = LeanRequest()
    calls = []

    async def fake(*args):
        calls.append(args)
        return 200, b"{}"

    monkeypatch.setattr(req._files, "do_request", fake)
    await req.initialize()
    upload = data(chat_id=1, document=InputFile(b"hello", filename="a.txt", attach=False))
    assert await req.do_request("http://127.0.0.1:1/bot1/sendDocument", "POST", upload) == (200, b"{}")
    assert len(calls) == 1
    await req.shutdown()

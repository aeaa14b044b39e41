"""bot/handlers/request.py: the Bot API client keeps connections, stays within its pool, uploads files, checks
TLS certificates, and fails the way python-telegram-bot expects (TimedOut, NetworkError) without ever
sending a request twice."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qs

import certifi
import pytest
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.handlers.request import AiohttpRequest

CLOSE = object()  # in a script: answer, then hang up the (otherwise kept-alive) connection


class Server:
    """A tiny HTTP/1.1 server: answers each request with the next scripted response (bytes or a coroutine)."""

    def __init__(self, responses, tls: ssl.SSLContext | None = None):
        self.responses = list(responses)
        self.requests: list[tuple[str, dict, bytes]] = []
        self.connections = 0
        self.open = self.most_open = 0
        self.tls = tls

    async def __aenter__(self):
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls)
        scheme = "https" if self.tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/bot123:abc"
        return self

    async def __aexit__(self, *exc):
        self.server.close()

    async def _serve(self, reader, writer):
        self.connections += 1
        self.open += 1
        self.most_open = max(self.most_open, self.open)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
                body = await reader.readexactly(int(headers.get("content-length", 0)))
                self.requests.append((lines[0], headers, body))
                answer = self.responses.pop(0)
                close = isinstance(answer, tuple) and answer[1] is CLOSE
                if close:
                    answer = answer[0]
                if callable(answer):
                    answer = await answer()
                if answer is None:  # hang up without answering
                    return
                writer.write(answer)
                await writer.drain()
                if close:
                    return
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            self.open -= 1
            writer.close()


def ok(payload: bytes = b'{"ok":true,"result":true}', extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(payload), extra, payload)


def data(**params) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])


@pytest.fixture
async def client():
    made = []

    async def make(**kwargs) -> AiohttpRequest:
        req = AiohttpRequest(**kwargs)
        await req.initialize()
        made.append(req)
        return req

    yield make
    for req in made:
        await req.shutdown()


async def test_posts_form_fields_and_reuses_the_connection(client):
    async with Server([ok(), ok(b'{"ok":true,"result":2}')]) as srv:
        req = await client(pool_size=2)
        assert await req.do_request(srv.url + "/sendMessage", "POST", data(chat_id=5, text="Привет & bye")) \
            == (200, b'{"ok":true,"result":true}')
        assert await req.do_request(srv.url + "/getMe", "POST") == (200, b'{"ok":true,"result":2}')
    line, headers, body = srv.requests[0]
    assert line == "POST /bot123:abc/sendMessage HTTP/1.1"
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    assert headers["user-agent"] == AiohttpRequest.USER_AGENT
    assert parse_qs(body.decode()) == {"chat_id": ["5"], "text": ["Привет & bye"]}
    assert srv.connections == 1


async def test_chunked_and_connection_close_responses(client):
    chunked = b"HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"ok\"\r\n8\r\n:false}\n\r\n0\r\n\r\n"
    async with Server([chunked, ok(extra=b"Connection: close\r\n"), ok()]) as srv:
        req = await client()
        assert await req.do_request(srv.url + "/x", "POST") == (400, b'{"ok":false}\n')
        assert (await req.do_request(srv.url + "/x", "POST"))[0] == 200
        assert (await req.do_request(srv.url + "/x", "POST"))[0] == 200  # on a new connection
    assert srv.connections == 2


async def test_a_hangup_is_a_network_error_and_is_not_retried(client):
    async with Server([ok(), None, ok()]) as srv:
        req = await client()
        await req.do_request(srv.url + "/getMe", "POST")  # so the hangup hits a kept-alive connection
        with pytest.raises(NetworkError):
            await req.do_request(srv.url + "/sendMessage", "POST", data(chat_id=1, text="hi"))
        assert len(srv.requests) == 2
        assert (await req.do_request(srv.url + "/x", "POST"))[0] == 200


async def test_a_refused_connection_is_a_network_error(client, unused_tcp_port):
    req = await client(connect_timeout=1.0)
    with pytest.raises(NetworkError):
        await req.do_request(f"http://127.0.0.1:{unused_tcp_port}/bot1/getMe", "POST")


async def test_slow_answer_times_out_and_a_full_pool_waits_then_times_out(client):
    async def slow():
        await asyncio.sleep(1)
        return ok()

    async with Server([slow, slow]) as srv:
        req = await client(pool_size=1, read_timeout=0.2, write_timeout=0.0, pool_timeout=0.1)
        first = asyncio.create_task(req.do_request(srv.url + "/x", "POST"))
        await asyncio.sleep(0.05)
        with pytest.raises(TimedOut, match="Pool timeout"):
            await req.do_request(srv.url + "/y", "POST")
        with pytest.raises(TimedOut):
            await first
        assert len(srv.requests) == 1  # the pool-timed-out request was never sent


async def test_never_more_connections_than_the_pool_size(client):
    async def slow():
        await asyncio.sleep(0.1)
        return ok()

    async with Server([slow] * 6) as srv:
        req = await client(pool_size=2, pool_timeout=5.0)
        answers = await asyncio.gather(*(req.do_request(srv.url + "/x", "POST") for _ in range(6)))
    assert [status for status, _ in answers] == [200] * 6
    assert srv.most_open == 2


async def test_server_closing_an_idle_connection_is_noticed_before_reuse(client):
    async with Server([(ok(), CLOSE), ok()]) as srv:
        req = await client()
        await req.do_request(srv.url + "/x", "POST")
        await asyncio.sleep(0.05)  # the server hangs up while the connection is idle
        assert (await req.do_request(srv.url + "/x", "POST"))[0] == 200
    assert srv.connections == 2


async def test_uploads_a_file_as_multipart(client):
    async with Server([ok()]) as srv:
        req = await client()
        upload = data(chat_id=1, caption="über", document=InputFile(b"hello\x00", filename="a.txt", attach=True))
        assert (await req.do_request(srv.url + "/sendDocument", "POST", upload))[0] == 200
    _, headers, body = srv.requests[0]
    assert headers["content-type"].startswith("multipart/form-data")
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {headers['content-type']}\r\n\r\n".encode() + body)
    parts = {part.get_param("name", header="content-disposition"): part for part in message.iter_parts()}
    assert parts["chat_id"].get_content() == "1"
    assert parts["caption"].get_content() == "über"
    assert parts["document"].get_content() == "attach://" + next(k for k in parts if k not in
                                                                 ("chat_id", "caption", "document"))
    file_part = next(p for k, p in parts.items() if k not in ("chat_id", "caption", "document"))
    assert file_part.get_filename() == "a.txt"
    assert file_part.get_payload(decode=True) == b"hello\x00"


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    return cert, server


async def test_tls_refuses_an_untrusted_certificate(client, self_signed):
    _, server = self_signed
    async with Server([ok()], tls=server) as srv:
        req = await client()
        with pytest.raises(NetworkError):
            await req.do_request(srv.url + "/getMe", "POST")
    assert srv.requests == []


async def test_tls_with_a_trusted_certificate(client, self_signed, monkeypatch):
    cert, server = self_signed
    monkeypatch.setattr(certifi, "where", lambda: str(cert))  # the client trusts certifi's CAs only
    async with Server([ok(), ok()], tls=server) as srv:
        req = await client()
        assert (await req.do_request(srv.url + "/getMe", "POST"))[0] == 200
        assert (await req.do_request(srv.url + "/getMe", "POST"))[0] == 200
    assert srv.connections == 1


async def test_unused_or_shut_down_client_says_so(client):
    req = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await req.do_request("http://127.0.0.1:1/bot1/getMe", "POST")
    req = await client()
    await req.shutdown()
    with pytest.raises(RuntimeError, match="not initialized"):
        await req.do_request("http://127.0.0.1:1/bot1/getMe", "POST")

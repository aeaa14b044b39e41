"""`talentbot run` as an operator meets it: clear failures for a missing or refused token, and a
webhook that checks Telegram's secret header, answers at once and never handles an update twice."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path

import httpx
import pytest

from fakes.botapi import FakeBotAPI

ROOT = Path(__file__).resolve().parents[1]


def _env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "HOTLINE_", "STAFF_"))}
    env.pop("PORT", None)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'run.sqlite3'}"
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


async def _talentbot(env, *args, cwd=None):
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, "run", env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_missing_token_exits_2_with_a_clear_message(tmp_path):
    proc = await _talentbot(_env(tmp_path), cwd=tmp_path)
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 2
    assert b"TELEGRAM_BOT_TOKEN is not set" in err and b"Traceback" not in err


async def test_token_from_env_file(tmp_path):
    async with FakeBotAPI() as server:
        env_file = tmp_path / "bot.env"
        env_file.write_text(f"TELEGRAM_BOT_TOKEN=999:refused\nTELEGRAM_API_BASE_URL={server.base_url}\n")
        proc = await _talentbot(_env(tmp_path), "--env-file", str(env_file), cwd=tmp_path)
        _out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 3, err


async def test_refused_token_exits_3_with_a_clear_message(tmp_path):
    async with FakeBotAPI() as server:
        env = _env(tmp_path, TELEGRAM_BOT_TOKEN="999:refused", TELEGRAM_API_BASE_URL=server.base_url)
        proc = await _talentbot(env, cwd=tmp_path)
        _out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 3
    assert b"refused the bot token" in err and b"Traceback" not in err
    assert b"999:refused" not in err  # the token never lands in a log


async def _stop(proc) -> bytes:
    if proc.returncode is None:
        proc.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(proc.wait(), 15)
        except asyncio.TimeoutError:
            proc.kill()
    return await proc.stderr.read()


async def test_polling_mode_answers_and_publishes_commands(tmp_path):
    async with FakeBotAPI() as server:
        env = _env(tmp_path, TELEGRAM_BOT_TOKEN=server.token, TELEGRAM_API_BASE_URL=server.base_url)
        proc = await _talentbot(env, cwd=tmp_path)
        try:
            server.send_command(server.user(42, lang="en"), "start")
            await server.wait_for_message(42, lambda c: "Welcome" in c.text, timeout=30)
        finally:
            err = await _stop(proc)
        langs = {c.params.get("language_code") for c in server.calls_to("setMyCommands")}
        assert langs == {None, "zh", "ru"}
        english = next(c for c in server.calls_to("setMyCommands") if "language_code" not in c.params)
        assert [c["command"] for c in english.params["commands"]][:3] == ["start", "help", "ask"]
        assert server.token.encode() not in err


async def test_webhook_checks_the_secret_and_handles_a_redelivery_once(tmp_path):
    async with FakeBotAPI() as server:
        port = _free_port()
        env = _env(tmp_path, TELEGRAM_BOT_TOKEN=server.token, TELEGRAM_API_BASE_URL=server.base_url,
                   WEBHOOK_URL=f"http://127.0.0.1:{port}/tg/hook", WEBHOOK_SECRET="s3cret-token", PORT=str(port))
        proc = await _talentbot(env, cwd=tmp_path)
        try:
            hook = await server.wait_for_call("setWebhook", timeout=30)
            assert hook.params["secret_token"] == "s3cret-token"
            assert hook.params["url"] == f"http://127.0.0.1:{port}/tg/hook"
            update = {"update_id": 777, "message": server.message(server.user(43), "/start")}
            update["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": 6}]
            url = f"http://127.0.0.1:{port}/tg/hook"
            async with httpx.AsyncClient() as client:
                for _ in range(50):  # the webhook server starts right after setWebhook
                    try:
                        bad = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
                        break
                    except httpx.ConnectError:
                        await asyncio.sleep(0.1)
                assert bad.status_code == 403
                missing = await client.post(url, json=update)
                assert missing.status_code == 403
                await asyncio.sleep(0.3)
                assert not server.messages(43)
                good = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
                first = await client.post(url, content=json.dumps(update), headers={**good, "Content-Type": "application/json"})
                assert first.status_code == 200
                await server.wait_for_message(43, lambda c: "Welcome" in c.text, timeout=15)
                again = await client.post(url, content=json.dumps(update), headers={**good, "Content-Type": "application/json"})
                assert again.status_code == 200  # Telegram must not keep retrying it
                await asyncio.sleep(0.5)
                assert len(server.messages(43)) == 1
        finally:
            await _stop(proc)

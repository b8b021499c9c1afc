"""The WeChat front door: ``GET /wechat`` (URL verification) and ``POST /wechat`` (every message).

Order of checks for a callback: body size (413), signature in constant time and the replay window
(403), DOCTYPE/ENTITY refusal and well-formed XML (400), safe-mode signature and decryption. Then the
message is claimed exactly once across processes, handled within the time budget, and answered;
a handler that runs longer is answered ``success`` and its reply goes out through the
customer-service API when ready. Nothing here ever answers WeChat with a 500 or a traceback.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse, Response

from bot.config import Settings
from bot.conversation.messages import Inbound, Outbound
from bot.wechat.claims import ClaimRegistry
from bot.wechat.protocol import Codec, ProtocolError, check_signature, check_timestamp

log = logging.getLogger(__name__)

APOLOGY = "抱歉，系统刚才开了个小差，请稍后再发一次。"
Sender = Callable[[str, list[Outbound]], None]


class BodyTooLarge(Exception):
    pass


class Channel:
    def __init__(self, settings: Settings, handle: Callable[[Inbound], list[Outbound]], claims: ClaimRegistry,
                 send: Sender | None, executor: ThreadPoolExecutor) -> None:
        self.settings = settings
        self.handle = handle
        self.claims = claims
        self.send = send
        self.executor = executor
        self.codec = Codec(settings.wechat_token, settings.wechat_aes_key, settings.appid)

    # --- HTTP --------------------------------------------------------------------------------
    def verify(self, params: dict[str, str]) -> Response:
        try:
            check_signature(self.settings.wechat_token, params.get("signature"), params.get("timestamp"),
                            params.get("nonce"))
            check_timestamp(params.get("timestamp", ""), self.settings.wechat_max_skew_s)
        except ProtocolError as e:
            return PlainTextResponse(e.reason, status_code=e.status)
        return PlainTextResponse(params.get("echostr", ""))

    async def receive(self, request: Request) -> Response:
        params = dict(request.query_params)
        try:
            body = await self._read_body(request)
            check_signature(self.settings.wechat_token, params.get("signature"), params.get("timestamp"),
                            params.get("nonce"))
            check_timestamp(params.get("timestamp", ""), self.settings.wechat_max_skew_s)
            decoded = self.codec.decode(body, params)
        except BodyTooLarge:
            return PlainTextResponse("request body too large", status_code=413)
        except ProtocolError as e:
            log.info("refused callback: %s", e.reason)
            return PlainTextResponse(e.reason, status_code=e.status)
        inbound = decoded.inbound
        try:
            replies = await self._process(inbound)
            reply = replies[0] if replies else None
            xml = self.codec.encode(reply, inbound, decoded.encrypted, params.get("nonce", ""))
        except Exception:
            log.exception("failed to answer a callback from %s", inbound.openid[:6] + "…")
            return PlainTextResponse("success")
        if xml == "success":
            return PlainTextResponse("success")
        return Response(xml, media_type="application/xml")

    async def _read_body(self, request: Request) -> bytes:
        limit = self.settings.max_body_bytes
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise BodyTooLarge
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge
            chunks.append(chunk)
        return b"".join(chunks)

    # --- exactly once, within the budget -------------------------------------------------------
    async def _process(self, inbound: Inbound) -> list[Outbound]:
        loop = asyncio.get_running_loop()
        key = inbound.dedup_key
        budget = self.settings.reply_budget_s
        first = await loop.run_in_executor(self.executor, self.claims.claim, key)
        if not first:
            claim = await loop.run_in_executor(self.executor, self.claims.wait, key, budget)
            if claim is None or claim.status != "done":
                return []  # the first copy is still at work or went out by the customer-service API
            return claim.replies
        future = self.executor.submit(self._run, inbound)
        try:
            replies = await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), timeout=budget)
        except TimeoutError:
            # Mark the claim before anyone can read a reply from it: copies now answer "success",
            # and the reply goes out once, by the customer-service API.
            await loop.run_in_executor(self.executor, self.claims.finish, key, [], "deferred")
            future.add_done_callback(lambda f: self._deliver_late(inbound, f))
            return []
        await loop.run_in_executor(self.executor, self.claims.finish, key, replies)
        if len(replies) > 1:
            self._send_later(inbound.openid, replies[1:])
        return replies

    def _run(self, inbound: Inbound) -> list[Outbound]:
        try:
            replies = self.handle(inbound)
        except Exception:
            log.exception("handler failed for a %s message", inbound.kind)
            replies = [Outbound.of(APOLOGY)]
        return replies

    def _deliver_late(self, inbound: Inbound, future: Future[list[Outbound]]) -> None:
        replies = future.result()
        # Kept for the record; a "deferred" claim is never answered passively.
        self.claims.finish(inbound.dedup_key, replies, status="deferred")
        self._send_later(inbound.openid, replies)

    def _send_later(self, openid: str, replies: list[Outbound]) -> None:
        if not replies or self.send is None:
            return
        send = self.send

        def deliver() -> None:
            try:
                send(openid, replies)
            except Exception:
                log.exception("could not deliver a reply through the customer-service API")

        self.executor.submit(deliver)


def get_channel(request: Request) -> Channel:
    return request.app.state.channel


ChannelDep = Annotated[Channel, Depends(get_channel)]
router = APIRouter(tags=["wechat"])


@router.get("/wechat", response_class=PlainTextResponse)
async def wechat_verify(request: Request, channel: ChannelDep) -> Response:
    return channel.verify(dict(request.query_params))


@router.post("/wechat")
async def wechat_receive(request: Request, channel: ChannelDep) -> Response:
    return await channel.receive(request)

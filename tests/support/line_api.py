"""A local stand-in of the LINE Messaging API that checks every request the bot sends.

Real HTTP on a free loopback port. Each request is recorded, checked against LINE's OpenAPI spec
and documented limits (`openapi_check.LineSpec`), and answered the way LINE answers:

- `POST /v2/bot/message/reply`: the reply token must have been issued by the test
  (`issue_reply_token(user_id)`), unused and unexpired (default 60 s: "must be used within one
  minute", https://developers.line.biz/en/reference/messaging-api/#send-reply-message), else
  400 `{"message": "Invalid reply token"}`.
- `POST /v2/bot/message/push`: an `X-Line-Retry-Key` already accepted answers 409 with
  `x-line-accepted-request-id` and the first `sentMessages`, and delivers nothing again
  (https://developers.line.biz/en/reference/messaging-api/#retry-api-request).
- Both answer 200 `{"sentMessages": [{"id", "quoteToken"} per message]}` (line-bot-sdk checks it).
- `POST /v2/bot/chat/loading/start` answers 202 `{}`; `GET /v2/bot/profile/{userId}` a profile.
- A request that breaks the spec answers 400 (401 for a wrong token) in LINE's error shape, and
  anything else answers 404; all of these are `violations`, and the `line_api` fixture fails the
  test at teardown if there are any, so a test that forgets to look still fails.

Reply-token refusals and injected faults (`fail_next`) are LINE behaviour, not violations.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pytest
import pytest_asyncio
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

from .openapi_check import LineSpec, Problem

DEFAULT_ACCESS_TOKEN = "tsunagari-test-channel-access-token"
TEST_USER_ID = "U0123456789abcdef0123456789abcdef"
REPLY_TOKEN_TTL_SECONDS = 60.0

# LINE's own error messages, where known (quoted in the docs cited above and in the SDKs' tests).
INVALID_REPLY_TOKEN = "Invalid reply token"
RETRY_KEY_ACCEPTED = "The retry key is already accepted"
AUTHENTICATION_FAILED = (
    "Authentication failed. Confirm that the access token in the authorization header is valid."
)
FAULT_MESSAGES = {
    429: "The API rate limit has been exceeded. Try again later.",
    500: "Internal server error",
}


@dataclass
class RecordedRequest:
    """One request as the stand-in received it, and the status it answered."""

    method: str
    path: str
    headers: CIMultiDictProxy[str]
    body: Any  # the parsed JSON, or None when there was no (valid) JSON body
    status: int = 0


class Sent(NamedTuple):
    """One message LINE would have shown: to whom, what, and through which endpoint."""

    to: str  # the push target, or the user the reply token was issued for
    message: dict[str, Any]
    via: str  # "reply" or "push"


@dataclass(frozen=True)
class Violation:
    request_index: int
    method: str
    path: str
    problem: Problem

    def __str__(self) -> str:
        return f"request #{self.request_index} {self.method} {self.path}: {self.problem}"


@dataclass
class _ReplyToken:
    user_id: str
    expires_at: float
    used: bool = False


@dataclass
class _Fault:
    status: int
    remaining: int
    path: str | None
    after_delivery: bool


@dataclass
class _Accepted:
    request_id: str
    sent_messages: list[dict[str, str]]


Handler = Callable[[RecordedRequest], Awaitable[web.Response]]


@dataclass
class LineApiStandIn:
    """The LINE Messaging API on 127.0.0.1, for tests and benchmarks (`async with`)."""

    access_token: str = DEFAULT_ACCESS_TOKEN
    reply_token_ttl: float = REPLY_TOKEN_TTL_SECONDS
    spec: LineSpec = field(default_factory=LineSpec.load)

    requests: list[RecordedRequest] = field(default_factory=list, init=False)
    sent: list[Sent] = field(default_factory=list, init=False)
    violations: list[Violation] = field(default_factory=list, init=False)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict, init=False)

    _reply_tokens: dict[str, _ReplyToken] = field(default_factory=dict, init=False)
    _accepted_retry_keys: dict[str, _Accepted] = field(default_factory=dict, init=False)
    _faults: list[_Fault] = field(default_factory=list, init=False)
    _message_ids: itertools.count[int] = field(
        default_factory=lambda: itertools.count(461230966842064897), init=False
    )
    _runner: web.AppRunner | None = field(default=None, init=False)
    _port: int = field(default=0, init=False)

    # --- life cycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LineApiStandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def endpoint(self) -> str:
        """The base URL for the bot's `LINE_API_ENDPOINT` (no trailing slash)."""
        if not self._port:
            raise RuntimeError("the LINE stand-in is not started")
        return f"http://127.0.0.1:{self._port}"

    # --- what a test sets up ------------------------------------------------------------------

    def issue_reply_token(self, user_id: str = TEST_USER_ID, ttl: float | None = None) -> str:
        """A fresh single-use reply token for `user_id`, as a webhook event would carry it."""
        token = uuid.uuid4().hex
        lifetime = self.reply_token_ttl if ttl is None else ttl
        self._reply_tokens[token] = _ReplyToken(user_id, time.monotonic() + lifetime)
        return token

    def fail_next(
        self,
        status: int,
        count: int = 1,
        *,
        path: str | None = None,
        after_delivery: bool = False,
    ) -> None:
        """Answer the next `count` requests (to `path`, if given) with `status` (500, 429, ...).

        `after_delivery=True` delivers first and then fails, like a push whose answer was lost:
        the retry key is then accepted, so a retry with the same key gets 409.
        """
        self._faults.append(_Fault(status, count, path, after_delivery))

    # --- what a test reads --------------------------------------------------------------------

    def messages_to(self, user_id: str) -> list[dict[str, Any]]:
        """Messages delivered to `user_id`, by reply or push, in delivery order."""
        return [sent.message for sent in self.sent if sent.to == user_id]

    def texts_to(self, user_id: str) -> list[str]:
        """The `text` of each text message delivered to `user_id`."""
        return [m["text"] for m in self.messages_to(user_id) if m.get("type") == "text"]

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.path == path]

    def assert_no_violations(self) -> None:
        if self.violations:
            listing = "\n".join(f"  {violation}" for violation in self.violations)
            pytest.fail(
                f"{len(self.violations)} LINE API violation(s) (LINE would refuse these):\n"
                f"{listing}",
                pytrace=False,
            )

    # --- serving ------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        body: Any = None
        json_problem: Problem | None = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                json_problem = Problem("$", "the request body is not valid JSON")
        record = RecordedRequest(
            request.method, request.path, CIMultiDictProxy(CIMultiDict(request.headers)), body
        )
        index = len(self.requests)
        self.requests.append(record)
        response = await self._answer(index, record, json_problem)
        response.headers.setdefault("x-line-request-id", str(uuid.uuid4()))
        record.status = response.status
        return response

    async def _answer(
        self, index: int, record: RecordedRequest, json_problem: Problem | None
    ) -> web.Response:
        operation = self.spec.operation(record.method, record.path)
        handler = self._handlers().get(operation.operation_id) if operation else None
        if handler is None:
            self._violate(index, record, Problem(f"{record.method} {record.path}", "not served"))
            return _error(404, "Not found")

        problems = self.spec.check_request(
            record.method, record.path, record.headers, record.body, access_token=self.access_token
        )
        if json_problem:
            problems.insert(0, json_problem)
        for problem in problems:
            self._violate(index, record, problem)

        fault = self._take_fault(record.path)
        if fault and not fault.after_delivery:
            return _error(fault.status, FAULT_MESSAGES.get(fault.status, "Injected fault"))
        if problems:
            return _refusal(problems)
        response = await handler(record)
        if fault:
            return _error(fault.status, FAULT_MESSAGES.get(fault.status, "Injected fault"))
        return response

    def _handlers(self) -> dict[str, Handler]:
        return {
            "replyMessage": self._reply,
            "pushMessage": self._push,
            "showLoadingAnimation": self._loading,
            "getProfile": self._profile,
        }

    def _violate(self, index: int, record: RecordedRequest, problem: Problem) -> None:
        self.violations.append(Violation(index, record.method, record.path, problem))

    def _take_fault(self, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.path in (None, path):
                fault.remaining -= 1
                return fault
        return None

    def _deliver(self, to: str, messages: list[dict[str, Any]], via: str) -> list[dict[str, str]]:
        sent_messages = []
        for message in messages:
            self.sent.append(Sent(to, message, via))
            sent_messages.append(
                {"id": str(next(self._message_ids)), "quoteToken": uuid.uuid4().hex}
            )
        return sent_messages

    async def _reply(self, record: RecordedRequest) -> web.Response:
        token = self._reply_tokens.get(record.body["replyToken"])
        if token is None or token.used or time.monotonic() >= token.expires_at:
            return _error(400, INVALID_REPLY_TOKEN)
        token.used = True
        sent_messages = self._deliver(token.user_id, record.body["messages"], "reply")
        return web.json_response({"sentMessages": sent_messages})

    async def _push(self, record: RecordedRequest) -> web.Response:
        retry_key = record.headers.get("X-Line-Retry-Key")
        accepted = self._accepted_retry_keys.get(retry_key) if retry_key else None
        if accepted is not None:
            return web.json_response(
                {"message": RETRY_KEY_ACCEPTED, "sentMessages": accepted.sent_messages},
                status=409,
                headers={"x-line-accepted-request-id": accepted.request_id},
            )
        sent_messages = self._deliver(record.body["to"], record.body["messages"], "push")
        request_id = str(uuid.uuid4())
        if retry_key:
            self._accepted_retry_keys[retry_key] = _Accepted(request_id, sent_messages)
        return web.json_response(
            {"sentMessages": sent_messages}, headers={"x-line-request-id": request_id}
        )

    async def _loading(self, record: RecordedRequest) -> web.Response:
        return web.json_response({}, status=202)

    async def _profile(self, record: RecordedRequest) -> web.Response:
        user_id = record.path.rsplit("/", 1)[-1]
        profile = self.profiles.get(user_id) or {
            "displayName": "テスト利用者",
            "userId": user_id,
            "language": "ja",
        }
        return web.json_response(profile)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"message": message}, status=status)


def _refusal(problems: list[Problem]) -> web.Response:
    """LINE's error shape: 401 for the token, else 400 with one detail per problem."""
    if any(problem.where == "header Authorization" for problem in problems):
        return _error(401, AUTHENTICATION_FAILED)
    body_problems = [problem for problem in problems if not problem.where.startswith("header")]
    message = (
        f"The request body has {len(body_problems)} error(s)"
        if body_problems
        else problems[0].message
    )
    details = [
        {"message": problem.message, "property": problem.detail_property} for problem in problems
    ]
    return web.json_response({"message": message, "details": details}, status=400)


@contextlib.asynccontextmanager
async def checked_line_api(**options: Any) -> AsyncIterator[LineApiStandIn]:
    """A started stand-in that fails the test on exit if any request broke LINE's rules."""
    async with LineApiStandIn(**options) as standin:
        yield standin
    standin.assert_no_violations()


@pytest_asyncio.fixture
async def line_api() -> AsyncIterator[LineApiStandIn]:
    """The stand-in for one test; the test fails at teardown if the bot broke LINE's rules."""
    async with checked_line_api() as standin:
        yield standin

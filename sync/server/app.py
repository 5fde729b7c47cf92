"""The HTTP layer: routes, status codes and JSON bodies (FastAPI; OpenAPI at /openapi.json).

Every error answer is ``{"code", "message"}`` in French (:mod:`.messages`), with details where
the client needs them (refused records, colliding dots). Backend calls are blocking and run in
FastAPI's thread pool (``def`` routes).
"""


import logging
import re
import time
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.batch import SCOPE_PATTERN
from sync.wire import WireWrite, wire_to_writes
from sync.writes import DEVICE_PATTERN, InvalidWrite

from .access import Principal, check_token, split_token
from .backend import (
    CENTRAL_FORMAT,
    Backend,
    Collision,
    KeyReused,
    Refused,
    Unavailable,
)
from .messages import body

MAX_BODY_BYTES = 16 * 1024 * 1024
"""A push of the engine's largest batch (5,000 writes) is a few MB."""
MAX_BATCH_WRITES = 10_000
MAX_PAGE = 5_000
_KEY_RE = re.compile(r"[A-Za-z0-9_-]{1,128}")
access_log = logging.getLogger("sync.server.access")


class ApiError(Exception):
    """An answer other than 200: status, message code and details."""

    def __init__(self, status: int, code: str, headers: dict[str, str] | None = None, **details: Any) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.headers = headers
        self.details = details


class PushBody(BaseModel):
    """A batch of writes of one device."""

    model_config = ConfigDict(extra="forbid", strict=True)
    device: Annotated[str, Field(pattern=rf"^{DEVICE_PATTERN}$")]
    scope: Annotated[str, Field(pattern=SCOPE_PATTERN)]
    writes: Annotated[list[WireWrite], Field(max_length=MAX_BATCH_WRITES)]


class PushAnswer(BaseModel):
    seq: int
    stored: int
    known: int


class TokenInfo(BaseModel):
    name: str
    role: str
    department: str | None


class StoreAnswer(BaseModel):
    format: str
    store_id: str
    token: TokenInfo


class PullAnswer(BaseModel):
    writes: list[dict[str, Any]]
    cursor: int
    more: bool


class ErrorAnswer(BaseModel):
    """Every error answer: a code and a French message, and details where useful."""

    model_config = ConfigDict(extra="allow")
    code: str
    message: str


class BodyLimit:
    """Answers 413 to a body over ``limit`` bytes (declared or streamed), before the route."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _send_json(send, 413, body("too_large"))
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:  # FastAPI lets an HTTPException through body parsing
                    raise HTTPException(413)
            return msg

        await self.app(scope, limited, send)


async def _send_json(send: Send, status: int, payload: dict[str, Any]) -> None:
    data = orjson.dumps(payload)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": data})


_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorAnswer, "description": "Jeton absent, inconnu ou révoqué"},
    422: {"model": ErrorAnswer, "description": "Requête invalide"},
    503: {"model": ErrorAnswer, "description": "Stockage indisponible"},
}


def create_app(backend: Backend, *, log_access: bool = True) -> FastAPI:
    """The ASGI app serving ``backend``."""
    app = FastAPI(
        title="fsfield — serveur central de synchronisation",
        version="1",
        description="Écritures par champ des animateurs France services (docs/sync-model.md).",
    )
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    bearer = HTTPBearer(auto_error=False)

    def principal(
        request: Request,
        creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Principal:
        if creds is None:
            raise ApiError(401, "token_missing", {"WWW-Authenticate": "Bearer"})
        parts = split_token(creds.credentials)
        row = None
        if parts is not None:
            try:
                row = backend.find_token(parts[0])
            except Unavailable:
                raise ApiError(503, "unavailable") from None
        who = check_token(creds.credentials, row)
        if who is None:
            raise ApiError(401, "token_invalid", {"WWW-Authenticate": "Bearer"})
        request.state.token_id = who.token_id
        return who

    Caller = Annotated[Principal, Depends(principal)]

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(body(exc.code, **exc.details), exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return JSONResponse(body("bad_json"), 400)
        first = errors[0] if errors else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return JSONResponse(body("bad_request", field=where, detail=str(first.get("msg", ""))[:300]), 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(exc.status_code, "bad_request")
        return JSONResponse(body(code), exc.status_code, headers=exc.headers)  # Allow on 405

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        logging.getLogger("sync.server").exception("internal error")
        return JSONResponse(body("internal"), 500)

    @app.middleware("http")
    async def _log(request: Request, call_next: Any) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        response.headers["X-Fsfield-Format"] = CENTRAL_FORMAT
        if log_access:
            entry = {
                "method": request.method,
                "path": request.url.path,
                "status": response.status_code,
                "ms": round((time.perf_counter() - start) * 1000, 1),
                "token": getattr(request.state, "token_id", None),  # the id, never the token
                "client": request.client.host if request.client else None,
            }
            access_log.info(orjson.dumps(entry).decode())
        return response

    @app.get("/v1/health", responses={503: _ERRORS[503]})
    def health() -> dict[str, str]:
        """Is the storage usable? No token needed."""
        try:
            backend.health()
        except Unavailable:
            raise ApiError(503, "unavailable") from None
        return {"status": "ok", "format": CENTRAL_FORMAT}

    @app.get("/v1/store", responses={401: _ERRORS[401]})
    def store(who: Caller) -> StoreAnswer:
        """The store's identity and format, and who the token is."""
        return StoreAnswer(format=CENTRAL_FORMAT, store_id=backend.store_id, token=TokenInfo(**who.as_json()))

    @app.post(
        "/v1/push",
        responses={
            400: {"model": ErrorAnswer, "description": "Corps illisible (pas du JSON)"},
            401: _ERRORS[401],
            422: _ERRORS[422],
            403: {"model": ErrorAnswer, "description": "Enregistrements refusés (rien d'enregistré)"},
            409: {"model": ErrorAnswer, "description": "Identifiant déjà reçu avec un autre contenu"},
            413: {"model": ErrorAnswer, "description": "Corps trop volumineux"},
            503: _ERRORS[503],
        },
    )
    def push(
        batch: PushBody,
        who: Caller,
        idempotency_key: Annotated[
            str, Header(alias="Idempotency-Key", pattern=r"^[A-Za-z0-9_-]{1,128}$")
        ],
    ) -> PushAnswer:
        """Store a batch, all or nothing. Replaying the same key and body gives the same answer."""
        if _KEY_RE.fullmatch(idempotency_key) is None:
            raise ApiError(422, "bad_idempotency_key")
        try:
            writes = wire_to_writes(batch.writes)
        except InvalidWrite as err:
            raise ApiError(422, "bad_write", detail=str(err)) from None
        try:
            answer = backend.push(who, idempotency_key, batch.device, batch.scope, writes)
        except Refused as err:
            raise ApiError(403, "forbidden_records", refused=[r.as_json() for r in err.refusals]) from None
        except Collision as err:
            raise ApiError(409, "dot_collision", dots=err.dots[:1000]) from None
        except KeyReused:
            raise ApiError(422, "idempotency_key_reused") from None
        except Unavailable:
            raise ApiError(503, "unavailable") from None
        return PushAnswer(**answer)

    @app.get("/v1/writes", response_model=PullAnswer, responses={**_ERRORS, 403: {"model": ErrorAnswer}})
    def pull(
        who: Caller,
        after: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1000,
        department: Annotated[str | None, Query(pattern=SCOPE_PATTERN)] = None,
    ) -> Response:
        """The writes above ``after`` that the token may read, in server order. Ask again with
        the returned ``cursor`` while ``more`` is true."""
        readable = _readable(who, department)
        try:
            page = backend.pull(readable, after, limit)
        except Unavailable:
            raise ApiError(503, "unavailable") from None
        return Response(page.to_json(), media_type="application/json")

    @app.get("/v1/records", responses={**_ERRORS, 403: {"model": ErrorAnswer}})
    def records(
        who: Caller,
        kind: Annotated[str | None, Query(pattern=r"^[a-z][a-z0-9_-]{0,31}$")] = None,
        department: Annotated[str | None, Query(pattern=SCOPE_PATTERN)] = None,
        after: Annotated[str, Query(max_length=128)] = "",
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1000,
    ) -> list[dict[str, Any]]:
        """Current documents (derived from the writes) of the records the token may read."""
        readable = _readable(who, department)
        try:
            return backend.records(readable, kind, limit, after)
        except Unavailable:
            raise ApiError(503, "unavailable") from None

    return app


def _readable(who: Principal, department: str | None) -> frozenset[str] | None:
    readable = who.readable()
    if department is None:
        return readable
    if readable is not None and department not in readable:
        raise ApiError(403, "forbidden_read")
    return frozenset({department})

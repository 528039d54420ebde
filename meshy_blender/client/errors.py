"""One exception family for everything that can go wrong talking to Meshy.

Artists read these messages in the UI, so each says what happened and what to do, with the
server's own words attached. The API key must never show up in any of them: every text passes
through :func:`scrub` (registered secrets, ``Bearer ...`` and ``msy_...`` tokens), both when the
exception is built (so ``args`` are clean) and again in ``__str__``/``__repr__``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # ``logging`` loads when something first logs (see LazyLogger)
    import logging

_SECRETS: set[str] = set()
_SECRETS_LOCK = threading.Lock()
_TOKEN_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[^\s'\",}]+"),
    re.compile(r"\bmsy[-_][A-Za-z0-9_\-]{6,}"),
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)[^'\",}]+"),
)


def register_secret(secret: str) -> None:
    """Remember a secret (the API key) so every later text masks it: the whole of it, trimmed,
    and each piece between whitespace (a key pasted with a line break reaches a JSON journal
    or a log line as separate pieces)."""
    if not isinstance(secret, str):
        return
    pieces = {secret, secret.strip(), *secret.split()}
    with _SECRETS_LOCK:
        _SECRETS.update(p for p in pieces if len(p) >= 4)


class ScrubFilter:
    """A logging filter that scrubs the message (and any traceback) of every record (logging
    takes any object with ``filter``: this module does not import ``logging`` itself)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        if record.exc_info:
            import logging

            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def scrubbed_logger(name: str) -> logging.Logger:
    """``logging.getLogger(name)`` with :class:`ScrubFilter`: what it logs never holds a key."""
    import logging

    logger = logging.getLogger(name)
    if not any(isinstance(f, ScrubFilter) for f in logger.filters):
        logger.addFilter(ScrubFilter())
    return logger


class LazyLogger:
    """:func:`scrubbed_logger` made on first use, for modules the sidebar's first draw loads:
    importing ``logging`` costs that draw about 3 ms, and most draws log nothing."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._logger: logging.Logger | None = None

    def __getattr__(self, attr: str) -> Any:
        if self._logger is None:
            self._logger = scrubbed_logger(self._name)
        return getattr(self._logger, attr)


def scrub(text: object) -> str:
    """Return ``text`` as a string with any known secret or bearer-like token masked.

    Only for text that could carry the key: headers, URLs, exception text from the HTTP layer,
    proxy credentials. Never for what users wrote (prompts, labels, job keys): its patterns
    would turn "a flag bearer with a red banner" into "a flag bearer *** a red banner"."""
    out = mask_secrets(text)
    out = _TOKEN_PATTERNS[0].sub(r"\1***", out)
    out = _TOKEN_PATTERNS[1].sub("***", out)
    return _TOKEN_PATTERNS[2].sub(r"\1***", out)


def mask_secrets(text: object) -> str:
    """Return ``text`` as a string with the registered secrets (the key as given) masked and
    nothing else changed: a last guard for output that mixes user text with other text."""
    out = str(text)
    with _SECRETS_LOCK:
        secrets = sorted(_SECRETS, key=len, reverse=True)
    for secret in secrets:
        out = out.replace(secret, "***")
    return out


class MeshyError(Exception):
    """Base of every client error: ``message`` for people, ``server_message`` as Meshy said it."""

    default_message = "Something went wrong talking to Meshy."
    default_retryable = False
    # Paid Meshy task ids behind this error (step name -> id), set by the jobs layer when a job
    # fails, times out or is interrupted after paying: the work can be resumed, not bought again.
    task_ids: dict[str, str] = {}

    def __init__(self, message: str | None = None, *, status: int | None = None,
                 server_message: str | None = None, retryable: bool | None = None,
                 code: str | None = None) -> None:
        self.message = scrub(message or self.default_message)
        self.status = status
        self.code = code  # Meshy's machine code (``code``/``error_code``), e.g. LimitExceeded
        self.server_message = scrub(server_message) if server_message else None
        self.retryable = self.default_retryable if retryable is None else retryable
        super().__init__(self.message)

    def __str__(self) -> str:
        text = self.message
        if self.server_message and self.server_message not in text:
            text = f"{text} (Meshy said: {self.server_message})"
        return scrub(text)

    def __repr__(self) -> str:
        return scrub(f"{type(self).__name__}({self.message!r}, status={self.status!r}, "
                     f"server_message={self.server_message!r})")


class ValidationError(MeshyError):
    """A request option is wrong; found locally, before anything was sent (nothing charged)."""

    default_message = "An option is not valid."

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class AuthError(MeshyError):
    default_message = ("Meshy did not accept the API key. Check the key in the add-on "
                       "preferences (or MESHY_API_KEY).")


KEY_CREDIT_LIMIT = "api_key_credit_limit_reached"
KEY_LIMIT_MESSAGE = ("This API key reached its own credit limit, although your Meshy balance "
                     "still has credits: raise the key's limit on meshy.ai (API Keys), or paste "
                     "another key in API Key in the add-on preferences.")


class InsufficientCreditsError(MeshyError):
    """402: the task costs more than can be spent. Built with Meshy's code
    ``api_key_credit_limit_reached`` it is a :class:`KeyCreditLimitError` (the balance is still
    positive: the key's own limit stopped it), however it was made, so a caller that rebuilds
    a credits error with the balance attached keeps the difference."""

    default_message = "Not enough Meshy credits for this task. Top up your API credits."

    def __new__(cls, *args: object, code: str | None = None,
                **kwargs: object) -> InsufficientCreditsError:
        if cls is InsufficientCreditsError and code == KEY_CREDIT_LIMIT:
            cls = KeyCreditLimitError
        return super().__new__(cls, *args)

    def __init__(self, message: str | None = None, *, status: int | None = 402,
                 server_message: str | None = None, balance: int | None = None,
                 required: int | None = None, code: str | None = None) -> None:
        self.balance = balance
        self.required = required
        self.key_limit = code == KEY_CREDIT_LIMIT
        if message is None and self.key_limit:
            message = KEY_LIMIT_MESSAGE
            if balance is not None:
                message = message.replace("still has credits",
                                          f"still has {balance:,} credits")
        if message is None:
            message = self.default_message
            if required is not None and balance is not None:
                message = (f"Not enough Meshy credits: this needs {required}, you have "
                           f"{balance}. Top up your API credits.")
            elif balance is not None:
                message = (f"Not enough Meshy credits (balance: {balance}). "
                           "Top up your API credits.")
        super().__init__(message, status=status, server_message=server_message, code=code)


class KeyCreditLimitError(InsufficientCreditsError):
    """402 ``api_key_credit_limit_reached``: the API key's own monthly credit limit is used up
    while the account's balance is positive."""

    default_message = KEY_LIMIT_MESSAGE


class ForbiddenError(MeshyError):
    default_message = "Meshy refused this request for your account (forbidden)."


class NotFoundError(MeshyError):
    default_message = "Meshy does not know this task (it may have been deleted or expired)."


class InvalidRequestError(MeshyError):
    default_message = "Meshy rejected the request as invalid."


class CannotProcessError(MeshyError):
    default_message = ("Meshy could not process this input (for rigging: is it a humanoid "
                       "biped standing upright?).")


class NotRiggableError(CannotProcessError):
    """Meshy's rig check said the model cannot be rigged: the rig was not sent (not paid)."""

    default_message = ("Meshy's rig check says this model cannot be rigged (Rig needs a "
                       "character standing upright or a four-legged animal, facing front): "
                       "the 5-credit rig was not sent. Pick another model in Selected Object.")


class _RetryAfterError(MeshyError):
    default_retryable = True

    queue_full = False  # True: wait for one of the account's tasks to finish, not back off

    def __init__(self, message: str | None = None, *, status: int | None = 429,
                 server_message: str | None = None, retry_after: float | None = None,
                 code: str | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message, status=status, server_message=server_message, code=code)


class RateLimitedError(_RetryAfterError):
    """Too many requests per second: nothing was created; back off briefly and resend."""

    default_message = "Too many requests to Meshy right now; slow down and try again shortly."


class QueueFullError(_RetryAfterError):
    """The account's task queue is full (NoMoreConcurrentTasks, NoMorePendingTasks,
    TooManyPendingTasks): nothing was created; wait until one of its tasks finishes."""

    queue_full = True
    default_message = ("Your Meshy task queue is full. Wait for running tasks to finish, "
                       "then try again.")


class ServerError(MeshyError):
    default_message = "Meshy had a server error. Try again in a moment."
    default_retryable = True


class NetworkError(MeshyError):
    default_message = ("Could not reach Meshy. Check your internet connection, proxy and "
                       "firewall settings.")
    default_retryable = True


class OnlineAccessError(MeshyError):
    default_message = (
        "Blender's online access is turned off, so the Meshy add-on cannot connect. Enable "
        "Preferences > System > Network > Allow Online Access, or start Blender with "
        "--online-mode."
    )


class TaskFailedError(MeshyError):
    """The server ran the task and it ended FAILED (credits are refunded by Meshy)."""

    default_message = "The Meshy task failed."

    def __init__(self, message: str | None = None, *, task_id: str | None = None,
                 kind: str | None = None, error_type: str | None = None,
                 code: str | None = None, server_message: str | None = None,
                 retryable: bool | None = None) -> None:
        self.task_id = task_id
        self.kind = kind
        self.error_type = error_type
        super().__init__(message, server_message=server_message, retryable=retryable, code=code)


class TaskCanceledError(MeshyError):
    default_message = "The Meshy task was canceled on the server."

    def __init__(self, message: str | None = None, *, task_id: str | None = None) -> None:
        self.task_id = task_id
        super().__init__(message)


class CancelledError(MeshyError):
    default_message = "Cancelled."


class WaitTimeoutError(MeshyError):
    default_message = "Gave up waiting for the Meshy task (it may still finish on the server)."
    default_retryable = True


class AssetExpiredError(MeshyError):
    default_message = ("The download link has expired (Meshy keeps results for 3 days). "
                       "Open the task again to get fresh links.")


class DownloadError(MeshyError):
    default_message = "The download failed."
    default_retryable = True


class RefusedRedirectError(DownloadError):
    """The download link redirected somewhere the add-on never follows (``file://``, ...):
    not a network problem, so it is not retried."""

    default_message = "The download link redirected to a place the add-on does not follow."
    default_retryable = False


class CacheWriteError(MeshyError):
    """The download arrived but could not be written on this computer (disk full, no
    permission): not a network problem, so it is not retried; the paid result stays on Meshy."""

    default_message = "The downloaded file could not be saved on this computer."
    default_retryable = False


class MalformedResponseError(MeshyError):
    default_message = "Meshy sent a response the add-on could not understand."
    default_retryable = True


@dataclass(frozen=True)
class ApiErrorCode:
    """What one API v2 error ``code`` (or, as a fallback, ``type``) becomes: the exception and
    the sentence an artist reads, which names ``label``, the button or field they see."""

    error: type[MeshyError]
    sentence: str
    label: str
    documented: bool = False  # listed in Meshy's v2 docs; the rest are docs/meshy-api-v2.md A7
    detail: bool = False  # Meshy's own words name what to fix: shown after the sentence


_FIX_OPTION = "change the option Meshy names, then press Generate"
# Meshy API v2's error codes. Branch on `code` (never renamed or reused); new codes fall back on
# `type` (API_ERROR_TYPES), then on the HTTP status.
API_ERROR_CODES: dict[str, ApiErrorCode] = {
    "parameters_conflict": ApiErrorCode(
        InvalidRequestError, "Two options that cannot be used together were both set (such "
        "as Texture Prompt and a texture picture): keep one, then press Generate.", "Generate",
        documented=True, detail=True),
    "metadata_invalid": ApiErrorCode(
        InvalidRequestError, "Meshy refused the cost-tracking tags (project, shot, row) sent "
        "with the request: fix them in the Studio policy or the batch rows.", "Studio policy",
        documented=True, detail=True),
    "input_task_not_ready": ApiErrorCode(
        InvalidRequestError, "The rig this Animation uses has not finished on Meshy yet: "
        "wait for the Rig step, then press Retry.", "Retry", documented=True),
    "input_task_unsupported": ApiErrorCode(
        InvalidRequestError, "The task picked as the source cannot be used for this step (an "
        "Animation needs a rigged model): pick another one in History.", "History",
        documented=True, detail=True),
    "rig_type_mismatch": ApiErrorCode(
        InvalidRequestError, "This animation is made for another kind of rig (biped or "
        "quadruped) than the character: tick one the Animate list offers for it, then press "
        "Animate.", "Animate", detail=True),
    "moderation_blocked_nsfw": ApiErrorCode(
        ForbiddenError, "Meshy's content moderation blocked this request: change the Prompt "
        "(or the picture) and try again.", "Prompt", documented=True),
    "route_not_found": ApiErrorCode(
        NotFoundError, "Meshy does not offer this request at this address: update the add-on, "
        "or check API Base URL in the add-on preferences.", "API Base URL", documented=True),
    "rate_limit_exceeded": ApiErrorCode(
        RateLimitedError, "Meshy is getting too many requests from this key: the add-on waits "
        "and sends again; press Retry if the job stopped.", "Retry", documented=True),
    "pending_task_limit_reached": ApiErrorCode(
        QueueFullError, "Your Meshy task queue is full: the job waits until one of your "
        "running tasks finishes (a lower Max Concurrent Jobs avoids it).",
        "Max Concurrent Jobs", documented=True),
    "concurrent_task_limit_reached": ApiErrorCode(
        QueueFullError, "Your plan's no-credit task slots are all in use: the job waits for "
        "one of your tasks to finish, or use Buy Credits to go on now.", "Buy Credits",
        documented=True),
    "unknown_parameter": ApiErrorCode(
        InvalidRequestError, "Meshy no longer accepts an option the add-on sent (renamed or "
        "removed in API v2): update the add-on, or change that option and press Generate.",
        "Generate", detail=True),
    "invalid_parameter": ApiErrorCode(
        InvalidRequestError, f"Meshy refused an option's value: {_FIX_OPTION}.", "Generate",
        detail=True),
    "missing_parameter": ApiErrorCode(
        InvalidRequestError, f"Meshy needs an option that was not set: {_FIX_OPTION}.",
        "Generate", detail=True),
    "invalid_json": ApiErrorCode(
        InvalidRequestError, "Meshy could not read the request the add-on sent: press Retry, "
        "and report it if it happens again.", "Retry"),
    "task_not_deletable": ApiErrorCode(
        InvalidRequestError, "Meshy cannot delete a task while it runs, even with Cancel on "
        "Meshy: it finishes and stays charged; delete it on meshy.ai once it is done.",
        "Cancel on Meshy"),
    "invalid_api_key": ApiErrorCode(
        AuthError, "Meshy did not accept the API key: check API Key in Preferences > Add-ons > "
        "Meshy (or MESHY_API_KEY).", "API Key"),
    "insufficient_credits": ApiErrorCode(
        InsufficientCreditsError, "Not enough Meshy credits for this: use Buy Credits in the "
        "Account panel.", "Buy Credits"),
    KEY_CREDIT_LIMIT: ApiErrorCode(KeyCreditLimitError, KEY_LIMIT_MESSAGE, "API Key"),
    "task_not_found": ApiErrorCode(
        NotFoundError, "Meshy no longer has this task (deleted or expired: Meshy keeps results "
        "3 days): start it again from Generate.", "Generate"),
    "unprocessable_input": ApiErrorCode(
        CannotProcessError, "Meshy could not work with this model (Rig needs a character "
        "standing upright, facing front): pick another model in Selected Object.",
        "Selected Object", detail=True),
    "internal_server_error": ApiErrorCode(
        ServerError, "Meshy had a server problem: press Retry in a moment.", "Retry"),
    "service_unavailable": ApiErrorCode(
        ServerError, "Meshy is down for the moment: press Retry in a few minutes.", "Retry"),
}
# A code the table does not know yet, by its `type`.
API_ERROR_TYPES: dict[str, ApiErrorCode] = {
    "invalid_input": ApiErrorCode(
        InvalidRequestError, f"Meshy refused the request: {_FIX_OPTION}.", "Generate",
        detail=True),
    "authentication_error": API_ERROR_CODES["invalid_api_key"],
    "payment_required": API_ERROR_CODES["insufficient_credits"],
    "not_found": API_ERROR_CODES["task_not_found"],
    "unprocessable_input": API_ERROR_CODES["unprocessable_input"],
    "rate_limited": API_ERROR_CODES["rate_limit_exceeded"],
    "server_error": API_ERROR_CODES["internal_server_error"],
    "service_unavailable": API_ERROR_CODES["service_unavailable"],
}
QUEUE_CODES = frozenset(c for c, entry in API_ERROR_CODES.items()
                        if entry.error is QueueFullError)


def known_error(code: str | None, error_type: str | None) -> ApiErrorCode | None:
    """The table entry for a v2 error: by ``code``, else by ``type``; None when neither is
    known (the caller then maps the HTTP status)."""
    return API_ERROR_CODES.get(code or "") or API_ERROR_TYPES.get(error_type or "")


def table_sentence(text: str) -> str | None:
    """The table's sentence ``text`` starts with (an error made from a v2 code, perhaps with
    Meshy's words after it), or None: the UI shows it instead of its per-class sentence."""
    for entry in (*API_ERROR_CODES.values(), *API_ERROR_TYPES.values()):
        if text.startswith(entry.sentence):
            return entry.sentence
    return None


def from_api_error(entry: ApiErrorCode, *, status: int | None, code: str | None,
                   server_message: str | None, retry_after: float | None = None) -> MeshyError:
    """The exception for a v2 error object. Only ``rate_limit_exceeded`` keeps Retry-After:
    the queue codes mean "wait for a task to finish", not "wait N seconds"."""
    sentence = entry.sentence
    if entry.detail and server_message:
        sentence = f"{sentence} (Meshy said: {scrub(server_message)})"
    cls = entry.error
    if issubclass(cls, InsufficientCreditsError):
        return cls(None if code == KEY_CREDIT_LIMIT else sentence, status=status,
                   server_message=server_message, code=code)
    if issubclass(cls, _RetryAfterError):
        wait = retry_after if issubclass(cls, RateLimitedError) else None
        return cls(sentence, status=status, server_message=server_message, code=code,
                   retry_after=wait)
    return cls(sentence, status=status, server_message=server_message, code=code)


__all__ = [
    "API_ERROR_CODES", "API_ERROR_TYPES", "ApiErrorCode",
    "AssetExpiredError", "AuthError", "CancelledError", "CannotProcessError", "DownloadError",
    "ForbiddenError", "InsufficientCreditsError", "InvalidRequestError", "KeyCreditLimitError",
    "MalformedResponseError",
    "MeshyError", "NetworkError", "NotFoundError", "NotRiggableError", "OnlineAccessError",
    "QueueFullError", "RateLimitedError", "ServerError", "TaskCanceledError", "TaskFailedError",
    "ValidationError", "WaitTimeoutError", "from_api_error", "known_error", "register_secret",
    "scrub", "scrubbed_logger", "table_sentence",
]

"""One exception family for everything that can go wrong talking to Meshy.

Artists read these messages in the UI, so each says what happened and what to do, with the
server's own words attached. The API key must never show up in any of them: every text passes
through :func:`scrub` (registered secrets, ``Bearer ...`` and ``msy_...`` tokens), both when the
exception is built (so ``args`` are clean) and again in ``__str__``/``__repr__``.
"""

from __future__ import annotations

import re
import threading
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


class InsufficientCreditsError(MeshyError):
    default_message = "Not enough Meshy credits for this task. Top up your API credits."

    def __init__(self, message: str | None = None, *, status: int | None = 402,
                 server_message: str | None = None, balance: int | None = None,
                 required: int | None = None, code: str | None = None) -> None:
        self.balance = balance
        self.required = required
        if message is None:
            message = self.default_message
            if required is not None and balance is not None:
                message = (f"Not enough Meshy credits: this needs {required}, you have "
                           f"{balance}. Top up your API credits.")
            elif balance is not None:
                message = (f"Not enough Meshy credits (balance: {balance}). "
                           "Top up your API credits.")
        super().__init__(message, status=status, server_message=server_message, code=code)


class ForbiddenError(MeshyError):
    default_message = "Meshy refused this request for your account (forbidden)."


class NotFoundError(MeshyError):
    default_message = "Meshy does not know this task (it may have been deleted or expired)."


class InvalidRequestError(MeshyError):
    default_message = "Meshy rejected the request as invalid."


class CannotProcessError(MeshyError):
    default_message = ("Meshy could not process this input (for rigging: is it a humanoid "
                       "biped standing upright?).")


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


__all__ = [
    "AssetExpiredError", "AuthError", "CancelledError", "CannotProcessError", "DownloadError",
    "ForbiddenError", "InsufficientCreditsError", "InvalidRequestError", "MalformedResponseError",
    "MeshyError", "NetworkError", "NotFoundError", "OnlineAccessError", "QueueFullError",
    "RateLimitedError", "ServerError", "TaskCanceledError", "TaskFailedError", "ValidationError",
    "WaitTimeoutError", "register_secret", "scrub", "scrubbed_logger",
]

"""HTTP plumbing: the two sessions, read retries, the online-access gate and error mapping.

Two sessions on purpose: the API session carries the key (through an auth object, never a
default header) and retries reads; the asset session never has credentials at all, so a signed
asset link (another host) can never receive the key. Neither trusts the environment for auth
(``.netrc`` would silently override the key); proxies from the environment are still honoured.
"""

from __future__ import annotations

import urllib.request
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError
from urllib3.util.retry import Retry

from . import errors as e
from .urls import is_loopback

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
QUEUE_FULL_CODES = ("NoMoreConcurrentTasks", "NoMorePendingTasks", "TooManyPendingTasks",
                    "pending_task_limit_reached", "concurrent_task_limit_reached")  # v1, v2
CREDIT_CODES = ("InsufficientCredits",)


class CappedRetry(Retry):
    """urllib3 Retry whose ``Retry-After`` sleep is capped (urllib3's sleep can't be cancelled)."""

    RETRY_AFTER_MAX = 30.0

    def parse_retry_after(self, retry_after: str) -> float:
        try:  # also accept fractional seconds ("0.5"), which urllib3 rejects
            seconds = max(0.0, float(retry_after))
        except ValueError:
            seconds = super().parse_retry_after(retry_after)
        return min(seconds, self.RETRY_AFTER_MAX)


def make_retry(max_retries: int, backoff: float, backoff_max: float = 30.0) -> Retry:
    """Reads (GET) retry 429/5xx and connect/read errors; other methods only connect errors,
    i.e. when the request provably never left this machine."""
    kwargs: dict[str, Any] = dict(
        total=None, connect=max_retries, read=max_retries, status=max_retries, other=0,
        redirect=5, allowed_methods=frozenset({"GET"}), status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff, respect_retry_after_header=True, raise_on_status=False,
    )
    try:  # urllib3 >= 2: capped exponential backoff with jitter
        return CappedRetry(**kwargs, backoff_max=backoff_max, backoff_jitter=backoff)
    except TypeError:  # urllib3 1.26 (older Blender bundles): no jitter, class-level cap
        return CappedRetry(**kwargs)


class BearerAuth(requests.auth.AuthBase):
    """Adds the key per request; its repr never shows the key."""

    def __init__(self, key: str) -> None:
        self._key = key

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self._key}"
        return r

    def __repr__(self) -> str:
        return "BearerAuth(***)"


def _session(user_agent: str, retry: Retry, pool: int) -> requests.Session:
    s = requests.Session()
    s.trust_env = False  # no .netrc auth, no env CA override; proxies are passed per request
    s.headers["User-Agent"] = user_agent
    adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=pool)
    s.mount("https://", adapter)
    s.mount("http://", adapter)
    return s


def api_session(key: str, user_agent: str, retry: Retry) -> requests.Session:
    s = _session(user_agent, retry, pool=10)
    s.auth = BearerAuth(key)
    s.headers["Accept"] = "application/json"
    return s


def asset_session(user_agent: str, retry: Retry) -> requests.Session:
    s = _session(user_agent, retry, pool=6)
    s.auth = None
    return s


def proxies_for(url: str, configured: dict[str, str] | None) -> dict[str, str]:
    """Explicit proxies win; otherwise the environment's (no_proxy honoured); none for loopback."""
    if is_loopback(url):
        return {}
    if configured:
        return dict(configured)
    env = urllib.request.getproxies()
    if not env or urllib.request.proxy_bypass(urlsplit(url).hostname or ""):
        return {}
    return {k: v for k, v in env.items() if k in ("http", "https", "all")}


def server_message(resp: requests.Response) -> str | None:
    """The ``message`` of an error body (or a short text body), if any."""
    try:
        body = resp.json()
    except ValueError:
        text = (resp.text or "").strip()
        return text[:300] or None
    if isinstance(body, dict):
        msg = body.get("message") or body.get("error") or body.get("detail")
        return str(msg) if msg else None
    return None


def server_code(resp: requests.Response) -> str | None:
    """Meshy's machine-readable error code (``code`` or ``error_code``), if the body has one."""
    try:
        body = resp.json()
    except ValueError:
        return None
    if isinstance(body, dict):
        code = body.get("code") or body.get("error_code")
        return str(code) if isinstance(code, str | int) and code != "" else None
    return None


def _names(code: str | None, msg: str | None, names: tuple[str, ...]) -> bool:
    """True when the code (or, for older answers, the message) is one of ``names``."""
    return any(n == code or (code or "").startswith(n + ":") or (msg and n in msg)
               for n in names)


def retry_after(resp: requests.Response) -> float | None:
    value = resp.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def server_type(resp: requests.Response) -> str | None:
    """The ``type`` of an API v2 error object (``invalid_input``, ``rate_limited``...), if any."""
    try:
        body = resp.json()
    except ValueError:
        return None
    value = body.get("type") if isinstance(body, dict) else None
    return value if isinstance(value, str) and value else None


def error_from_response(resp: requests.Response, *, what: str = "") -> e.MeshyError:
    """Map an HTTP error answer to the exception an artist should see: an API v2 error object
    by its ``code`` (then ``type``) through :data:`errors.API_ERROR_CODES`; v1 answers and
    unknown codes by the HTTP status."""
    status = resp.status_code
    msg = server_message(resp)
    code = server_code(resp)
    entry = e.known_error(code, server_type(resp))
    if entry is not None:
        return e.from_api_error(entry, status=status, code=code, server_message=msg,
                                retry_after=retry_after(resp))
    kw: dict[str, Any] = {"status": status, "server_message": msg, "code": code}
    if status == 402 or _names(code, None, CREDIT_CODES):
        return e.InsufficientCreditsError(status=status, server_message=msg, code=code)
    if _names(code, msg, QUEUE_FULL_CODES):
        return e.QueueFullError(retry_after=retry_after(resp), **kw)
    if status == 400:
        return e.InvalidRequestError(
            f"Meshy rejected the request{what}: {msg}" if msg else None, **kw)
    if status == 401:
        return e.AuthError(**kw)
    if status == 403:
        return e.ForbiddenError(**kw)
    if status == 404:
        return e.NotFoundError(**kw)
    if status == 422:
        return e.CannotProcessError(
            f"Meshy could not process this input{what}: {msg}" if msg else None, **kw)
    if status == 429:
        return e.RateLimitedError(retry_after=retry_after(resp), **kw)
    if status >= 500:
        return e.ServerError(f"Meshy had a server error (HTTP {status}). Try again in a moment.",
                             **kw)
    return e.MeshyError(f"Unexpected answer from Meshy (HTTP {status}).", **kw)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, requests.exceptions.SSLError):
        return "a secure (TLS) connection could not be made; check the CA bundle or proxy"
    if isinstance(exc, requests.exceptions.ProxyError):
        return "the proxy refused or failed the connection"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connecting timed out"
    if isinstance(exc, requests.exceptions.Timeout):
        return "the server did not answer in time"
    text = str(exc)
    if "NameResolution" in text or "Name or service not known" in text \
            or "getaddrinfo" in text:
        return "the server name could not be resolved (offline or DNS problem)"
    if "refused" in text.lower():
        return "the connection was refused"
    if "RemoteDisconnected" in text or "aborted" in text.lower() or "reset" in text.lower():
        return "the connection was dropped"
    return "the network request failed"


def network_error(exc: BaseException, host: str, message: str | None = None) -> e.NetworkError:
    """A NetworkError describing ``exc`` without keeping it (its request holds headers)."""
    reason = _describe(exc)
    return e.NetworkError(message or f"Could not reach {host}: {reason}.")


def provably_not_sent(exc: BaseException) -> bool:
    """True when the request never reached the server (refused, DNS, connect timeout).

    TLS errors are not counted: urllib3 reports a TLS failure while reading the answer the same
    way as one during the handshake, so they are ambiguous."""
    if isinstance(exc, requests.exceptions.ConnectTimeout | requests.exceptions.ProxyError):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = exc.args[0] if exc.args else None
        inner = getattr(reason, "reason", reason)
        return isinstance(inner, NewConnectionError)
    return False

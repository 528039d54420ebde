"""Studio policy: one TOML file (``MESHY_STUDIO_CONFIG``) that every seat obeys.

A studio pins default options, locks options (a different value is refused), restricts the AI
models, caps the credits of one job and of one Blender session, and points every seat at a shared
download cache. It is applied where requests are planned and submitted (see
``blender/runtime.py``), so the sidebar, the Python API and the command line all obey it, and
refusals happen before any request is sent. Pure Python: no bpy.

Example::

    name = "Studio X"
    cache_dir = "/mnt/meshy-cache"          # shared downloads (journals stay per seat)
    allowed_ai_models = ["meshy-6", "latest"]
    max_credits_per_job = 60
    session_budget = 500
    max_in_flight = 10                      # tasks of one seat on Meshy at once (0: learn)

    [defaults]                # every request that has the option
    moderation = true
    [defaults.text-to-3d]     # one request kind
    topology = "quad"

    [locked]                  # pinned; another value is refused
    topology = "quad"
    [locked.remesh]
    target_polycount = 20000
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..client import limits, model_catalogue, specs
from ..client.errors import InsufficientCreditsError, ValidationError
from ..identity import STUDIO_CONFIG_ENV
from .kinds import CHAIN_KEYS, REQUEST_KINDS
from .model import Job

ENV_VAR = STUDIO_CONFIG_ENV
TOP_LEVEL: dict[str, type] = {"name": str, "cache_dir": str, "allowed_ai_models": list,
             "max_credits_per_job": int, "session_budget": int, "max_in_flight": int,
             "defaults": dict, "locked": dict}
# Request kinds whose tables may also be used for chained steps (rig={...}, remesh={...}).
CHAINED = {"rig": "rig", "remesh": "remesh"}
IMAGE_REQUESTS = ("text-to-image", "image-to-image")


class PolicyError(ValidationError):
    """The policy file cannot be used: unreadable, not TOML, or a wrong key or value."""

    def __init__(self, message: str, *, path: str = "", line: int | None = None,
                 key: str | None = None) -> None:
        self.path = path
        self.line = line
        self.key = key
        where = f"{path} line {line}" if line else path
        super().__init__(f"Studio policy {where}: {message}" if where else message, field=key)


class PolicyViolation(ValidationError):
    """A request the studio policy does not allow (locked option, model not allowed)."""


class CreditCapError(InsufficientCreditsError):
    """A job over the studio's per-job cap or the session budget; refused before any request."""

    def __init__(self, message: str, *, estimate: int, cap: int) -> None:
        self.estimate = estimate
        self.cap = cap
        super().__init__(message, status=None)


def request_options(request: str) -> frozenset[str]:
    """The API option names a request kind accepts (what defaults and locks may name)."""
    if request == "text-to-3d":
        names = set(specs.OPTIONS["text-to-3d-preview"]) | set(specs.OPTIONS["text-to-3d-refine"])
        return frozenset(names - {"preview_task_id"} | {"should_texture"})
    names = set(specs.OPTIONS[request])
    if request == "animate":
        names.discard("rig_task_id")
    return frozenset(names)


ALL_OPTIONS = frozenset().union(*(request_options(r) for r in REQUEST_KINDS))


def _model_vocabulary(request: str) -> tuple[str, ...]:
    if "ai_model" not in request_options(request):
        return ()
    return limits.IMAGE_MODELS if request in IMAGE_REQUESTS else limits.AI_MODELS


@dataclass
class Policy:
    """A loaded, validated studio policy. ``Policy()`` is "no policy": everything allowed."""

    path: str = ""
    name: str = ""
    cache_dir: str = ""
    allowed_ai_models: tuple[str, ...] = ()
    max_credits_per_job: int | None = None
    session_budget: int | None = None
    # Tasks of one seat live on Meshy at once (a share of the account's queue); 0: learn it.
    max_in_flight: int = 0
    # "*" holds options for every request; other keys are request kinds.
    defaults: dict[str, dict[str, Any]] = field(default_factory=dict)
    locked: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return bool(self.path)

    def _where(self) -> str:
        return f" by the studio policy ({self.path})" if self.path else " by the studio policy"

    # -- queries for the UI ----------------------------------------------------------------
    def locked_value(self, request: str, option: str) -> tuple[bool, Any]:
        """(is locked, pinned value) for an option of a request kind."""
        own = self.locked.get(request, {})
        if option in own:
            return True, own[option]
        common = self.locked.get("*", {})
        if option in common and request in REQUEST_KINDS and option in request_options(request):
            return True, common[option]
        return False, None

    def pins(self, request: str) -> dict[str, Any]:
        """Every option the studio locked for a request kind, with its pinned value."""
        found = {}
        for option in sorted(request_options(request)):
            locked, value = self.locked_value(request, option)
            if locked:
                found[option] = value
        return found

    def pin(self, request: str, options: Mapping[str, Any]) -> dict[str, Any]:
        """``options`` with every locked option set to its pinned value: for the sidebar, where
        locked fields are shown locked rather than refused after a click."""
        return {**options, **self.pins(request)}

    def is_locked(self, request: str, option: str) -> bool:
        """True when the studio pinned this option for this request kind (show it locked)."""
        return self.locked_value(request, option)[0]

    def default_for(self, request: str, option: str) -> Any:
        """The studio default (or pinned value) of an option, or None."""
        locked, value = self.locked_value(request, option)
        if locked:
            return value
        own = self.defaults.get(request, {})
        if option in own:
            return own[option]
        common = self.defaults.get("*", {})
        if option in common and option in request_options(request):
            return common[option]
        return None

    # -- applying --------------------------------------------------------------------------
    def _apply_one(self, request: str, options: dict[str, Any]) -> dict[str, Any]:
        vocab = request_options(request)
        out = dict(options)
        for option in sorted(vocab):
            locked, value = self.locked_value(request, option)
            given = out.get(option)
            if locked:
                if given is not None and given != value:
                    raise PolicyViolation(
                        f"'{option}' is locked to {value!r}{self._where()} for {request}; "
                        f"remove it or use {value!r}.", field=option)
                out[option] = value
            elif given is None:
                default = self.default_for(request, option)
                if default is not None:
                    out[option] = default
        self._check_model(request, out, fill=True)
        return out

    def _check_model(self, request: str, options: dict[str, Any], *, fill: bool) -> None:
        vocab = _model_vocabulary(request)
        if not self.allowed_ai_models or not vocab:
            return
        allowed = [m for m in self.allowed_ai_models if m in vocab]
        given = options.get("ai_model")
        if given is None:
            if fill and allowed:
                options["ai_model"] = allowed[0]
                return
            given = "latest" if request not in IMAGE_REQUESTS else None
        if given not in allowed:
            shown = ", ".join(allowed) or "none for this kind of request"
            raise PolicyViolation(
                f"The AI model {given!r} is not allowed{self._where()}; allowed: {shown}.",
                field="ai_model")

    def apply(self, request: str, options: Mapping[str, Any]) -> dict[str, Any]:
        """Options with studio defaults filled in; raises PolicyViolation for a locked option
        given another value or a model that is not allowed. Chained rig/remesh dicts too."""
        out = self._apply_one(request, {k: v for k, v in options.items() if k not in CHAIN_KEYS})
        for key in CHAIN_KEYS:
            if key not in options:
                continue
            value = options[key]
            if key in CHAINED and (value is True or isinstance(value, dict)):
                value = self._apply_one(CHAINED[key], value if isinstance(value, dict) else {})
            out[key] = value
        return out

    def check_job(self, job: Job) -> None:
        """Refuse a planned job that breaks a lock, uses a disallowed model or is over the cap.
        Safe to call on jobs planned without :meth:`apply` (e.g. by other code paths)."""
        for step in job.steps:
            request = _request_of_step(job.kind, step.kind)
            for option, value in step.options.items():
                locked, pinned = self.locked_value(request, option)
                if locked and value != pinned:
                    raise PolicyViolation(
                        f"'{option}' is locked to {pinned!r}{self._where()} for {request}.",
                        field=option)
            self._check_model(request, dict(step.options), fill=False)
        self.check_cost(job.estimated_credits)

    def check_cost(self, estimate: int, spent: int = 0) -> None:
        """Refuse before any request when a job's estimate breaks the per-job cap or, with
        ``spent`` credits already used this session, the session budget."""
        cap = self.max_credits_per_job
        if cap is not None and estimate > cap:
            raise CreditCapError(
                f"This job would cost about {estimate} credits; the studio policy caps one job "
                f"at {cap} credits ({self.path}).", estimate=estimate, cap=cap)
        budget = self.session_budget
        if budget is not None and spent + estimate > budget:
            raise CreditCapError(
                f"This job would cost about {estimate} credits; this Blender session has used "
                f"{spent} of its {budget}-credit budget set by the studio policy ({self.path}).",
                estimate=estimate, cap=budget)


def _request_of_step(job_kind: str, step_kind: str) -> str:
    if step_kind.startswith("text-to-3d"):
        return "text-to-3d"
    return step_kind if step_kind in REQUEST_KINDS else job_kind


# ---------------------------------------------------------------------------- loading

def load_policy(path: str | Path) -> Policy:
    """Read and validate a policy file; PolicyError names the file, the line and the key."""
    p = Path(path).expanduser()
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"cannot be read ({exc.strerror or exc}).", path=str(p)) from None
    return parse_policy(text, str(p))


def parse_policy(text: str, path: str = "<studio policy>") -> Policy:
    import tomllib  # only when a policy file exists: not on every add-on start

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
        reason = str(exc).split(" (at line")[0]
        raise PolicyError(f"is not valid TOML: {reason}.", path=path, line=line) from None
    return _Validator(text, path).policy(data)


def _line_from_message(message: str) -> int | None:
    found = re.search(r"at line (\d+)", message)  # Python 3.11's tomllib has no lineno
    return int(found.group(1)) if found else None


class _Validator:
    """Schema checks with messages that name the key and (best effort) its line."""

    def __init__(self, text: str, path: str) -> None:
        self.lines = text.splitlines()
        self.path = path

    def error(self, message: str, keys: Iterable[str]) -> PolicyError:
        keys = list(keys)
        dotted = ".".join(keys)
        return PolicyError(message, path=self.path, line=self._line_of(keys), key=dotted)

    def _line_of(self, keys: list[str]) -> int | None:
        """The line that assigns the last key (preferring one after its table header)."""
        *tables, last = keys
        key = re.escape(last)
        assign = re.compile(rf"""^\s*(?:[\w\-."']+\.)?["']?{key}["']?\s*=""")
        header = re.compile(rf"""^\s*\[+\s*(?:[\w\-."']+\.)?["']?{key}["']?\s*\]+""")
        start = 0
        if tables:
            table = re.compile(r"^\s*\[+\s*" + r"\s*\.\s*".join(
                rf"""["']?{re.escape(t)}["']?""" for t in tables) + r"\s*\]+")
            start = next((n for n, ln in enumerate(self.lines) if table.match(ln)), 0)
        for n in range(start, len(self.lines)):
            if assign.match(self.lines[n]) or header.match(self.lines[n]):
                return n + 1
        return None

    def policy(self, data: dict[str, Any]) -> Policy:
        for key, value in data.items():
            if key not in TOP_LEVEL:
                raise self.error(f"unknown key '{key}'; known keys: "
                                 f"{', '.join(sorted(TOP_LEVEL))}.", [key])
            wanted = TOP_LEVEL[key]
            if not isinstance(value, wanted) or isinstance(value, bool):
                raise self.error(f"'{key}' must be {_type_name(wanted)}.", [key])
            if isinstance(value, int) and value < 0:
                raise self.error(f"'{key}' must not be negative.", [key])
        models = tuple(data.get("allowed_ai_models", ()))
        known_models = set(limits.AI_MODELS) | set(limits.IMAGE_MODELS)
        for model in models:
            if model not in known_models:
                current = sorted(m for m in known_models
                                 if not all(e.is_retired() for e in model_catalogue.by_value(m)))
                raise self.error(f"unknown AI model {model!r} in 'allowed_ai_models'; known: "
                                 f"{', '.join(current)}.", ["allowed_ai_models"])
            entries = model_catalogue.by_value(model)
            if entries and all(m.is_retired() for m in entries):
                raise self.error(f"'allowed_ai_models' lists a retired model: "
                                 f"{entries[0].retired_sentence()}", ["allowed_ai_models"])
        return Policy(
            path=self.path, name=str(data.get("name", "")),
            cache_dir=str(data.get("cache_dir", "")), allowed_ai_models=models,
            max_credits_per_job=data.get("max_credits_per_job"),
            session_budget=data.get("session_budget"),
            max_in_flight=int(data.get("max_in_flight", 0)),
            defaults=self.option_tables(data.get("defaults", {}), "defaults"),
            locked=self.option_tables(data.get("locked", {}), "locked"))

    def option_tables(self, table: dict[str, Any], section: str) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {"*": {}}
        for key, value in table.items():
            if isinstance(value, dict) and key in REQUEST_KINDS:
                out[key] = {name: self.option(key, name, v, [section, key, name])
                            for name, v in value.items()}
            elif isinstance(value, dict) and key not in ALL_OPTIONS:
                raise self.error(f"unknown request kind '{key}' in [{section}]; known: "
                                 f"{', '.join(REQUEST_KINDS)}.", [section, key])
            else:
                out["*"][key] = self.option(None, key, value, [section, key])
        return out

    def option(self, request: str | None, name: str, value: Any, keys: list[str]) -> Any:
        vocab = request_options(request) if request else ALL_OPTIONS
        if name not in vocab:
            where = f"for {request}" if request else "for any request"
            raise self.error(f"unknown option '{name}' {where}.", keys)
        if name == "should_texture":
            checker = specs.OPTIONS["image-to-3d"][name]
        else:
            kinds = ([k for k in specs.OPTIONS if _request_of_step(request, k) == request]
                     if request else list(specs.OPTIONS))
            checker = next(specs.OPTIONS[k][name] for k in kinds if name in specs.OPTIONS[k])
        try:
            return checker(name, value)
        except ValidationError as exc:
            raise self.error(exc.message, keys) from None


def _type_name(kind: type) -> str:
    return {str: "text", int: "a whole number", list: "a list", dict: "a table"}[kind]

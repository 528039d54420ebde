"""Effective configuration: environment over add-on preferences over defaults.

Each value remembers where it came from so the UI can show it ("from MESHY_API_KEY").
Resolved on the main thread only (it reads preferences); workers get plain values.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bpy

from ...identity import ADDON_ID, MAX_IN_FLIGHT_ENV, STUDIO_CONFIG_ENV
from .sidebar_data import DEFAULT_MAX_JOBS

# The policy parser (and the option tables it checks) and the request types load at first use:
# the start-up timer and the first sidebar draw resolve settings without them.
if TYPE_CHECKING:
    from ...jobs import policy as policy_mod
    from ...jobs.request import ImportOptions

DEFAULT_API_BASE = "https://api.meshy.ai"
TIER_ENV = "MESHY_TIER"
TIERS = ("AUTO", "PRO", "PREMIUM", "ULTRA", "STUDIO", "ENTERPRISE")
ENV = {
    "api_key": "MESHY_API_KEY",
    "api_base": "MESHY_API_BASE",
    "cache_dir": "MESHY_CACHE_DIR",
    "ca_bundle": "MESHY_CA_BUNDLE",
    "studio_config": STUDIO_CONFIG_ENV,
}
# The standard proxy variables (requests/urllib read them per request; recorded for the UI).
PROXY_ENV = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy",
             "NO_PROXY", "no_proxy")


@dataclass
class Settings:
    api_key: str = ""
    api_base: str = DEFAULT_API_BASE
    cache_dir: str = ""
    ca_bundle: str = ""
    proxy: str = ""  # explicit proxy from preferences; else requests honours HTTPS_PROXY etc.
    max_jobs: int = DEFAULT_MAX_JOBS
    use_stream: bool = True
    # Account tier: where the adaptive queue gate and request pacing start (AUTO: learn both).
    tier: str = "AUTO"
    # At most this many of this seat's tasks live on Meshy (0: learn the queue): a farm's or a
    # team's share of one account (see _resolve_max_in_flight).
    max_in_flight: int = 0
    import_format: str = "GLB"
    placement: str = "CURSOR"
    mark_assets: bool = True
    online_access: bool = False
    studio_config: str = ""
    # Downloads: the studio policy's shared cache_dir, else <cache_dir>/downloads. The journal
    # always stays in the seat's own cache_dir (a shared journal would resume others' jobs).
    download_dir: str = ""
    proxies: dict[str, str] = field(default_factory=dict)
    policy_error: policy_mod.PolicyError | None = None
    sources: dict[str, str] = field(default_factory=dict)
    # The studio policy file's Policy; None: no file (an empty Policy is made on first use).
    studio_policy: policy_mod.Policy | None = field(default=None, repr=False)

    @property
    def policy(self) -> policy_mod.Policy:
        """The studio policy (an empty one, which allows everything, without a policy file)."""
        if self.studio_policy is None:
            self.studio_policy = _policy_module().Policy()
        return self.studio_policy

    def __repr__(self) -> str:  # never show the key, even in a debugger or a log line
        return (f"Settings(api_base={self.api_base!r}, cache_dir={self.cache_dir!r}, "
                f"api_key={'<set>' if self.api_key else '<unset>'}, sources={self.sources!r})")

    def import_options(self, *, format: str | None = None, placement: str | None = None,
                       source_object: str = "", target_armature: str = "",
                       action_names: Mapping[str, str] | None = None,
                       mark_asset: bool | None = None) -> ImportOptions:
        """How a result lands, with this seat's defaults for what is not given (import format
        and placement from the preferences). Raises ValidationError for a bad value. Built
        here once for the sidebar, the API and the CLI."""
        from ...jobs.request import ImportOptions

        default_placement = self.placement if self.placement in ("CURSOR", "ORIGIN") else "CURSOR"
        return ImportOptions(format or self.import_format, placement or default_placement,
                             source_object=source_object, target_armature=target_armature,
                             action_names=dict(action_names or {}),
                             mark_asset=self.mark_assets if mark_asset is None else mark_asset)

    def check_policy(self) -> policy_mod.Policy:
        """The studio policy, or the PolicyError that makes it unusable (raised)."""
        if self.policy_error is not None:
            raise self.policy_error
        return self.policy


@functools.cache
def default_cache_dir() -> str:
    """The extension's own user folder (bpy.utils.extension_path_user), or a user cache dir.

    Resolved (and created) once per session: panels resolve settings on every redraw."""
    try:
        return bpy.utils.extension_path_user(ADDON_ID, path="cache", create=True)
    except (ValueError, AttributeError):
        # Enabled from a checkout (not installed as an extension): no extension user folder.
        base = Path(bpy.utils.user_resource("DATAFILES", path="meshy", create=True))
        return str(base / "cache")


def addon_preferences(context: bpy.types.Context | None = None) -> Any:
    """The add-on's preferences (``features/account/preferences.MeshyPreferences``), or None
    when the add-on is registered but not enabled. Read by RNA path so this layer never imports
    the UI."""
    context = context or bpy.context
    addon = context.preferences.addons.get(ADDON_ID)
    return addon.preferences if addon else None


def resolve(context: bpy.types.Context | None = None) -> Settings:
    """The effective settings; the key (when set) is known to the masks (client/errors.py)
    before anything can make text from user input."""
    s = resolve_locations(context)
    if s.api_key:
        from ...client.errors import register_secret

        register_secret(s.api_key)
    return s


def resolve_locations(context: bpy.types.Context | None = None) -> Settings:
    """The effective settings without registering the key with the masks: for the start-up
    timer, which only tests whether a key is set and looks for the journal and downloads (it
    makes no text; :func:`resolve` registers the key before the runtime is built). Loads no
    client module: every Blender start pays for what this imports."""
    prefs = addon_preferences(context)
    s = Settings(online_access=bool(bpy.app.online_access))
    for name, var in ENV.items():
        env_value = os.environ.get(var, "").strip()
        pref_value = str(getattr(prefs, name, "") or "").strip() if prefs else ""
        if env_value:
            setattr(s, name, env_value)
            s.sources[name] = var
        elif pref_value:
            setattr(s, name, pref_value)
            s.sources[name] = "preferences"
        else:
            s.sources[name] = "default"
    if not s.cache_dir:
        s.cache_dir = default_cache_dir()
    _apply_policy(s)
    _record_proxies(s)
    if prefs is not None:
        s.max_jobs = int(prefs.max_jobs)
        s.use_stream = bool(prefs.use_stream)
        s.import_format = str(prefs.import_format)
        s.placement = str(prefs.placement)
        s.mark_assets = bool(getattr(prefs, "mark_assets", True))
        s.proxy = str(getattr(prefs, "proxy", "") or "").strip()
        if s.proxy:
            s.sources["proxy"] = "preferences"
    _resolve_tier(s, prefs)
    _resolve_max_in_flight(s, prefs)
    return s


def _resolve_tier(s: Settings, prefs: Any) -> None:
    """MESHY_TIER (pro / premium / ultra / studio / enterprise / auto) over the "Account Tier"
    preference; an unknown value counts as Auto (the tier is only a starting point, never a
    limit)."""
    env_value = os.environ.get(TIER_ENV, "").strip().upper()
    if env_value:
        s.tier = env_value if env_value in TIERS else "AUTO"
        s.sources["tier"] = TIER_ENV
    elif prefs is not None and str(getattr(prefs, "tier", "AUTO")) in TIERS:
        s.tier = str(getattr(prefs, "tier", "AUTO"))
        s.sources["tier"] = "preferences"
    else:
        s.sources["tier"] = "default"


def _resolve_max_in_flight(s: Settings, prefs: Any) -> None:
    """MESHY_MAX_IN_FLIGHT over the "Max Tasks on Meshy" preference over the studio policy's
    ``max_in_flight`` (0 in any of them: not set). A value that is not a number is ignored here
    (panels resolve on every redraw); ``meshy batch`` refuses it naming the variable."""
    env_value = os.environ.get(MAX_IN_FLIGHT_ENV, "").strip()
    pref_value = int(getattr(prefs, "max_in_flight", 0) or 0) if prefs is not None else 0
    policy_value = s.studio_policy.max_in_flight if s.studio_policy is not None else 0
    if env_value.isdigit():
        s.max_in_flight, s.sources["max_in_flight"] = int(env_value), MAX_IN_FLIGHT_ENV
    elif pref_value > 0:
        s.max_in_flight, s.sources["max_in_flight"] = pref_value, "preferences"
    elif policy_value > 0:
        s.max_in_flight, s.sources["max_in_flight"] = policy_value, "studio policy"
    else:
        s.sources["max_in_flight"] = "default"


def _apply_policy(s: Settings) -> None:
    """Load the studio policy; its shared cache folder comes after MESHY_CACHE_DIR only."""
    s.download_dir = str(Path(s.cache_dir) / "downloads")
    s.sources["download_dir"] = s.sources.get("cache_dir", "default")
    if not s.studio_config:
        return
    policy_mod = _policy_module()
    try:
        s.studio_policy = _load_policy(s.studio_config)
    except policy_mod.PolicyError as exc:
        s.policy_error = exc
        return
    if s.policy.cache_dir and s.sources.get("cache_dir") != ENV["cache_dir"]:
        s.download_dir = str(Path(s.policy.cache_dir).expanduser())
        s.sources["download_dir"] = "studio policy"


_policy_cache: dict[str, tuple[tuple[int, int], policy_mod.Policy]] = {}


def _load_policy(path: str) -> policy_mod.Policy:
    """The parsed policy file, re-read only when it changes (panels resolve settings on every
    redraw)."""
    policy_mod = _policy_module()
    try:
        st = os.stat(path)
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError:
        return policy_mod.load_policy(path)  # raises the clear PolicyError
    cached = _policy_cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    policy = policy_mod.load_policy(path)
    _policy_cache[path] = (stamp, policy)
    return policy


def _record_proxies(s: Settings) -> None:
    for var in PROXY_ENV:
        value = os.environ.get(var, "").strip()
        name = var.lower()
        if value and name not in s.proxies:
            s.proxies[name] = value
            s.sources[name] = var


def _policy_module() -> Any:
    from ...jobs import policy

    return policy

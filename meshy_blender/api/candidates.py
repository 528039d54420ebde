"""Candidates from scripts: N untextured shapes of one prompt, side by side, in one call.

The N preview jobs run at once (the account's queue allows several) and are waited for in
order; each lands at its place along X. Texture the one you pick with ``api.refine``.
"""

from __future__ import annotations

from typing import Any

from ..jobs.candidates import candidate_requests
from .generate import build
from .results import ProgressCallback, Result, wait
from .session import runtime


def run_candidates(prompt: str, count: int, *, progress: ProgressCallback | None = None,
                   timeout: float | None = None, import_format: str | None = None,
                   placement: str | None = None, label: str | None = None,
                   mark_asset: bool | None = None, **options: Any) -> list[Result]:
    """``count`` (1-4) untextured shapes of ``prompt``; ``should_texture`` defaults to False
    here (a textured candidate would pay for texture the artist may throw away)."""
    rt = runtime()
    options.setdefault("should_texture", False)
    base = build(rt, "text-to-3d", {"prompt": prompt, **options}, import_format=import_format,
                 placement=placement, label=label, mark_asset=mark_asset)
    requests = candidate_requests(base, count)  # refused here: nothing was sent yet
    jobs = [rt.submit(req) for req in requests]
    return [wait(rt, job, progress, timeout) for job in jobs]

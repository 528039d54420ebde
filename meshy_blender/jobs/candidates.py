"""Candidates: several untextured shapes of one prompt, to compare side by side and texture
only the one picked (Meshy's web app and Rodin's "manual mode" work this way).

One click becomes 1-4 ordinary preview jobs sharing a group id; each knows its place in the row
(``ImportOptions.candidate``), so the scene lays them out along X and labels them. Nothing here
is textured: texturing is the separate, single refine of the picked shape.
"""

from __future__ import annotations

import dataclasses
import uuid

from ..client.errors import ValidationError
from .plans import CHAIN_KEYS
from .request import JobRequest

MAX_CANDIDATES = 4


def candidate_requests(req: JobRequest, count: int) -> list[JobRequest]:
    """``count`` copies of an untextured text-to-3d request, numbered and grouped; one request
    unchanged when ``count`` is 1. Raises ValidationError for what cannot be a candidate."""
    if not 1 <= int(count) <= MAX_CANDIDATES:
        raise ValidationError(f"Candidates must be 1 to {MAX_CANDIDATES} (got {count}).",
                              field="candidates")
    if count == 1:
        return [req]
    if req.request != "text-to-3d" or req.is_resume:
        raise ValidationError("Candidates are untextured text to 3D shapes.", field="candidates")
    options = dict(req.options)
    if options.get("should_texture", True) is not False:
        raise ValidationError("Candidates are compared as shapes: turn Texture off, then "
                              "texture the one you pick.", field="should_texture")
    chained = [k for k in CHAIN_KEYS if options.get(k)]
    if chained:
        raise ValidationError(f"Candidates cannot be chained ({', '.join(chained)}): pick one "
                              "first, then remesh or rig it.", field=chained[0])
    group = uuid.uuid4().hex[:12]
    label = req.label or str(options.get("prompt") or "candidate")
    return [dataclasses.replace(
        req, label=f"{label} {n}", job_key=f"{req.job_key}#{n}" if req.job_key else "",
        import_options=dataclasses.replace(req.import_options, candidate=n,
                                           candidate_group=group))
            for n in range(1, count + 1)]

"""What to run and how its result lands: the one request type every entry point builds.

The sidebar, ``meshy_blender.api``, the CLI, start-up resume and the "Resume task by id" button
all describe work as a :class:`JobRequest`; ``Runtime.submit(request)`` is the only way a job
starts. Plain data (no bpy), so it is built and checked the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..client.errors import ValidationError, mask_secrets

# Stands in for a task id that does not exist yet (pricing a chain, or an input to come).
PLACEHOLDER_TASK_ID = "00000000-0000-0000-0000-000000000000"
IMPORT_FORMATS = ("GLB", "FBX")
PLACEMENTS = ("CURSOR", "ORIGIN", "REPLACE")


@dataclass(frozen=True)
class ImportOptions:
    """How a finished job lands in the scene (stored with the job in the journal)."""

    format: str = "GLB"
    placement: str = "CURSOR"
    source_object: str = ""  # REPLACE: the object whose place (and transform) the result takes
    target_armature: str = ""  # animations: the armature that receives the actions
    action_names: Mapping[str, str] = field(default_factory=dict)  # action id -> library name
    mark_asset: bool = False  # mark the result as an asset (Meshy thumbnail, tags, catalog)
    candidate: int = 0  # 1-4: this result is one of several candidates, placed side by side
    candidate_group: str = ""  # what the candidates of one click share (jobs/candidates.py)

    def __post_init__(self) -> None:
        fmt = str(self.format).upper()
        placement = str(self.placement).upper()
        object.__setattr__(self, "format", fmt)
        object.__setattr__(self, "placement", placement)
        if fmt not in IMPORT_FORMATS:
            raise ValidationError(f"Import format must be GLB or FBX (got {self.format!r}).",
                                  field="import_format")
        if placement not in PLACEMENTS:
            raise ValidationError(f"Placement must be one of {', '.join(PLACEMENTS)} "
                                  f"(got {self.placement!r}).", field="placement")
        if placement == "REPLACE" and not self.source_object:
            raise ValidationError("Replacing needs the object to replace.", field="placement")

    def to_dict(self) -> dict[str, Any]:
        """The journal's form (only what is set)."""
        data: dict[str, Any] = {"format": self.format, "placement": self.placement}
        if self.source_object:
            data["source_object"] = self.source_object
        if self.target_armature:
            data["target_armature"] = self.target_armature
        if self.action_names:
            data["action_names"] = {str(k): str(v) for k, v in self.action_names.items()}
        if self.mark_asset:
            data["mark_asset"] = True
        if self.candidate:
            data["candidate"] = self.candidate
            data["candidate_group"] = self.candidate_group
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ImportOptions:
        """Read a journal's import options; unknown keys are ignored, bad values fall back to
        the defaults (an old or hand-edited journal must still import)."""
        data = data or {}
        names = data.get("action_names")
        action_names = dict(names) if isinstance(names, Mapping) else {}
        target = str(data.get("target_armature") or "")
        try:
            return cls(str(data.get("format") or "GLB"), str(data.get("placement") or "CURSOR"),
                       source_object=str(data.get("source_object") or ""),
                       target_armature=target, action_names=action_names,
                       mark_asset=data.get("mark_asset") is True,
                       candidate=_int(data.get("candidate")),
                       candidate_group=str(data.get("candidate_group") or ""))
        except ValidationError:
            return cls(action_names=action_names, target_armature=target,
                       mark_asset=data.get("mark_asset") is True)


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


@dataclass(frozen=True)
class JobRequest:
    """One user request: a request kind with its API options (plus chain options ``remesh``,
    ``rig``, ``animations``), a label, and how the result lands.

    With ``resume_task_id`` it follows an existing (already paid) task of the task type
    ``request`` instead of creating one: nothing is sent that costs credits. With ``job_key``
    (a batch row id, a farm job name) submitting it again returns the journalled job instead
    of paying again (see jobs/keys.py).
    """

    request: str
    options: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""
    import_options: ImportOptions = field(default_factory=ImportOptions)
    resume_task_id: str = ""
    job_key: str = ""

    def __post_init__(self) -> None:
        key = self.job_key
        if key and (not isinstance(key, str) or len(key) > 200 or not key.isprintable()
                    or key != key.strip()):
            raise ValidationError("A job key must be printable text of at most 200 characters "
                                  "without leading or trailing spaces.", field="job_key")
        if key and mask_secrets(key) != key:  # it names journal files: never the API key
            raise ValidationError("The job key holds your Meshy API key; use another name. "
                                  "Nothing was sent.", field="job_key")

    @classmethod
    def resume(cls, task_kind: str, task_id: str, *, label: str = "",
               import_options: ImportOptions | None = None) -> JobRequest:
        """Follow the existing Meshy task ``task_id`` of type ``task_kind`` and import it."""
        return cls(task_kind, {}, label, import_options or ImportOptions(),
                   resume_task_id=task_id)

    @property
    def is_resume(self) -> bool:
        return bool(self.resume_task_id)

    def with_options(self, options: Mapping[str, Any]) -> JobRequest:
        return JobRequest(self.request, dict(options), self.label, self.import_options,
                          self.resume_task_id, self.job_key)

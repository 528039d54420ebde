"""Turn one user request into a job: the chain of Meshy tasks, what links them, what to download.

Chains pass task ids from step to step (preview -> refine -> remesh -> rig -> animation), so Meshy
never receives a re-upload of something it already has; every rig is preceded by the 1-credit
rig check unless ``rig_check=False`` (:mod:`.rig_check`). Every step's payload is validated and
priced here, before any request is made.
"""

from __future__ import annotations

import json
from typing import Any

from ..client import specs, validation
from ..client.errors import ValidationError, mask_secrets
from ..client.pricing import Quote
from . import rig_check
from .kinds import CHAIN_KEYS, REQUEST_KINDS, RESUMABLE_KINDS, TOOLS
from .model import STEP_WAITING, Job, Step
from .request import PLACEHOLDER_TASK_ID, JobRequest

# Text to 3D: the texturing options (a shape made with should_texture=False takes none of them).
REFINE_ONLY = {"enable_pbr", "texture_prompt", "texture_image_url", "remove_lighting",
               "texture_resolution", "hd_texture"}
SHARED_PREVIEW_REFINE = {"ai_model", "moderation", "auto_size", "origin_at", "target_formats"}
# Optional download (a trailing "?"): fetched when Meshy offers it, never a reason to fail a job.
THUMBNAIL = "thumbnail?"
INTERMEDIATE = "glb?"  # a model made on the way to the result, shown while the chain runs
INTERMEDIATE_KINDS = ("text-to-3d-preview", "text-to-3d-refine", "image-to-3d",
                      "multi-image-to-3d", "retexture", "remesh")

# Requests whose result cannot go on to remesh / rig / animate (model tools: kinds.TOOLS).
UNCHAINED = ("animate", "text-to-image", "image-to-image",
             *(tool.kind for tool in TOOLS if not tool.chains))
# What to download when a step of this kind ends the job ([] = its result is data: a report).
FINAL_DOWNLOADS: dict[str, list[str]] = {
    "text-to-image": ["images"], "image-to-image": ["images"],
    **{tool.kind: list(tool.downloads) for tool in TOOLS},
}


def model_downloads(fmt: str) -> list[str]:
    return ["fbx"] if fmt.upper() == "FBX" else ["glb"]


def rig_downloads(fmt: str) -> list[str]:
    if fmt.upper() == "FBX":
        return ["rigged_character_fbx", "walking_fbx", "running_fbx"]
    # Armature-only clips are smaller and carry no duplicate mesh; fall back to the with-skin file.
    return ["rigged_character_glb", "walking_armature_glb|walking_glb",
            "running_armature_glb|running_glb"]


def animation_downloads(fmt: str) -> list[str]:
    return ["animation_fbx"] if fmt.upper() == "FBX" else ["animation_glb"]


def _enabled(value: Any) -> bool:
    """Chain options are on when given as an options dict (even empty) or True."""
    return value is True or isinstance(value, dict)


def _chain_tail(steps: list[Step], options: dict[str, Any], fmt: str, *,
                check_rig: bool = True) -> None:
    """Append remesh -> (rig check) -> rig -> animation steps after the model-producing step."""
    remesh = options.get("remesh")
    rig = options.get("rig")
    animations = list(options.get("animations") or [])
    if animations and not _enabled(rig) and steps[-1].kind != "rig":
        raise ValidationError("Animations need a rig: add rig=... to the request.",
                                    field="animations")
    if _enabled(remesh):
        remesh_options = dict(remesh if isinstance(remesh, dict) else {})
        steps.append(Step("remesh", "remesh", remesh_options,
                          links={"input_task_id": steps[-1].name}))
    if _enabled(rig):
        model_step = steps[-1].name
        if check_rig:  # 1 credit says whether the 5-credit rig can work (jobs/rig_check.py)
            steps.append(rig_check.check_step({}, links={"input_task_id": model_step}))
        steps.append(Step("rig", "rig", dict(rig if isinstance(rig, dict) else {}),
                          links={"input_task_id": model_step}))
    rig_step = steps[-1].name
    for n, action_id in enumerate(animations):
        steps.append(Step(f"animate{n}" if n else "animate", "animate", {"action_id": action_id},
                          links={"rig_task_id": rig_step}))


def _assign_downloads(steps: list[Step], fmt: str) -> None:
    """Download what the scene import needs: the last model, or the rig and its clips."""
    rig_steps = [s for s in steps if s.kind == "rig"]
    for s in steps:
        s.downloads = []
    if rig_steps:
        rig_steps[-1].downloads = rig_downloads(fmt)
        for s in steps:
            if s.kind == "animate":
                s.downloads = animation_downloads(fmt)
    elif steps[-1].kind in FINAL_DOWNLOADS:
        steps[-1].downloads = list(FINAL_DOWNLOADS[steps[-1].kind])
    elif steps[-1].kind == "animate":
        for s in steps:
            if s.kind == "animate":
                s.downloads = animation_downloads(fmt)
    else:
        steps[-1].downloads = model_downloads(fmt)
    # The picture of the result (Tasks rows, history, asset previews): small, cached by task id.
    shown = rig_steps[-1] if rig_steps else steps[-1]
    if shown.kind not in UNCHAINED:
        shown.downloads.append(THUMBNAIL)
    # See the shape early: every model a chain makes before its result is fetched too (GLB,
    # optional), so it lands at once and the next one replaces it in place.
    for s in steps:
        if s is not shown and not s.downloads and s.kind in INTERMEDIATE_KINDS:
            s.downloads = [INTERMEDIATE]


# Steps whose model files come from their own ``target_formats`` (when given; remesh's
# default is GLB only): the format the import downloads must be among them.
_TARGET_FORMAT_KINDS = {"remesh", "retexture", "text-to-3d-refine", "text-to-3d-preview",
                        "image-to-3d", "multi-image-to-3d"}


# Steps Meshy makes GLB only for unless asked: remesh, and on Meshy API v2 image to 3D,
# multi-image to 3D and retexture (which Texture It is); v1 made every format but 3MF for the
# image kinds. Their formats are always sent, so an FBX import is asked for, never assumed.
_GLB_BY_DEFAULT = {"remesh", "retexture", "image-to-3d", "multi-image-to-3d"}


def _request_needed_formats(steps: list[Step]) -> None:
    """Ask Meshy for every model format a step's download needs, so a chained remesh imported
    as FBX asks for ``fbx`` instead of failing after it was paid. A remesh feeding a later step
    (a rig) keeps GLB, the format Meshy's rigging reads."""
    for n, step in enumerate(steps):
        if step.kind not in _TARGET_FORMAT_KINDS:
            continue
        needed = [d for d in step.downloads if d in ("glb", "fbx")]
        given = step.options.get("target_formats")
        texture_it = step.kind == "text-to-3d-refine" and "preview_task_id" in step.options
        if given is None and step.kind not in _GLB_BY_DEFAULT and not texture_it:
            continue  # a text to 3D call: Meshy's default includes GLB and FBX (A5)
        formats = [str(f).lower() for f in (given if given is not None else ["glb"])]
        if step.kind == "remesh" and n + 1 < len(steps):
            needed.append("glb")
        missing = [f for f in needed if f not in formats]
        if missing or given is None:
            step.options["target_formats"] = formats + missing


def _text_to_3d(options: dict[str, Any]) -> Step:
    """One Meshy API v2 text-to-3d task: a textured model (the ``refine`` step, so History and
    the journal name it as before) or, with ``should_texture=False``, a shape to texture later."""
    texture = validation.boolean("should_texture", options.pop("should_texture", True))
    if texture:
        return Step("refine", "text-to-3d-refine", options)
    stray = sorted(REFINE_ONLY & options.keys())
    if stray:
        raise ValidationError(
            f"{', '.join(stray)} need texturing; set should_texture=True or drop them.",
            field=stray[0])
    return Step("preview", "text-to-3d-preview", options)


def _refine_existing(options: dict[str, Any]) -> Step:
    """Texture a shape Meshy already made (``preview_task_id``): one retexture of it on Meshy
    API v2 (the ``refine`` step), no new shape, so the geometry is never paid twice."""
    texture = options.pop("should_texture", None)
    if texture is not None:
        validation.boolean("should_texture", texture)  # a typo is refused here too
    # The shape exists: what made it (prompt, topology, polycount ... also when a studio
    # policy pins them for text to 3D) no longer applies. Anything else is validated as usual.
    for key in specs.OPTIONS["text-to-3d-preview"].keys() - REFINE_ONLY - SHARED_PREVIEW_REFINE:
        options.pop(key, None)
    for key in ("auto_size", "origin_at"):  # the shape keeps its size and origin
        options.pop(key, None)
    return Step("refine", "text-to-3d-refine", options)


def plan_job(request: str, options: dict[str, Any], *, label: str | None = None,
             import_options: dict[str, Any] | None = None) -> Job:
    """Build, validate and price a job. Raises client ValidationError on bad input."""
    if request not in REQUEST_KINDS:
        raise ValidationError(f"Unknown request {request!r}.", field="request")
    options = dict(options)
    _refuse_the_key(options)
    import_options = dict(import_options or {})
    fmt = str(import_options.get("format", "GLB"))
    chain = {k: options.pop(k) for k in CHAIN_KEYS if k in options}
    metadata = options.pop("metadata", None)
    check_rig = rig_check.wanted(options.pop(rig_check.OPTION, None))
    steps: list[Step]
    if request == "text-to-3d" and options.get("preview_task_id"):
        steps = [_refine_existing(options)]
    elif request == "text-to-3d":
        steps = [_text_to_3d(options)]
    elif request == "animate" and ("action_ids" in options or "motion_task_id" in options):
        steps = [Step("animate", "animate", options)]  # one task: several clips or a motion
    elif request == "animate":
        action_ids = chain.pop("animations", None) or [options.pop("action_id", None)]
        steps = [Step(f"animate{n}" if n else "animate", "animate", {**options, "action_id": a})
                 for n, a in enumerate(action_ids)]
    elif request == "rig" and check_rig:
        steps = [rig_check.check_step(options), Step(request, request, options)]
    else:
        steps = [Step(request, request, options)]
    _special_chains(request, steps, chain)
    if request not in UNCHAINED:
        _chain_tail(steps, chain, fmt, check_rig=check_rig)
    elif any(_enabled(chain.get(k)) for k in ("remesh", "rig")):
        raise ValidationError(f"{request} results cannot be remeshed or rigged.",
                                    field="remesh")
    _assign_downloads(steps, fmt)
    _request_needed_formats(steps)
    if metadata is not None:  # the job's cost labels go with every task it creates
        for step in steps:
            step.options["metadata"] = metadata
    for step in steps:
        placeholders = {name: PLACEHOLDER_TASK_ID for name in step.links.values()}
        payload = build_step_payload(step, placeholders, encode_files=False)
        price = specs.quote(step.kind, payload)
        step.estimated_credits = price.credits
        step.price_published, step.price_note = price.published, price.note
    default_label = (options.get("prompt") or ("textured shape" if steps[0].kind ==
                     "text-to-3d-refine" else request.replace("-", " ")))
    # as written; only the registered key itself is masked (pasted into the wrong field, it
    # would name objects in the .blend): "bearer" or "msy_shot_0070" in a label stay
    return Job(kind=request, label=mask_secrets(label or default_label), steps=steps,
               import_options=import_options)


def _refuse_the_key(options: dict[str, Any]) -> None:
    """The configured API key pasted into an option (a prompt) would travel in the request
    body and the journal: refused, nothing sent. Text that only looks like a key is sent as
    written."""
    for name, value in options.items():
        text = json.dumps(value, default=str) if not isinstance(value, str) else value
        if mask_secrets(text) != text:
            raise ValidationError(f"The {name.replace('_', ' ')} holds your Meshy API key; "
                                  "remove it. Nothing was sent.", field=name)


def _special_chains(request: str, steps: list[Step], chain: dict[str, Any]) -> None:
    """UV unwrap -> retexture keeping the new UVs; text-to-motion -> applied to a rig."""
    retexture = chain.pop("retexture", None)
    rig_task_id = chain.pop("apply_to_rig", None)
    if retexture is not None and request != "uv-unwrap":
        raise ValidationError("Only a UV unwrap can be chained into retexture; retexture the "
                              "model directly.", field="retexture")
    if rig_task_id is not None and request != "text-to-motion":
        raise ValidationError("'apply_to_rig' applies a text-to-motion; use 'animations' "
                              "for library actions.", field="apply_to_rig")
    if _enabled(retexture):
        options = {**(retexture if isinstance(retexture, dict) else {}),
                   "enable_original_uv": True}
        steps.append(Step("retexture", "retexture", options,
                          links={"input_task_id": steps[-1].name}))
    if rig_task_id is not None:
        steps.append(Step("animate", "animate",
                          {"rig_task_id": validation.task_id("apply_to_rig", rig_task_id)},
                          links={"motion_task_id": steps[-1].name}))


def build_step_payload(step: Step, task_ids: dict[str, str], *,
                       encode_files: bool = True) -> dict[str, Any]:
    """The validated request payload for a step, with linked task ids filled in.

    Planning (main thread) passes ``encode_files=False``: local images and models are checked
    but only read and base64-encoded later, on the worker that sends them.
    """
    options = dict(step.options)
    for field, source in step.links.items():
        options[field] = task_ids[source]
    return specs.build_payload(step.kind, encode_files=encode_files, **options)


def quote(request: str, options: dict[str, Any]) -> Quote:
    """The whole chain's price and whether Meshy publishes it (else: ask before spending)."""
    job = plan_job(request, options)
    return Quote(job.estimated_credits, job.price_published, "; ".join(job.price_notes))


def plan_resume(kind: str, task_id: str, *, label: str | None = None,
                import_options: dict[str, Any] | None = None) -> Job:
    """A job that follows an existing Meshy task (already paid) to its result and imports it.

    Its only step already holds ``task_id`` and is WAITING, so the runner never posts anything:
    it waits for the task, downloads and hands the files to the main thread like any job.
    """
    if kind not in RESUMABLE_KINDS:
        raise ValidationError(f"Cannot resume a {kind!r} task; choose one of "
                              f"{', '.join(RESUMABLE_KINDS)}.", field="kind")
    task_id = validation.task_id("task_id", task_id)
    import_options = dict(import_options or {})
    name = "preview" if kind == "text-to-3d-preview" else (
        "refine" if kind == "text-to-3d-refine" else kind)
    step = Step(name, kind, {}, task_id=task_id, status=STEP_WAITING)
    _assign_downloads([step], str(import_options.get("format", "GLB")))
    request = "text-to-3d" if kind.startswith("text-to-3d") else kind
    return Job(kind=request, label=mask_secrets(label or f"{kind} {task_id[:8]}"), steps=[step],
               import_options=import_options)


def plan_request(req: JobRequest) -> Job:
    """The job for a request: a new chain (validated and priced) or, for a resume, one step that
    follows the existing task. Nothing is sent."""
    import_options = req.import_options.to_dict()
    if req.is_resume:
        job = plan_resume(req.request, req.resume_task_id, label=req.label or None,
                          import_options=import_options)
    else:
        job = plan_job(req.request, dict(req.options), label=req.label or None,
                       import_options=import_options)
    job.job_key = req.job_key or None
    return job

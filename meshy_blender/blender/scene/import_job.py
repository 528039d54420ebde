"""Land a finished job in the scene: a table of landers (``LANDERS``), asked in order, picks
the importer for what the job produced.

Called by the pump on the main thread with a job snapshot whose files are already in the cache.
Provenance carries task ids, kind, prompt, model and credits: never a URL or the key.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bpy

from ...jobs import rig_check
from ...jobs.request import ImportOptions
from . import assets, candidates, import_images_motion_print, importer, intermediate, selection
from .migrations import OBJECT_KEY, OBJECT_SCHEMA


def provenance(snapshot: dict[str, Any]) -> dict[str, object]:
    steps = snapshot.get("steps", [])
    first_options = steps[0].get("options", {}) if steps else {}
    data: dict[str, object] = {
        "meshy_job_id": snapshot["id"],
        "meshy_kind": snapshot["kind"],
        "meshy_task_ids": ",".join(
            f"{s['name']}={s['task_id']}" for s in steps if s.get("task_id")),
        "meshy_credits": int(snapshot.get("consumed_credits") or 0),
        OBJECT_KEY: OBJECT_SCHEMA,  # the provenance layout (migrations.py)
    }
    for key, option in (("meshy_prompt", "prompt"), ("meshy_model", "ai_model")):
        value = first_options.get(option)
        if isinstance(value, str) and value:
            data[key] = value
    if "meshy_prompt" not in data and [s.get("kind") for s in steps] == ["text-to-3d-refine"]:
        data["meshy_prompt"] = str(snapshot.get("label") or "")  # a shape textured later
    rig_type = rig_check.rig_type_in((s.get("kind"), s.get("report")) for s in steps)
    if rig_type:  # biped or quadruped: the Animate list offers that rig type's clips
        data[selection.RIG_TYPE_KEY] = rig_type
    final = steps[-1] if steps else {}
    # A shape without texture (shape first): the sidebar offers "Texture It" for it.
    if final.get("kind") == "text-to-3d-preview" or (
            final.get("options", {}).get("should_texture") is False):
        data["meshy_untextured"] = True
    return data


def thumbnail_of(snapshot: dict[str, Any]) -> str | None:
    """The downloaded Meshy thumbnail of a job's result (its last step that has one)."""
    for step in reversed(snapshot.get("steps", [])):
        path = step.get("files", {}).get("thumbnail")
        if path:
            return str(path)
    return None


KEEP_SHAPE = "meshy_keep_shape"  # set by Texture It's "Keep the Shapes": hide, do not remove


def replaced_shape(snapshot: dict[str, Any], opts: ImportOptions) -> Any:
    """The untextured shape this job textures in place (shape first's Texture It: a refine of
    its preview, or a retexture of its image shape), else None; never the artist's own mesh."""
    source = _source_object(opts)
    if source is None or opts.placement != "REPLACE" or not source.get("meshy_untextured"):
        return None
    steps = snapshot.get("steps", [])
    if not steps or steps[0].get("kind") not in ("text-to-3d-refine", "retexture"):
        return None  # e.g. a remesh replacing the shape: the artist's own choice, kept hidden
    first = steps[0].get("options", {})
    made_from = {first.get("preview_task_id"), first.get("input_task_id")} - {None}
    return source if selection.model_task_id(source) in made_from else None


def set_aside(roots: list[Any]) -> None:
    """Shapes shape first is done with: removed from the file (with their job collection once
    empty), or, where the artist keeps them, hidden and no longer assets."""
    kept = [r for r in roots if r.get(KEEP_SHAPE)]
    for root in kept:
        for obj in (root, *root.children_recursive):
            if obj.asset_data is not None:
                obj.asset_clear()
    intermediate.discard([r for r in roots if not r.get(KEEP_SHAPE)])


def _after_import(snapshot: dict[str, Any], prov: dict[str, object],
                  stand_ins: list[Any] | None = None) -> Any:
    """The ``after`` hook run inside the import's undo step: the job's intermediate stand-ins
    go, a candidate takes its place in the row, and the result is marked as an asset when the
    job asked for it (else None)."""
    opts = ImportOptions.from_dict(snapshot.get("import_options"))
    shape = replaced_shape(snapshot, opts)
    if not opts.mark_asset and not opts.candidate and not stand_ins and shape is None:
        return None
    steps = snapshot.get("steps", [])
    kind = str(steps[-1]["kind"]) if steps else str(snapshot["kind"])
    if any(s["kind"] == "rig" for s in steps):
        kind = "rig"

    def after(result: importer.ImportResult) -> None:
        if shape is not None:  # Texture It: the textured model stands where the shape stood
            set_aside([shape])
        if stand_ins:
            own = opts.placement != "REPLACE"  # it replaced the stand-in, not the artist's
            intermediate.discard(stand_ins)
            for root in result.root_objects:
                if own and root.get("meshy_replaces") is not None:
                    del root["meshy_replaces"]
        if opts.candidate:
            candidates.place(result, opts.candidate, opts.candidate_group)
        if opts.mark_asset:
            for obj in result.root_objects:
                assets.mark(obj, kind=kind, model=str(prov.get("meshy_model") or ""),
                            prompt=str(prov.get("meshy_prompt") or ""),
                            thumbnail=thumbnail_of(snapshot))
            _catalogs_now()

    return after


def _catalogs_now() -> None:
    """A saved file's Asset Browser shows the new catalog before the next save (an unsaved
    file's are written when it is first saved); a folder that cannot be written waits too."""
    if bpy.data.filepath:
        with contextlib.suppress(OSError):  # the next save tries again and tells the artist
            assets.write_file_catalogs(bpy.data.filepath)


def _files(snapshot: dict[str, Any], kind: str) -> list[dict[str, str]]:
    return [s.get("files", {}) for s in snapshot.get("steps", []) if s["kind"] == kind]


def _action_name(opts: ImportOptions, step: dict[str, Any]) -> str:
    action_id = step.get("options", {}).get("action_id")
    return str(opts.action_names.get(str(action_id)) or f"Meshy_Action_{action_id}")


def _source_object(opts: ImportOptions) -> bpy.types.Object | None:
    return bpy.data.objects.get(opts.source_object) if opts.source_object else None


@dataclass
class Landing:
    """What every lander gets for one finished job: its snapshot and where and how it lands."""

    snapshot: dict[str, Any]
    opts: ImportOptions
    name: str
    prov: dict[str, object]
    placement: str
    source: Any
    stand_ins: list[Any]
    context: Any

    @property
    def steps(self) -> list[dict[str, Any]]:
        return list(self.snapshot.get("steps", []))

    @property
    def animate_steps(self) -> list[dict[str, Any]]:
        return [s for s in self.steps if s["kind"] == "animate" and s.get("files")]


def _land_rig(job: Landing) -> Any:
    """A rigged character (and the animations chained after it), else None."""
    rig_files = next((f for f in reversed(_files(job.snapshot, "rig")) if f), None)
    if not rig_files:
        return None
    char = rig_files.get("rigged_character_glb") or rig_files.get("rigged_character_fbx")
    clips = {label: Path(rig_files[key]) for label, key in
             (("Walking", "walking_armature_glb"), ("Running", "running_armature_glb"),
              ("Walking", "walking_fbx"), ("Running", "running_fbx"))
             if rig_files.get(key)}
    result = importer.import_rig(Path(str(char)), clips=clips, name=job.name,
                                 provenance=job.prov, placement=job.placement,
                                 source_object=job.source, context=job.context,
                                 after=_after_import(job.snapshot, job.prov, job.stand_ins))
    if result.armature is None:
        raise importer.MeshyImportError("Meshy's rigged character has no armature.")
    for step in job.animate_steps:
        clip = next(iter(step["files"].values()))
        result.actions.append(importer.add_animation(
            result.armature, Path(clip), action_name=_action_name(job.opts, step),
            provenance=job.prov, context=job.context))
    return result


def _land_images_motion_print(job: Landing) -> Any:
    """Pictures, a motion, clips in one task or a print result (not a model), else None."""
    return import_images_motion_print.land(job.snapshot, job.opts, job.name, job.prov,
                                           job.context)


def _land_animation(job: Landing) -> Any:
    """Animations alone, added to the armature they were made for, else None."""
    animate_steps, steps = job.animate_steps, job.steps
    if not animate_steps or len(animate_steps) != len(steps):
        return None
    target = bpy.data.objects.get(job.opts.target_armature)
    if target is None or target.type != "ARMATURE":
        raise importer.MeshyImportError(
            "The armature this animation was made for is not in this file any more; "
            "select a Meshy rig and use Re-import.")
    return [importer.add_animation(target, Path(next(iter(s["files"].values()))),
                                   action_name=_action_name(job.opts, s), provenance=job.prov,
                                   context=job.context)
            for s in animate_steps]


def _land_model(job: Landing) -> Any:
    """The job's final model (GLB, else FBX): what every other job lands as."""
    steps = job.steps
    final = steps[-1] if steps else {}
    model_path = final.get("files", {}).get("glb") or final.get("files", {}).get("fbx")
    if not model_path:
        raise importer.MeshyImportError("This job has no downloaded model to import.")
    return importer.import_model(Path(model_path), name=job.name, provenance=job.prov,
                                 placement=job.placement, source_object=job.source,
                                 context=job.context,
                                 after=_after_import(job.snapshot, job.prov, job.stand_ins))


# Asked in order; the first that returns something landed the job (None: not its kind). A new
# result that is not a model adds its lander here, before the model, the one that always lands.
LANDERS: tuple[Callable[[Landing], Any], ...] = (
    _land_rig, _land_images_motion_print, _land_animation, _land_model)


def import_job(snapshot: dict[str, Any], context: bpy.types.Context | None = None) -> Any:
    """Import a READY job's files; raises importer.MeshyImportError with an artist's message."""
    opts = ImportOptions.from_dict(snapshot.get("import_options"))
    placement, source = opts.placement, _source_object(opts)
    stand_ins = intermediate.of_job(str(snapshot["id"]))
    if stand_ins and placement != "REPLACE":  # the result takes the stand-in's place
        placement, source = "REPLACE", stand_ins[-1]
    job = Landing(snapshot, opts, str(snapshot.get("label") or snapshot["kind"]),
                  provenance(snapshot), placement, source, stand_ins, context)
    for lander in LANDERS:
        landed = lander(job)
        if landed is not None:
            return landed
    return None  # not reached: the model lander lands or raises


def import_intermediate(snapshot: dict[str, Any], context: bpy.types.Context | None = None) -> Any:
    """Show a running chain's newest intermediate model (see scene/intermediate.py); it takes
    the previous stand-in's place, else lands where the result will."""
    step = intermediate.step_to_show(snapshot)
    if step is None:
        return None
    opts = ImportOptions.from_dict(snapshot.get("import_options"))
    previous = intermediate.of_job(str(snapshot["id"]))
    placement, source = opts.placement, _source_object(opts)
    if previous:
        placement, source = "REPLACE", previous[-1]
    prov = {**provenance({**snapshot, "steps": snapshot["steps"][
        :snapshot["steps"].index(step) + 1]}), intermediate.MARK: True}
    name = f"{snapshot.get('label') or snapshot['kind']} {step['name']}"

    def after(result: importer.ImportResult) -> None:
        intermediate.discard(previous)

    return importer.import_model(Path(step["files"]["glb"]), name=name, provenance=prov,
                                 placement=placement, source_object=source, context=context,
                                 after=after, undo_step=False)

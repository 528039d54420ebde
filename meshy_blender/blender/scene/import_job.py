"""Land a finished job in the scene: pick the right importer for what the job produced.

Called by the pump on the main thread with a job snapshot whose files are already in the cache.
Provenance carries task ids, kind, prompt, model and credits: never a URL or the key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bpy

from ...jobs.request import ImportOptions
from . import import_newer, importer


def provenance(snapshot: dict[str, Any]) -> dict[str, object]:
    steps = snapshot.get("steps", [])
    first_options = steps[0].get("options", {}) if steps else {}
    data: dict[str, object] = {
        "meshy_job_id": snapshot["id"],
        "meshy_kind": snapshot["kind"],
        "meshy_task_ids": ",".join(
            f"{s['name']}={s['task_id']}" for s in steps if s.get("task_id")),
        "meshy_credits": int(snapshot.get("consumed_credits") or 0),
    }
    for key, option in (("meshy_prompt", "prompt"), ("meshy_model", "ai_model")):
        value = first_options.get(option)
        if isinstance(value, str) and value:
            data[key] = value
    return data


def _files(snapshot: dict[str, Any], kind: str) -> list[dict[str, str]]:
    return [s.get("files", {}) for s in snapshot.get("steps", []) if s["kind"] == kind]


def _action_name(opts: ImportOptions, step: dict[str, Any]) -> str:
    action_id = step.get("options", {}).get("action_id")
    return str(opts.action_names.get(str(action_id)) or f"Meshy_Action_{action_id}")


def _source_object(opts: ImportOptions) -> bpy.types.Object | None:
    return bpy.data.objects.get(opts.source_object) if opts.source_object else None


def import_job(snapshot: dict[str, Any], context: bpy.types.Context | None = None) -> Any:
    """Import a READY job's files; raises importer.MeshyImportError with an artist's message."""
    opts = ImportOptions.from_dict(snapshot.get("import_options"))
    name = str(snapshot.get("label") or snapshot["kind"])
    prov = provenance(snapshot)
    placement = opts.placement
    source = _source_object(opts)
    steps = snapshot.get("steps", [])
    animate_steps = [s for s in steps if s["kind"] == "animate" and s.get("files")]

    rig_files = next((f for f in reversed(_files(snapshot, "rig")) if f), None)
    if rig_files:
        char = rig_files.get("rigged_character_glb") or rig_files.get("rigged_character_fbx")
        clips = {label: Path(rig_files[key]) for label, key in
                 (("Walking", "walking_armature_glb"), ("Running", "running_armature_glb"),
                  ("Walking", "walking_fbx"), ("Running", "running_fbx"))
                 if rig_files.get(key)}
        result = importer.import_rig(Path(str(char)), clips=clips, name=name, provenance=prov,
                                     placement=placement, source_object=source, context=context)
        if result.armature is None:
            raise importer.MeshyImportError("Meshy's rigged character has no armature.")
        for step in animate_steps:
            clip = next(iter(step["files"].values()))
            result.actions.append(importer.add_animation(
                result.armature, Path(clip), action_name=_action_name(opts, step),
                provenance=prov, context=context))
        return result

    landed = import_newer.land(snapshot, opts, name, prov, context)
    if landed is not None:
        return landed

    if animate_steps and len(animate_steps) == len(steps):
        target = bpy.data.objects.get(opts.target_armature)
        if target is None or target.type != "ARMATURE":
            raise importer.MeshyImportError(
                "The armature this animation was made for is not in this file any more; "
                "select a Meshy rig and use Re-import.")
        return [importer.add_animation(target, Path(next(iter(s["files"].values()))),
                                       action_name=_action_name(opts, s), provenance=prov,
                                       context=context)
                for s in animate_steps]

    final = steps[-1] if steps else {}
    model_path = final.get("files", {}).get("glb") or final.get("files", {}).get("fbx")
    if not model_path:
        raise importer.MeshyImportError("This job has no downloaded model to import.")
    return importer.import_model(Path(model_path), name=name, provenance=prov,
                                 placement=placement, source_object=source, context=context)

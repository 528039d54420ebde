"""Land downloaded Meshy results in the scene: models, rigged characters and animation clips.

Main-thread only (the jobs pump calls it with files already on disk). Each call is one
transaction: on success the artist gets a collection under "Meshy", named and placed objects
with provenance, and exactly one undo step; on failure every datablock the call created is
removed again and a :class:`MeshyImportError` says what went wrong (the file stays in the cache).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bpy
from mathutils import Matrix

from ...client.errors import MeshyError
from ...jobs.request import PLACEMENTS
from .actions import actions_used_by, animated_bones, push_to_nla
from .clip_order import file_order
from .naming import child_name, safe_name
from .op_context import (
    call_unevaluated,
    leave_edit_modes,
    operator_context,
    push_undo_step,
    return_to_mode,
)
from .provenance import apply_provenance, clean_provenance
from .scene_state import DataSnapshot, SceneSettings, SelectionState, deselect_all

ROOT_COLLECTION = "Meshy"
_IMPORTERS = {".glb": "GLTF", ".gltf": "GLTF", ".fbx": "FBX", ".bvh": "BVH"}
# glTF importer options we rely on, passed only when this Blender's importer has them: no bone
# display-shape objects (they land in a stray "glTF_not_exported" collection), no extra collection.
_GLTF_OPTIONS = {"disable_bone_shape": True, "import_scene_as_collection": False}


class MeshyImportError(MeshyError):
    """An import that could not be done. The message is meant for the artist; the downloaded
    files stay in the cache so the import can be retried without paying again. A MeshyError,
    so scripts that catch the documented family catch this too."""

    default_message = "The result could not be imported."


@dataclass
class ImportResult:
    """What an import made. Root objects' ``matrix_world`` is right at once; children's follows
    the next evaluation (a redraw, or ``view_layer.update()``, which background mode does here)."""

    collection: bpy.types.Collection
    objects: list[bpy.types.Object]
    root_objects: list[bpy.types.Object]
    armature: bpy.types.Object | None
    actions: list[bpy.types.Action] = field(default_factory=list)


# ------------------------------------------------------------------ public API

def import_model(path: Path, *, name: str, provenance: Mapping[str, object],
                 placement: str = "CURSOR", source_object: bpy.types.Object | None = None,
                 context: bpy.types.Context | None = None,
                 after: Callable[[ImportResult], None] | None = None,
                 undo_step: bool = True) -> ImportResult:
    """Import a GLB/glTF or FBX file (chosen by extension) as one undoable step; ``after``
    (e.g. asset marking) runs inside that step, so undo takes it back with the import.
    ``undo_step=False``: no step of its own (a chain's stand-in: the job's result, which
    replaces it, is the one undo step of the whole job)."""
    path = Path(path)
    _check_placement(placement, source_object)
    with _import_session(context, f"Meshy: import {safe_name(name)}", undo_step) as ctx:
        collection = _job_collection(ctx, name)
        objects, actions = _run_importer(ctx, path, collection)
        result = _finish(ctx, collection, objects, name=name, provenance=provenance, path=path,
                         placement=placement, source_object=source_object)
        result.actions = _ordered_actions(objects, actions)
        if after is not None:
            after(result)
    return result


def import_rig(character: Path, *, clips: Mapping[str, Path], name: str,
               provenance: Mapping[str, object], placement: str = "CURSOR",
               source_object: bpy.types.Object | None = None,
               context: bpy.types.Context | None = None,
               after: Callable[[ImportResult], None] | None = None) -> ImportResult:
    """Import a rigged character and put each clip (``{"Walking": path, ...}``; armature-only or
    with-skin files) on its armature as an NLA track; the clips' own copies are discarded."""
    character = Path(character)
    _check_placement(placement, source_object)
    with _import_session(context, f"Meshy: import rig {safe_name(name)}") as ctx:
        collection = _job_collection(ctx, name)
        objects, _ = _run_importer(ctx, character, collection)
        armature = _first_armature(objects)
        if armature is None:
            raise MeshyImportError(f"'{character.name}' holds no armature, so it is not a rigged "
                                   "character. Nothing was imported.")
        result = _finish(ctx, collection, objects, name=name, provenance=provenance,
                         path=character, placement=placement, source_object=source_object)
        for action_name, clip in clips.items():
            result.actions.append(_merge_clip(ctx, armature, Path(clip), action_name))
        if after is not None:
            after(result)
    return result


def add_animation(armature: bpy.types.Object, clip: Path, *, action_name: str,
                  provenance: Mapping[str, object],
                  context: bpy.types.Context | None = None) -> bpy.types.Action:
    """Add the animation in `clip` to an existing armature as a new action on its own NLA track.

    Bone names must match (a Meshy animation of a Meshy rig); otherwise nothing changes and a
    MeshyImportError names the missing bones.
    """
    try:
        is_armature = armature is not None and armature.type == "ARMATURE"
    except ReferenceError:  # the object was deleted while the job ran
        is_armature = False
    if not is_armature:
        raise MeshyImportError("Animations can only be added to an armature: select the rigged "
                               "character's armature and try again.")
    with _import_session(context, f"Meshy: add animation {action_name}") as ctx:
        action = _merge_clip(ctx, armature, Path(clip), action_name)
        apply_provenance(action, clean_provenance(provenance))
    return action


def add_animations(armature: bpy.types.Object, clip: Path, *, action_names: list[str],
                   provenance: Mapping[str, object],
                   context: bpy.types.Context | None = None) -> list[bpy.types.Action]:
    """Add every clip in `clip` (one Meshy task with several actions) to `armature`: one action
    per clip, named in order from `action_names`, each on its own NLA track (one undo step)."""
    if armature is None or armature.type != "ARMATURE":
        raise MeshyImportError("Animations can only be added to an armature: select the rigged "
                               "character's armature and try again.")
    with _import_session(context, f"Meshy: add {len(action_names)} animations") as ctx:
        found = _merge_clips(ctx, armature, Path(clip), list(action_names))
        for action in found:
            apply_provenance(action, clean_provenance(provenance))
    return found


# ------------------------------------------------------------------ transaction

@contextmanager
def _import_session(context: Any, undo_message: str, undo_step: bool = True) -> Iterator[Any]:
    """Object mode, valid operator context, rollback on failure, one undo step on success."""
    with operator_context(context) as ctx:
        mode_state = leave_edit_modes(ctx)
        # Evaluate what the caller changed (a script that just moved the object to replace), as
        # bpy.ops does before any operator; free when nothing is pending, as in the UI. From here
        # on, nothing is evaluated until the end (see call_unevaluated).
        ctx.view_layer.update()
        snapshot = DataSnapshot.take()
        settings = SceneSettings.take(ctx.scene)
        selection = SelectionState.take(ctx.view_layer)
        try:
            yield ctx
        except Exception as exc:
            snapshot.remove_new()
            settings.restore(ctx.scene)
            selection.restore(ctx.view_layer)
            return_to_mode(ctx, mode_state)
            if isinstance(exc, MeshyImportError):
                raise
            raise MeshyImportError(f"Import failed: {_first_line(exc)}") from exc
        settings.restore(ctx.scene)  # importers may change fps/frame range; the artist's stay
        if bpy.app.background:
            # No redraw will evaluate the import: do it once here, as the bare importer called
            # from Python does, so scripts read evaluated data. In the UI the next redraw does it.
            ctx.view_layer.update()
        if undo_step:
            push_undo_step(undo_message)


def _check_placement(placement: str, source_object: Any) -> None:
    if placement not in PLACEMENTS:
        raise MeshyImportError(f"Unknown placement {placement!r}; use one of {PLACEMENTS}.")
    if placement == "REPLACE":
        try:
            ok = source_object is not None and bool(source_object.name)
        except ReferenceError:
            ok = False
        if not ok:
            raise MeshyImportError("'Replace' needs the original object, which no longer exists. "
                                   "Import at the 3D cursor instead.")


# ------------------------------------------------------------------ collections

def _meshy_collection(scene: Any) -> Any:
    """The top-level "Meshy" collection of this scene, created or re-linked when missing."""
    for child in scene.collection.children_recursive:
        if child.name == ROOT_COLLECTION and child.library is None:
            return child
    coll = bpy.data.collections.get(ROOT_COLLECTION)
    if coll is None or coll.library is not None:
        coll = bpy.data.collections.new(ROOT_COLLECTION)
    scene.collection.children.link(coll)
    return coll


def _job_collection(ctx: Any, name: str) -> Any:
    parent = _meshy_collection(ctx.scene)
    coll = bpy.data.collections.new(safe_name(name))
    parent.children.link(coll)
    for layer in (_layer_of(ctx.view_layer, parent), _layer_of(ctx.view_layer, coll)):
        if layer is not None and layer.exclude:
            layer.exclude = False  # an excluded "Meshy" collection would swallow the import
    return coll


def _layer_of(view_layer: Any, collection: Any) -> Any:
    stack = [view_layer.layer_collection]
    while stack:
        layer = stack.pop()
        if layer.collection == collection:
            return layer
        stack.extend(layer.children)
    return None


# ------------------------------------------------------------------ running Blender's importers

# What Blender's glTF importer loads on its first call in a session (its Python modules: about
# 90 ms on a 2-core machine, against 15 ms for each import after it); names per Blender version.
_GLTF_IMPORT_MODULES = ("io.imp.gltf2_io_gltf", "blender.imp.blender_gltf",
                        "blender.imp.gltf2_blender_gltf")


def warm_up() -> None:
    """Load the glTF importer's modules now (nothing in the file changes): a headless run calls
    this while its tasks run on Meshy, so its first import costs what every other one costs."""
    import importlib

    op_class = getattr(bpy.types, "IMPORT_SCENE_OT_gltf", None)
    package = getattr(op_class, "__module__", "") if op_class is not None else ""
    if not package:  # the glTF add-on is disabled: the import will say so
        return
    for name in _GLTF_IMPORT_MODULES:
        try:
            importlib.import_module(f"{package}.{name}")
        except ImportError:  # another Blender's layout: its own name is in the list
            continue


def _run_importer(ctx: Any, path: Path, collection: Any) -> tuple[list[Any], list[Any]]:
    """Import `path` into `collection`; returns (new objects, new actions)."""
    kind = _IMPORTERS.get(path.suffix.lower())
    if kind is None:
        raise MeshyImportError(f"Cannot import '{path.name}': only GLB/glTF, FBX and BVH files "
                               "can be placed in the scene (the file is kept in the cache).")
    if not path.is_file():
        raise MeshyImportError(f"The downloaded file '{path}' is missing; download it again.")
    snapshot = DataSnapshot.take()
    view_layer = ctx.view_layer
    previous = view_layer.active_layer_collection
    layer = _layer_of(view_layer, collection)
    if layer is not None:
        view_layer.active_layer_collection = layer
    ops: Any = bpy.ops  # importer options differ per Blender version; checked below
    try:
        if kind == "GLTF":
            op = ops.import_scene.gltf
            props = {p.identifier for p in op.get_rna_type().properties}
            options = {k: v for k, v in _GLTF_OPTIONS.items() if k in props}
            outcome = call_unevaluated(op, filepath=str(path), **options)
        elif kind == "BVH":  # a text-to-motion "swift" result: an armature with its motion
            outcome = call_unevaluated(ops.import_anim.bvh, filepath=str(path))
        else:
            outcome = call_unevaluated(ops.import_scene.fbx, filepath=str(path))
    except Exception as exc:  # operators raise RuntimeError on error reports and importer bugs
        raise MeshyImportError(_unreadable(path, exc)) from exc
    finally:
        view_layer.active_layer_collection = previous
    if "FINISHED" not in outcome:
        raise MeshyImportError(_unreadable(path, None))
    objects = snapshot.new("objects")
    if not objects:
        raise MeshyImportError(f"'{path.name}' contains nothing to import.")
    for obj in objects:  # anything an importer linked elsewhere joins the job's collection
        if collection not in obj.users_collection:
            collection.objects.link(obj)
        for other in list(obj.users_collection):
            if other != collection:
                other.objects.unlink(obj)
    for stray in snapshot.new("collections"):
        if stray != collection:
            bpy.data.collections.remove(stray)
    return objects, snapshot.new("actions")


def _unreadable(path: Path, exc: Exception | None) -> str:
    detail = f" (Blender said: {_first_line(exc)})" if exc is not None else ""
    return (f"Blender could not read '{path.name}'{detail}. The file may be damaged or "
            f"incomplete; it is kept at {path}.")


def _first_line(exc: BaseException) -> str:
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    text = lines[-1] if lines else type(exc).__name__
    return text[:300]


# ------------------------------------------------------------------ naming, placement, provenance

def _finish(ctx: Any, collection: Any, objects: list[Any], *, name: str,
            provenance: Mapping[str, object], path: Path, placement: str,
            source_object: Any) -> ImportResult:
    base = safe_name(name)
    roots = [o for o in objects if o.parent is None]
    originals = {o: o.name for o in objects}
    for obj in objects:
        obj.name = base if obj in roots else child_name(base, originals[obj])

    # Roots have no parent, so their world matrix is their basis: set both here instead of
    # evaluating the whole scene for it.
    offset = Matrix.Identity(4)
    if placement == "CURSOR":
        offset = Matrix.Translation(ctx.scene.cursor.location)
    elif placement == "REPLACE":
        offset = source_object.matrix_world.copy()
    for root in roots:
        root.matrix_world = offset @ root.matrix_basis
    if placement == "REPLACE":
        source_object.hide_viewport = True
        source_object.hide_render = True
        if source_object.name in ctx.view_layer.objects:
            source_object.hide_set(True)

    props = clean_provenance(provenance)
    props.setdefault("meshy_file", path.name)
    if placement == "REPLACE":
        props["meshy_replaces"] = source_object.name
    for root in roots:
        apply_provenance(root, props)

    armature = _first_armature(objects)
    deselect_all(ctx.view_layer)
    for obj in objects:
        if obj.name in ctx.view_layer.objects:
            obj.select_set(True)
    ctx.view_layer.objects.active = armature or (roots[0] if roots else objects[0])
    return ImportResult(collection=collection, objects=objects, root_objects=roots,
                        armature=armature)


def _first_armature(objects: list[Any]) -> Any:
    return next((o for o in objects if o.type == "ARMATURE"), None)


def _ordered_actions(objects: list[Any], new_actions: list[Any]) -> list[Any]:
    found: list[Any] = []
    for obj in objects:
        for action in actions_used_by(obj):
            if action not in found:
                found.append(action)
    found.extend(a for a in new_actions if a not in found)
    return found


# ------------------------------------------------------------------ animation clips

def _merge_clip(ctx: Any, armature: Any, clip: Path, action_name: str) -> Any:
    """Import `clip` aside, keep only its skeleton action (renamed), and put it on `armature`."""
    return _merge_clips(ctx, armature, clip, [action_name], every=False)[0]


def _merge_clips(ctx: Any, armature: Any, clip: Path, action_names: list[str], *,
                 every: bool = True) -> list[Any]:
    """Import `clip` aside and put its skeleton actions on `armature`, one NLA track each, in
    the file's clip order (``every=False``: only the first); the clip's copies are discarded."""
    scratch = bpy.data.collections.new("Meshy clip import")
    ctx.scene.collection.children.link(scratch)
    snapshot = DataSnapshot.take()
    try:
        objects, actions = _run_importer(ctx, clip, scratch)
        clip_armature = _first_armature(objects)
        candidates = actions_used_by(clip_armature) if clip_armature is not None else []
        candidates += [a for a in actions if a not in candidates]
        found = [a for a in file_order(clip, candidates) if animated_bones(a)]
        if not found:
            raise MeshyImportError(f"'{clip.name}' contains no skeleton animation to add.")
        found = found if every else found[:1]
        for n, action in enumerate(found):
            _check_bones_match(armature, action, clip)
            wanted = action_names[n] if n < len(action_names) else ""
            action.name = (wanted or "").strip() or (action.name if every else "Meshy Animation")
        snapshot.remove_new(keep=found)  # the clip's duplicate character, materials, images
    finally:
        bpy.data.collections.remove(scratch)
    for action in found:
        push_to_nla(armature, action)
    return found


def _check_bones_match(armature: Any, action: Any, clip: Path) -> None:
    animated = animated_bones(action)
    missing = sorted(animated - set(armature.data.bones.keys()))
    if missing:
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        raise MeshyImportError(
            f"The animation in '{clip.name}' does not fit armature '{armature.name}': "
            f"{len(missing)} of its {len(animated)} animated bones are missing ({shown}). "
            "Animations fit only the rig Meshy made for the same character.")

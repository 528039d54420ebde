"""What the selection is, as far as Meshy is concerned: Meshy-made (with task ids) or not.

A Meshy-made object is sent back by its task id (``input_task_id``): nothing is uploaded and
Meshy works on its own full-quality copy. Everything else is exported and uploaded.
"""

from __future__ import annotations

from typing import Any

# Step names (see jobs.plans) whose task produced a model other tasks can take as input.
MODEL_STEPS = ("preview", "refine", "image-to-3d", "multi-image-to-3d", "retexture", "remesh")


def meshy_root(obj: Any) -> Any:
    """The object itself or the nearest parent carrying Meshy provenance, else None."""
    while obj is not None:
        if "meshy_task_ids" in obj:
            return obj
        obj = obj.parent
    return None


def task_ids(obj: Any) -> dict[str, str]:
    """``meshy_task_ids`` ("preview=<id>,refine=<id>") as an ordered {step name: task id}."""
    root = meshy_root(obj)
    if root is None:
        return {}
    out: dict[str, str] = {}
    for part in str(root.get("meshy_task_ids", "")).split(","):
        name, _, task_id = part.partition("=")
        if name.strip() and task_id.strip():
            out[name.strip()] = task_id.strip()
    return out


def model_task_id(obj: Any) -> str | None:
    """The task id of the newest model in the object's chain (what retexture/remesh/rig take)."""
    ids = [tid for name, tid in task_ids(obj).items() if name in MODEL_STEPS]
    return ids[-1] if ids else None


# On a kept discarded candidate: the session registry (jobs/deleted_tasks.py) is what survives
# undo; this mark is what survives saving the file and starting Blender again.
DELETED_MARK = "meshy_deleted_on_meshy"


def deleted_on_meshy(obj: Any) -> bool:
    """Whether the object's model (or rig) task was deleted on Meshy this session: nothing
    paid may be asked for it, even after Ctrl-Z brought the object back."""
    from ...jobs import deleted_tasks
    root = meshy_root(obj)
    if root is not None and root.get(DELETED_MARK):
        return True  # a kept discarded candidate, in a later session
    return any(deleted_tasks.is_deleted(t) for t in task_ids(obj).values())


def rig_task_id(obj: Any) -> str | None:
    """The rig task id of an armature Meshy rigged, else None (Animate needs one)."""
    if obj is None or obj.type != "ARMATURE":
        return None
    return task_ids(obj).get("rig")


RIG_TYPE_KEY = "meshy_rig_type"  # "biped" or "quadruped", as Meshy's rig check said


def rig_type(obj: Any) -> str:
    """What Meshy rigged the object as ("biped" / "quadruped"; "" when not known, e.g. a rig
    made before the add-on kept it)."""
    root = meshy_root(obj)
    return str(root.get(RIG_TYPE_KEY) or "") if root is not None else ""


def selected_meshes(context: Any) -> list[Any]:
    """Selected mesh objects of the view layer (active first), what an upload would contain."""
    layer = context.view_layer
    meshes = [o for o in layer.objects if o.type == "MESH" and o.select_get()]
    active = layer.objects.active
    if active in meshes:
        meshes.remove(active)
        meshes.insert(0, active)
    return meshes

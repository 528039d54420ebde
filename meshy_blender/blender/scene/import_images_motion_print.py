"""Land the Meshy results that are not a model in the scene or on disk:
concept images as Blender images, several clips or a text-to-motion as actions on a rig, a
standalone motion (BVH/FBX), a printability report, and a multi-colour 3MF saved where results
are saved (save_location.py: the preference, else beside the .blend). UV-unwrapped and
print-repaired models are ordinary models (import_job's last branch).

Main thread only, called by import_job with a job snapshot whose files are in the cache.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bpy

from ...jobs.request import ImportOptions
from . import importer, save_location
from .naming import safe_name

IMAGE_KINDS = ("text-to-image", "image-to-image")
PRINT_REPORT_PROP = "meshy_printability"  # on the analysed object and on the scene (last one)


@dataclass
class Landed:
    """What a result that is not a model left behind: images, saved files, a report."""

    kind: str
    images: list[Any] = field(default_factory=list)
    saved_files: list[str] = field(default_factory=list)
    report: dict[str, Any] | None = None

    @property
    def summary(self) -> str:
        """One status-bar line: what landed and where the artist finds it."""
        if self.saved_files:
            saved = Path(self.saved_files[0])
            return f"Meshy: saved {saved.name} to {saved.parent}"
        if self.report is not None:
            return "Meshy: " + print_report_text(self.report)
        names = ", ".join(i.name for i in self.images[:3])
        return f"Meshy: loaded {len(self.images)} image(s) ({names}); see the Image Editor"


def print_report_text(report: dict[str, Any]) -> str:
    """The printability report in one sentence ("printable: watertight, 0 holes, ...")."""
    found = report.get("metrics")
    metrics: dict[str, Any] = found if isinstance(found, dict) else {}
    watertight = metrics.get("is_watertight")
    parts = ["watertight" if watertight is True else
             "not watertight" if watertight is False else "watertight unknown"]
    for key, label in (("holes", "holes"), ("non_manifold_edges", "non-manifold edges"),
                       ("degenerate_faces", "degenerate faces")):
        value = metrics.get(key)
        if isinstance(value, int | float):
            parts.append(f"{int(value)} {label}")
    status = str(report.get("status") or "analysed")
    return f"print check {status}: {', '.join(parts)}"


def land(snapshot: dict[str, Any], opts: ImportOptions, name: str,
         provenance: dict[str, object], context: Any = None) -> Any:
    """The landed result of an image, motion, clips or print job, or None when import_job's
    own paths apply."""
    steps = snapshot.get("steps", [])
    final = steps[-1] if steps else {}
    kind, files = final.get("kind"), final.get("files", {})
    if kind in IMAGE_KINDS:
        return Landed(kind, images=load_images([files[k] for k in sorted(files)]))
    if kind == "print-analyze":
        return Landed(kind, report=store_print_report(final.get("report"),
                                                      _object(opts.source_object)))
    if kind == "print-multi-color":
        return Landed(kind, saved_files=[str(save_result_file(Path(files["3mf"]), name))])
    if kind == "text-to-motion":
        return importer.import_model(Path(files["motion"]), name=name, provenance=provenance,
                                     context=context)
    if kind == "animate" and _one_task_clips(final, steps):
        return _land_clips(final, opts, name, provenance, context)
    return None


def _one_task_clips(final: dict[str, Any], steps: list[dict[str, Any]]) -> bool:
    """Several actions in one task, or a motion applied to a rig (not a rig's own chain)."""
    options = final.get("options", {})
    applied = len(steps) == 2 and steps[0].get("kind") == "text-to-motion"
    return bool(final.get("files")) and ("action_ids" in options or applied
                                         or "motion_task_id" in options)


def _land_clips(final: dict[str, Any], opts: ImportOptions, name: str,
                provenance: dict[str, object], context: Any) -> list[Any]:
    target = _object(opts.target_armature)
    if target is None or target.type != "ARMATURE":
        raise importer.MeshyImportError(
            "The armature this animation was made for is not in this file any more; select "
            "a Meshy rig and use Re-import.")
    clip = Path(next(iter(final["files"].values())))
    ids = final.get("options", {}).get("action_ids")
    if ids:
        names = [str(opts.action_names.get(str(a)) or f"Meshy_Action_{a}") for a in ids]
        return importer.add_animations(target, clip, action_names=names,
                                       provenance=provenance, context=context)
    motion = f"Motion {safe_name(str(provenance.get('meshy_prompt') or name))}"
    return [importer.add_animation(target, clip, action_name=motion, provenance=provenance,
                                   context=context)]


def load_images(paths: list[str], *, pack: bool = False) -> list[Any]:
    """Concept images as Blender images (Image Editor, thumbnails); packed into the .blend on
    request so the file travels without the cache."""
    images = [bpy.data.images.load(str(p), check_existing=True) for p in paths]
    if pack:
        for image in images:
            if image.packed_file is None:
                image.pack()
    return images


def store_print_report(report: Any, obj: Any = None) -> dict[str, Any]:
    """Keep the printability report where the sidebar and scripts read it: on the analysed
    object (when there is one) and on the scene as the latest report. Nothing is changed on
    the mesh itself: analysis is read-only."""
    if not isinstance(report, dict):
        raise importer.MeshyImportError("Meshy finished the print analysis but sent no "
                                        "printability report.")
    holders = [bpy.context.scene] + ([obj] if obj is not None else [])
    for holder in holders:
        holder[PRINT_REPORT_PROP] = _id_property_safe(report)
    return report


def read_print_report(holder: Any) -> dict[str, Any] | None:
    """The report stored on an object or scene by :func:`store_print_report`, as plain data."""
    value = holder.get(PRINT_REPORT_PROP) if holder is not None else None
    if value is None:
        return None
    return value.to_dict() if hasattr(value, "to_dict") else dict(value)


def save_result_file(path: Path, name: str) -> Path:
    """Copy a downloaded file (a multi-colour 3MF), named after the job, into the folder
    results are saved to (the copy in the cache stays for a re-import)."""
    where = save_location.resolve()
    folder = where.folder
    target = folder / f"{safe_name(name)}{path.suffix}"
    n = 1
    while target.exists() and not _same_file(target, path):
        target = folder / f"{safe_name(name)}_{n}{path.suffix}"
        n += 1
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    except OSError as exc:
        raise importer.MeshyImportError(
            f"Could not save '{target.name}' to {where.said()}: {exc.strerror}; choose "
            f"another folder in Preferences > {save_location.PREFERENCE_LABEL}. The file "
            f"stays in the cache at {path}.") from exc
    return target


def _same_file(a: Path, b: Path) -> bool:
    return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()


def _object(name: str) -> Any:
    return bpy.data.objects.get(name) if name else None


def _id_property_safe(value: Any) -> Any:
    """ID properties take str/int/float/bool and nested dicts/lists of them; drop the rest."""
    if isinstance(value, dict):
        return {str(k): _id_property_safe(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_id_property_safe(v) for v in value if v is not None]
    return value if isinstance(value, str | int | float | bool) else str(value)

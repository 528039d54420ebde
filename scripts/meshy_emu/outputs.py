"""What each finished task hands back: Blender-made files, or the input model rewritten.

Every builder returns the task's output fields (with `Asset` placeholders that become signed
links when rendered), the model formats that were not generated, and the files to serve.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .assets import Manifest
from .glb import Glb
from .models import ModelInput
from .tasks import Asset

ALL_FORMATS = ("glb", "fbx", "obj", "usdz", "stl", "3mf")
DEFAULT_FORMATS = ("glb", "fbx", "obj", "usdz", "stl")
SOURCE_KEY = "meshy_source"


@dataclass
class Outputs:
    fields: dict[str, Any] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)   # served filename -> path on disk
    model_file: str | None = None

    def add(self, path: str, name: str | None = None) -> Asset:
        name = name or os.path.basename(path)
        self.files[name] = path
        return Asset(name)


class OutputBuilder:
    """Builds outputs for one emulator run; rewritten files go under `workdir`/<task id>/."""

    def __init__(self, manifest: Manifest, workdir: Path) -> None:
        self.manifest = manifest
        self.workdir = Path(workdir)

    # -- 3D models -------------------------------------------------------------------------
    def mesh(self, variant: str, formats: list[str] | None, *, glb: bytes | None = None,
             task_id: str = "", all_formats: tuple[str, ...] = ALL_FORMATS,
             default_formats: tuple[str, ...] = DEFAULT_FORMATS,
             pre_remeshed: bool = False) -> Outputs:
        """model_urls / texture_urls / thumbnail_url from a manifest variant.

        `glb` replaces the variant's GLB (a rewritten input model).
        """
        out = Outputs()
        files = self.manifest.variant(variant)
        wanted = list(formats) if formats else list(default_formats)
        urls: dict[str, Asset] = {}
        for fmt in all_formats:
            path = files.get(fmt) or self.manifest.variant("formats").get(fmt)
            if fmt == "glb" and glb is not None:
                path = self._write(task_id, "model.glb", glb)
            elif path:
                path = self.manifest.path(path)
            if fmt not in wanted or not path:
                out.absent.append(fmt)
                continue
            urls[fmt] = out.add(path)
            if fmt == "obj" and files.get("mtl"):
                urls["mtl"] = out.add(self.manifest.path(files["mtl"]))
        glb_path = (self._write(task_id, "model.glb", glb) if glb is not None
                    else self.manifest.path(files["glb"]) if files.get("glb") else None)
        out.model_file = glb_path
        if pre_remeshed and glb_path:
            urls["pre_remeshed_glb"] = out.add(glb_path, "pre_remeshed_model.glb")
        out.fields["model_urls"] = urls
        textures = files.get("textures") or {}
        out.fields["texture_urls"] = ([{k: out.add(self.manifest.path(v))
                                        for k, v in textures.items()}] if textures else [])
        if files.get("thumbnail"):
            out.fields["thumbnail_url"] = out.add(self.manifest.path(files["thumbnail"]))
        if "obj" in urls:
            for rel in textures.values():  # the MTL references textures by relative name
                out.add(self.manifest.path(rel))
        return out

    def generated(self, *, textured: bool, pbr: bool, formats: list[str] | None,
                  pre_remeshed: bool = False) -> Outputs:
        variant = "textured_pbr" if textured and pbr else "textured" if textured else "preview"
        return self.mesh(variant, formats, pre_remeshed=pre_remeshed)

    def from_input(self, task_id: str, source: ModelInput, *, kind: str, formats: list[str] | None,
                   texture: str | None = None, default_formats: tuple[str, ...] = ("glb",),
                   all_formats: tuple[str, ...] = ALL_FORMATS,
                   extra: dict[str, Any] | None = None) -> Outputs:
        """The input model rewritten: kept name, recorded source, optionally a new material.

        `texture` names a manifest variant whose maps become the model's new material
        (retexture); other formats than GLB come from that (or the textured) variant because
        converting without Blender is out of scope.
        """
        record = {**source.source_record(), "operation": kind, **(extra or {})}
        base = Glb.parse(source.data) if source.glb is not None else \
            Glb.parse(Path(self.manifest.path(self.manifest.variant(texture or "textured")["glb"]))
                      .read_bytes())
        if source.glb is not None and texture:
            maps = self.manifest.variant(texture).get("textures") or {}
            images = {"base_color": self.manifest.read(maps["base_color"])}
            if "normal" in maps:
                images["normal"] = self.manifest.read(maps["normal"])
            if "roughness" in maps:
                images["metallic_roughness"] = self.manifest.read(maps["roughness"])
            base.apply_textured_material(f"{source.name}_retextured", images)
        base.set_extras(SOURCE_KEY, record)
        # other formats come from the Blender-made variant that looks most like the input
        textured_input = source.glb is None or bool(source.glb.doc.get("images"))
        variant = texture or ("textured" if textured_input else "preview")
        out = self.mesh(variant, formats, glb=base.to_bytes(), task_id=task_id,
                        all_formats=all_formats, default_formats=default_formats)
        if not texture:
            out.fields.pop("texture_urls", None)
        return out

    # -- rigging and animation -------------------------------------------------------------
    def rig(self, task_id: str, source: ModelInput, height: float,
            rig_type: str = "biped") -> Outputs:
        """The rigged character and its walking / running clips. The Blender-made assets are
        one biped: a quadruped gets the same files (a stand-in), named a quadruped rig."""
        out = Outputs()
        rig = self.manifest.variant("rig")
        glb = Glb.parse(self.manifest.read(rig["rigged_character_glb"]))
        glb.set_extras(SOURCE_KEY, {**source.source_record(), "operation": "rig",
                                    "height_meters": height})
        path = self._write(task_id, os.path.basename(rig["rigged_character_glb"]), glb.to_bytes())
        out.model_file = path

        def asset(key: str) -> Asset:
            return out.add(self.manifest.path(rig[key]))

        out.fields["result"] = {
            "rig_type": rig_type,  # assumption A12: the rig says what it is, as the check does
            "rigged_character_fbx_url": asset("rigged_character_fbx"),
            "rigged_character_glb_url": out.add(path),
            "basic_animations": {
                f"{motion}_{kind}_url": asset(f"{motion}_{kind}")
                for motion in ("walking", "running")
                for kind in ("glb", "fbx", "armature_glb")
            },
        }
        return out

    def animation(self, task_id: str, action_id: int, action_name: str,
                  post_process: dict[str, Any] | None) -> Outputs:
        out = Outputs()
        clips = self.manifest.animations()
        clip = clips.get(str(action_id))
        if clip is not None:
            glb_path = self.manifest.path(clip["glb"])
            fbx_path = self.manifest.path(clip["fbx"])
        else:  # no Blender-made clip for this id: rename a made clip's action after it
            first = clips[sorted(clips, key=int)[0]]
            glb = Glb.parse(self.manifest.read(first["glb"]))
            glb.rename_animations(action_name)
            glb_path = self._write(task_id, f"{action_name}.glb", glb.to_bytes())
            fbx_path = self.manifest.path(first["fbx"])
        out.model_file = glb_path
        result: dict[str, Any] = {"animation_glb_url": out.add(glb_path, "Animation_output.glb"),
                                  "animation_fbx_url": out.add(fbx_path, "Animation_output.fbx")}
        op = (post_process or {}).get("operation_type")
        if op == "change_fps":
            result["processed_animation_fps_fbx_url"] = out.add(fbx_path, "Animation_fps.fbx")
        elif op == "extract_armature":
            result["processed_armature_fbx_url"] = out.add(fbx_path, "Animation_armature.fbx")
        elif op == "fbx2usdz":
            usdz = self.manifest.variant("textured").get("usdz")
            if usdz:
                result["processed_usdz_url"] = out.add(self.manifest.path(usdz),
                                                       "Animation_output.usdz")
        out.fields["result"] = result
        return out

    def animations(self, task_id: str, names: list[str],
                   post_process: dict[str, Any] | None) -> Outputs:
        """Several library actions in one task: one file, one clip per action, in order."""
        clips = self.manifest.variant("motion")
        glb = Glb.parse(self.manifest.read(clips["library_clips_glb"]))
        glb.select_animations(names)
        return self._clips(task_id, glb, self.manifest.path(clips["library_clips_fbx"]),
                           post_process)

    def applied_motion(self, task_id: str, post_process: dict[str, Any] | None) -> Outputs:
        """A text-to-motion applied to the rig (animations with ``motion_task_id``)."""
        motion = self.manifest.variant("motion")
        glb = Glb.parse(self.manifest.read(motion["applied_glb"]))
        return self._clips(task_id, glb, self.manifest.path(motion["applied_fbx"]), post_process)

    def _clips(self, task_id: str, glb: Glb, fbx_path: str,
               post_process: dict[str, Any] | None) -> Outputs:
        out = Outputs()
        glb_path = self._write(task_id, "Animation_output.glb", glb.to_bytes())
        out.model_file = glb_path
        result: dict[str, Any] = {"animation_glb_url": out.add(glb_path),
                                  "animation_fbx_url": out.add(fbx_path, "Animation_output.fbx")}
        if (post_process or {}).get("operation_type") == "change_fps":
            result["processed_animation_fps_fbx_url"] = out.add(fbx_path, "Animation_fps.fbx")
        elif (post_process or {}).get("operation_type") == "extract_armature":
            result["processed_armature_fbx_url"] = out.add(fbx_path, "Animation_armature.fbx")
        out.fields["result"] = result
        return out

    def motion(self, mode: str) -> Outputs:
        """Text-to-motion: ``prime`` answers an FBX motion, ``swift`` a BVH (under result)."""
        out = Outputs()
        motion = self.manifest.variant("motion")
        path = motion["bvh" if mode == "swift" else "fbx"]
        out.fields["result"] = {"motion_url": out.add(self.manifest.path(path))}
        return out

    # -- UV unwrap and 3D print ------------------------------------------------------------
    def unwrapped(self, task_id: str, source: ModelInput) -> Outputs:
        glb = Glb.parse(self.manifest.read(self.manifest.variant("uv_unwrap")["glb"]))
        glb.set_extras(SOURCE_KEY, {**source.source_record(), "operation": "uv-unwrap"})
        out = Outputs()
        path = self._write(task_id, "model.glb", glb.to_bytes())
        out.model_file = path
        out.fields["model_urls"] = {"glb": out.add(path)}
        return out

    def repaired(self, task_id: str, source: ModelInput) -> Outputs:
        """Print repair: a closed mesh without textures (GLB and STL)."""
        made = self.manifest.variant("print")
        glb = Glb.parse(self.manifest.read(made["repaired_glb"]))
        glb.set_extras(SOURCE_KEY, {**source.source_record(), "operation": "print-repair"})
        out = Outputs()
        path = self._write(task_id, "repaired.glb", glb.to_bytes())
        out.model_file = path
        out.fields["model_urls"] = {"glb": out.add(path),
                                    "stl": out.add(self.manifest.path(made["repaired_stl"]))}
        return out

    def multicolor(self) -> Outputs:
        out = Outputs()
        path = self.manifest.path(self.manifest.variant("print")["multicolor_3mf"])
        out.fields["model_urls"] = {"3mf": out.add(path)}
        return out

    def print_report(self, repaired: bool) -> Outputs:
        """Print analyze: the printability report Blender measured (open or repaired vase)."""
        made = self.manifest.variant("print")
        out = Outputs()
        report = self.manifest.read(made["repaired_report" if repaired else "report"])
        out.fields["printability"] = json.loads(report)
        return out

    def thumbnails(self, out: Outputs, body: dict[str, Any]) -> Outputs:
        """``alpha_thumbnail`` and ``multi_view_thumbnails`` add their renders."""
        views = self.manifest.variant("views")
        if body.get("alpha_thumbnail"):
            out.fields["alpha_thumbnail_url"] = out.add(self.manifest.path(views["alpha"]),
                                                        "alpha_thumbnail.png")
        if body.get("multi_view_thumbnails"):
            out.fields["thumbnail_urls"] = {
                v: out.add(self.manifest.path(views[v]), f"thumbnail_{v}.png")
                for v in ("front", "right", "back", "left")}
        return out

    # -- images ----------------------------------------------------------------------------
    def images(self, count: int) -> Outputs:
        """Concept images: turntable renders for multi-view (front, right, back), else the
        painted pictures."""
        out = Outputs()
        views = self.manifest.variant("views")
        images = ([views[v] for v in ("front", "right", "back")] if count > 1
                  else self.manifest.images())
        out.fields["image_urls"] = [out.add(self.manifest.path(images[i % len(images)]),
                                            f"image_{i}.png") for i in range(count)]
        return out

    def _write(self, task_id: str, name: str, data: bytes | None) -> str:
        folder = self.workdir / task_id
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        if data is not None and not path.exists():
            path.write_bytes(data)
        return str(path)

"""Settings of the newer Meshy actions on the selection (UV unwrap, 3D print, text to motion),
on the scene as ``scene.meshy_newer``.

Kept in their own group so the main settings (``scene.meshy``) stay one screen long; saved in
the .blend like them and, like them, never holding anything secret.
"""

from __future__ import annotations

import bpy
from bpy.props import BoolProperty, EnumProperty, FloatProperty, IntProperty, PointerProperty
from bpy.props import StringProperty

from ...client import specs

MOTION_MODES = [
    ("prime", "Prime", "Meshy's best motion quality, delivered as FBX"),
    ("swift", "Swift", "A faster motion, delivered as BVH"),
]


class MeshyNewerSettings(bpy.types.PropertyGroup):
    """UV unwrap, 3D print and text-to-motion settings of the Selected Object panel."""

    uv_then_retexture: BoolProperty(
        name="Then Retexture", default=False,
        description="After unwrapping, retexture the model from a style prompt, keeping the "
        "new UVs (one more task, 10 credits)")
    uv_retexture_prompt: StringProperty(
        name="Style", maxlen=specs.MAX_PROMPT,
        description="The new look in words, e.g. 'weathered bronze'")
    print_max_colors: IntProperty(
        name="Colours", default=4, min=1, max=16,
        description="How many filament colours the printable file may use")
    print_max_depth: IntProperty(
        name="Detail Depth", default=4, min=3, max=6,
        description="How finely colour regions follow the texture (higher: more detail)")
    motion_prompt: StringProperty(
        name="Motion", maxlen=specs.MAX_MOTION_PROMPT,
        description="What the character does, e.g. 'jumps over a puddle'")
    motion_mode: EnumProperty(
        name="Quality", items=MOTION_MODES, default="prime",
        description="Prime: best quality; Swift: faster")
    motion_duration: FloatProperty(
        name="Seconds", default=4.0, min=2.0, max=10.0, step=50, precision=1,
        description="Length of the motion in seconds (2 to 10, in half seconds)")


CLASSES = (MeshyNewerSettings,)


def register_properties() -> None:
    bpy.types.Scene.meshy_newer = PointerProperty(  # type: ignore[attr-defined]
        type=MeshyNewerSettings, name="Meshy (newer actions)",
        description="Meshy's UV unwrap, 3D print and text-to-motion settings")


def unregister_properties() -> None:
    del bpy.types.Scene.meshy_newer  # type: ignore[attr-defined]

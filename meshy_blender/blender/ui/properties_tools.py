"""The sidebar's tool settings, on the scene as ``scene.meshy_tools``: concept pictures, the
model options (Meshy-7, geometry pass, texture size, texture views, transparent thumbnail,
real-world size; ultra mode and multi-view retexture kept for old files) and the Selected
Object tools (UV unwrap, 3D print, text to motion). Until scene schema 2 they were saved as
``scene.meshy_newer`` (scene/migrations.py moves them).

Kept in their own group so the main settings (``scene.meshy``) stay one screen long; saved in
the .blend like them and, like them, never holding anything secret.
"""

from __future__ import annotations

from typing import Any

import bpy
from bpy.props import (
    BoolProperty,
    EnumProperty,
    FloatProperty,
    IntProperty,
    PointerProperty,
    StringProperty,
)

from ...client import limits, model_catalogue
from . import model_items
from .properties import MeshyImageInput

MOTION_MODES = [
    ("prime", "Prime", "Meshy's best motion quality, delivered as FBX"),
    ("swift", "Swift", "A faster motion, delivered as BVH"),
]


CONCEPT_MODES = [
    ("TEXT", "Text", "Paint a concept picture from words"),
    ("IMAGE", "Image", "Make a new picture from 1-5 reference pictures and words"),
]

def _meshy7_tip() -> str:
    """The Meshy-7 switch's tooltip, with the date Meshy-7 stops making 3D models."""
    tip = ("Use Meshy-7 for Image and Multi-image to 3D and for Retexture (price not "
           "published); overrides the AI Model there")
    shape = model_catalogue.find("image-to-3d", "meshy-7")
    if shape is not None and shape.retires is not None:
        tip += (f". As a 3D model Meshy-7 retires on {shape.retires.isoformat()} (use "
                f"{shape.replacement}); it stays a texture model")
    return tip

ASPECT_RATIOS = [("NONE", "Default", "Meshy's default shape (square)"),
                 *[(r, r, f"A {r} picture") for r in ("1:1", "16:9", "9:16", "4:3", "3:4")]]
CONCEPT_POSES = [("NONE", "As Described", "Keep the pose the prompt asks for"),
                 ("a-pose", "A-Pose", "A character in A-pose, ready to make 3D and rig"),
                 ("t-pose", "T-Pose", "A character in T-pose, ready to make 3D and rig")]
REFERENCE_SLOTS = 5
TEXTURE_RESOLUTIONS = [
    ("NONE", "Default", "Meshy's default texture size (2K)"),
    ("2k", "2K", "2048 x 2048 textures"),
    ("4k", "4K", "4096 x 4096 textures: sharper close-ups, bigger files (price not published)"),
    ("8k", "8K", "8192 x 8192 textures: hero assets only (price not published)"),
]


GEOMETRY_RESOLUTIONS = [
    ("standard", "Standard", "Meshy's usual geometry"),
    ("2k", "2K", "Ultra geometry pass: finer shapes (5 more credits)"),
    ("4k", "4K", "The finest Ultra geometry pass, Text and Image (5 more credits)"),
]
TEXTURE_VIEWS = 4  # API v2's texture_image_urls: 1-4 views guiding the texture (multi-image)


def _geometry_of_old_files(n: Any) -> int:
    """Geometry as saved; a file saved before it had Ultra Mode (with Meshy-7) for 2K."""
    saved = n.get("geometry_resolution")
    if saved is not None:
        return int(saved)
    return 1 if n.meshy7 and n.ultra_mode else 0


def _set_geometry(n: Any, value: int) -> None:
    n["geometry_resolution"] = value
    n.ultra_mode = False  # the old switch it replaces never adds a pass of its own


class MeshyToolSettings(bpy.types.PropertyGroup):
    """Concept images, UV unwrap, 3D print and text-to-motion settings of the sidebar."""

    concept_mode: EnumProperty(name="From", items=CONCEPT_MODES, default="TEXT",
                               description="What the concept picture is made from")
    concept_prompt: StringProperty(name="Prompt", maxlen=limits.MAX_PROMPT,
                                   description="What the picture shows, e.g. 'a brass robot "
                                   "owl, front view, plain background'")
    concept_model: model_items.model_property(
        "concept_model", "text-to-image", legacy=model_items.IMAGE_MODEL_NUMBERS,
        default="nano-banana", name="Model",
        description="Which image model paints the picture (the price depends on it)")
    concept_aspect_ratio: EnumProperty(name="Aspect Ratio", items=ASPECT_RATIOS, default="NONE",
                                       description="The picture's shape (not with Multi-view)")
    concept_multi_view: BoolProperty(name="Multi-view", default=False,
                                     description="Several views of the same object, which "
                                     "Multi-image to 3D turns into a more faithful model")
    concept_pose: EnumProperty(name="Pose", items=CONCEPT_POSES, default="NONE",
                               description="Pose of a character (text only)")

    meshy7: BoolProperty(
        name="Meshy-7", default=False, description=_meshy7_tip())
    ultra_mode: BoolProperty(
        name="Ultra Mode", default=False,
        description="Meshy-7's highest-detail mode (costs extra; price not published)")
    geometry_resolution: EnumProperty(
        name="Geometry", items=GEOMETRY_RESOLUTIONS, default="standard",
        get=_geometry_of_old_files, set=_set_geometry,
        description="How fine the shape is (Meshy-7.1; Multi-image up to 2K)")
    texture_from_views: BoolProperty(
        name="Texture From Views", default=False,
        description="Guide the texture with 1-4 pictures of the object's sides (Multi-image)")
    texture_resolution: EnumProperty(
        name="Texture Size", items=TEXTURE_RESOLUTIONS, default="NONE",
        description="Resolution of the textures Meshy paints")
    alpha_thumbnail: BoolProperty(
        name="Transparent Thumbnail", default=False,
        description="Also make a thumbnail with a transparent background (for asset libraries)")
    remesh_auto_size: BoolProperty(
        name="Real-world Size", default=False,
        description="Let Meshy scale the remeshed model to a plausible real-world size "
        "(instead of a height you type)")
    multiview_retexture: BoolProperty(
        name="From Views of the Model", default=False,
        description="Retexture from pictures of the selected object rendered from several "
        "sides (Meshy-7; the style picture or prompt is not sent)")
    multiview_count: IntProperty(
        name="Views", default=4, min=1, max=4,
        description="How many sides of the object are rendered and sent (a temporary camera "
        "is added and removed)")
    uv_then_retexture: BoolProperty(
        name="Then Retexture", default=False,
        description="After unwrapping, retexture the model from a style prompt, keeping the "
        "new UVs (one more task, 10 credits)")
    uv_retexture_prompt: StringProperty(
        name="Style", maxlen=limits.MAX_PROMPT,
        description="The new look in words, e.g. 'weathered bronze'")
    print_max_colors: IntProperty(
        name="Colours", default=4, min=1, max=16,
        description="How many filament colours the printable file may use")
    print_max_depth: IntProperty(
        name="Detail Depth", default=4, min=3, max=6,
        description="How finely colour regions follow the texture (higher: more detail)")
    motion_prompt: StringProperty(
        name="Motion", maxlen=limits.MAX_MOTION_PROMPT,
        description="What the character does, e.g. 'jumps over a puddle'")
    motion_mode: EnumProperty(
        name="Quality", items=MOTION_MODES, default="prime",
        description="Prime: best quality; Swift: faster")
    motion_duration: FloatProperty(
        name="Seconds", default=4.0, min=2.0, max=10.0, step=50, precision=1,
        description="Length of the motion in seconds (2 to 10, in half seconds)")


for _n in range(1, REFERENCE_SLOTS + 1):
    MeshyToolSettings.__annotations__[f"concept_reference_{_n}"] = PointerProperty(
        type=MeshyImageInput, name=f"Reference {_n}",
        description="A reference picture the new picture follows")

for _n in range(1, TEXTURE_VIEWS + 1):
    MeshyToolSettings.__annotations__[f"texture_view_{_n}"] = PointerProperty(
        type=MeshyImageInput, name=f"Texture View {_n}",
        description="A picture of one side of the object whose look the texture follows")

CLASSES = (MeshyToolSettings,)


def register_properties() -> None:
    bpy.types.Scene.meshy_tools = PointerProperty(  # type: ignore[attr-defined]
        type=MeshyToolSettings, name="Meshy Tools",
        description="Meshy's concept picture, model option, UV unwrap, 3D print and "
        "text-to-motion settings")


def unregister_properties() -> None:
    del bpy.types.Scene.meshy_tools  # type: ignore[attr-defined]

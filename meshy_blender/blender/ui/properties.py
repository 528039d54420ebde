"""Settings an artist edits in the sidebar, and the window's transient UI state.

Scene settings are saved in the .blend, so nothing secret lives here (the key is in preferences
or MESHY_API_KEY). Enum identifiers are the API's own values so requests are built without a
translation table; "NONE" stands for "don't send this option".
"""

from __future__ import annotations

import bpy
from bpy.props import (
    BoolProperty,
    CollectionProperty,
    EnumProperty,
    FloatProperty,
    IntProperty,
    PointerProperty,
    StringProperty,
)

from ...client import specs
from ...jobs import kinds

MODES = [
    ("TEXT", "Text", "Generate from a text prompt (preview, then texture)"),
    ("IMAGE", "Image", "Generate from one picture"),
    ("MULTI_IMAGE", "Multi-image", "Generate from 1-4 pictures of the same object"),
]
AI_MODELS = [
    ("latest", "Latest", "Meshy's newest model (Meshy-6 today)"),
    ("meshy-6", "Meshy-6", "Meshy-6"),
    ("meshy-5", "Meshy-5", "Meshy-5 (cheaper, older)"),
]
MODEL_TYPES = [
    ("standard", "Standard", "Detailed model"),
    ("lowpoly", "Low-poly", "Clean low-poly model"),
]
TOPOLOGIES = [("triangle", "Triangles", "Triangle mesh"), ("quad", "Quads", "Quad-dominant mesh")]
SYMMETRY = [("auto", "Auto", "Let Meshy decide"), ("on", "On", "Force symmetry"),
            ("off", "Off", "No symmetry")]
POSES = [("NONE", "As Drawn", "Keep the pose of the prompt or picture"),
         ("a-pose", "A-Pose", "Characters in A-pose (best for rigging)"),
         ("t-pose", "T-Pose", "Characters in T-pose")]
ART_STYLES = [("realistic", "Realistic", "Realistic style"),
              ("sculpture", "Sculpture", "Sculpture style")]
ORIGINS = [("NONE", "Unchanged", "Keep Meshy's origin"), ("bottom", "Bottom", "Origin at the base"),
           ("center", "Center", "Origin at the centre")]
TEXTURE_SOURCES = [("NONE", "Automatic", "Texture from the prompt or picture"),
                   ("PROMPT", "Prompt", "Describe the texture"),
                   ("IMAGE", "Image", "Use a picture as texture reference")]
STYLE_SOURCES = [("PROMPT", "Text", "Describe the new look"),
                 ("IMAGE", "Image", "Use a picture as style reference")]
FORMAT_NAMES = {"glb": "GLB", "obj": "OBJ", "fbx": "FBX", "stl": "STL", "usdz": "USDZ",
                "3mf": "3MF", "blend": "BLEND"}
MODEL_FORMATS = [(f, FORMAT_NAMES[f], f"Ask Meshy for {FORMAT_NAMES[f]}")
                 for f in specs.MODEL_FORMATS]
REMESH_FORMATS = [(f, FORMAT_NAMES[f], f"Ask Meshy for {FORMAT_NAMES[f]}")
                  for f in specs.REMESH_FORMATS]
IMPORT_FORMATS = [("DEFAULT", "Preferences", "Use the import format from the preferences"),
                  ("GLB", "GLB", "Import the glTF binary"), ("FBX", "FBX", "Import the FBX file")]
RESUME_KINDS = kinds.resumable_enum_items()


class MeshyImageInput(bpy.types.PropertyGroup):
    """One picture for a request: an image in this .blend or a file on disk (the image wins)."""

    image: PointerProperty(name="Image", type=bpy.types.Image,
                           description="An image already in this .blend file")
    filepath: StringProperty(name="File", subtype="FILE_PATH",
                             description="A PNG or JPEG file on disk")


class MeshySceneSettings(bpy.types.PropertyGroup):
    # --- Generate -----------------------------------------------------------------------------
    mode: EnumProperty(name="Mode", items=MODES, default="TEXT")
    prompt: StringProperty(name="Prompt", maxlen=specs.MAX_PROMPT,
                           description="Describe the object to generate (max 600 characters)")
    prompt_text: PointerProperty(
        name="Prompt Text", type=bpy.types.Text,
        description="A Text datablock used as the prompt instead of the one-line field")
    negative_prompt: StringProperty(name="Avoid", maxlen=specs.MAX_PROMPT,
                                    description="What the model should not look like")
    art_style: EnumProperty(name="Art Style", items=ART_STYLES, default="realistic")
    ai_model: EnumProperty(name="AI Model", items=AI_MODELS, default="latest")
    model_type: EnumProperty(name="Model Type", items=MODEL_TYPES, default="standard")
    topology: EnumProperty(name="Topology", items=TOPOLOGIES, default="triangle")
    use_polycount: BoolProperty(name="Target Polycount",
                                description="Ask for a polygon budget (otherwise Meshy decides)")
    target_polycount: IntProperty(name="Polycount", default=30_000, min=100,
                                  max=specs.MAX_POLYCOUNT)
    should_remesh: BoolProperty(name="Remesh", default=True,
                                description="Let Meshy clean up the topology")
    symmetry_mode: EnumProperty(name="Symmetry", items=SYMMETRY, default="auto")
    pose_mode: EnumProperty(name="Pose", items=POSES, default="NONE")
    moderation: BoolProperty(name="Moderation", default=False,
                             description="Screen the input for harmful content")
    image_enhancement: BoolProperty(name="Enhance Image", default=True,
                                    description="Let Meshy clean up the input picture")
    image: PointerProperty(type=MeshyImageInput)
    multi_image_1: PointerProperty(type=MeshyImageInput)
    multi_image_2: PointerProperty(type=MeshyImageInput)
    multi_image_3: PointerProperty(type=MeshyImageInput)
    multi_image_4: PointerProperty(type=MeshyImageInput)
    # Texturing
    should_texture: BoolProperty(name="Texture", default=True,
                                 description="Texture the model (costs more)")
    enable_pbr: BoolProperty(name="PBR Maps", default=True,
                             description="Metallic, roughness and normal maps")
    texture_source: EnumProperty(name="Texture From", items=TEXTURE_SOURCES, default="NONE")
    texture_prompt: StringProperty(name="Texture Prompt", maxlen=specs.MAX_PROMPT)
    texture_image: PointerProperty(type=MeshyImageInput)
    remove_lighting: BoolProperty(name="Remove Lighting", default=True,
                                  description="Remove baked highlights and shadows")
    # Output
    target_formats: EnumProperty(name="Formats", items=MODEL_FORMATS, options={"ENUM_FLAG"},
                                 default={"glb", "fbx", "obj", "usdz", "stl"},
                                 description="Files Meshy makes (the import format is added)")
    auto_size: BoolProperty(name="Real-world Size", default=False,
                            description="Scale the model to a plausible real-world size")
    origin_at: EnumProperty(name="Origin", items=ORIGINS, default="NONE")
    import_format: EnumProperty(name="Import", items=IMPORT_FORMATS, default="DEFAULT")
    # Chain
    chain_remesh: BoolProperty(name="Then Remesh", description="Remesh the result as well")
    chain_rig: BoolProperty(name="Then Rig", description="Rig the result (humanoids)")
    chain_animations: StringProperty(
        name="Animations", description="Action ids to animate the rig with, e.g. '0, 4'")

    # --- Selected object ----------------------------------------------------------------------
    apply_modifiers: BoolProperty(name="Apply Modifiers", default=True,
                                  description="Export meshes with their modifiers applied")
    replace_selection: BoolProperty(
        name="Replace Selection", default=True,
        description="Put the result where the original is and hide the original")
    retexture_source: EnumProperty(name="Style From", items=STYLE_SOURCES, default="PROMPT")
    retexture_prompt: StringProperty(name="Style", maxlen=specs.MAX_PROMPT,
                                     description="Describe the new look")
    retexture_image: PointerProperty(type=MeshyImageInput)
    retexture_ai_model: EnumProperty(name="AI Model", items=AI_MODELS, default="latest")
    keep_uvs: BoolProperty(name="Keep UVs", default=True,
                           description="Keep the model's own UV layout")
    retexture_pbr: BoolProperty(name="PBR Maps", default=True)
    remesh_topology: EnumProperty(name="Topology", items=TOPOLOGIES, default="quad")
    remesh_polycount: IntProperty(name="Polycount", default=10_000, min=100,
                                  max=specs.MAX_POLYCOUNT)
    remesh_use_height: BoolProperty(name="Resize", description="Scale to a height in metres")
    remesh_height: FloatProperty(name="Height", default=1.8, min=0.01, max=1000, unit="LENGTH")
    remesh_origin: EnumProperty(name="Origin", items=ORIGINS, default="NONE")
    remesh_formats: EnumProperty(name="Formats", items=REMESH_FORMATS, options={"ENUM_FLAG"},
                                 default={"glb", "fbx"})
    rig_height: FloatProperty(name="Height", default=1.7, min=0.1, max=100, unit="LENGTH",
                              description="Character height in metres")
    action_id: IntProperty(name="Action ID", default=0, min=-1_000_000,
                           description="Meshy animation id (see the library; the catalog "
                                       "has ids -2, -1 and 0 too)")


class MeshyAnimationItem(bpy.types.PropertyGroup):
    """One entry of Meshy's animation library (``name`` is the built-in name property)."""

    action_id: IntProperty(name="Action ID")
    category: StringProperty(name="Category")
    sub_category: StringProperty(name="Sub-category")


def _category_items(self: object, context: object) -> list[tuple[str, str, str]]:
    from ..session.library import category_items

    return category_items()


def _pick_animation(state: "MeshyWindowState", context: bpy.types.Context) -> None:
    """Choosing a library row fills in the scene's action id."""
    if 0 <= state.animation_index < len(state.animations):
        context.scene.meshy.action_id = state.animations[state.animation_index].action_id


class MeshyWindowState(bpy.types.PropertyGroup):
    """Transient UI state on the window manager: library list, filters, resume fields."""

    animations: CollectionProperty(type=MeshyAnimationItem)
    animation_index: IntProperty(name="Animation", default=-1,
                                 update=_pick_animation)
    animation_category: EnumProperty(name="Category", items=_category_items)
    resume_kind: EnumProperty(name="Kind", items=RESUME_KINDS, default="text-to-3d-refine")
    resume_task_id: StringProperty(name="Task ID", description="The id of a Meshy task")
    recent_kind: EnumProperty(name="Kind", items=RESUME_KINDS, default="text-to-3d-refine")
    show_generate_advanced: BoolProperty(name="More Options")


CLASSES = (MeshyImageInput, MeshySceneSettings, MeshyAnimationItem, MeshyWindowState)


def register_properties() -> None:
    bpy.types.Scene.meshy = PointerProperty(type=MeshySceneSettings)  # type: ignore[attr-defined]
    bpy.types.WindowManager.meshy = PointerProperty(  # type: ignore[attr-defined]
        type=MeshyWindowState)


def unregister_properties() -> None:
    del bpy.types.Scene.meshy  # type: ignore[attr-defined]
    del bpy.types.WindowManager.meshy  # type: ignore[attr-defined]

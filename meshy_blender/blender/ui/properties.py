"""Settings an artist edits in the sidebar, and the window's transient UI state.

Scene settings are saved in the .blend, so nothing secret lives here (the key is in preferences
or MESHY_API_KEY). Enum identifiers are the API's own values so requests are built without a
translation table; "NONE" stands for "don't send this option". The model menus are built from
the model catalogue (:mod:`.model_items`), so a retired model is never offered.
"""

from __future__ import annotations

from typing import Any

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

from ...client import limits
from ...jobs import kinds
from . import model_items

MODES = [
    ("TEXT", "Text", "Describe the object in words; Meshy makes the shape, then textures it"),
    ("IMAGE", "Image", "Make the object shown in one picture"),
    ("MULTI_IMAGE", "Multi-image",
     "Make one object from 1-4 pictures of it from different sides (more faithful backs)"),
]
TOPOLOGIES = [("triangle", "Triangles", "All triangles: the most faithful shape, harder to edit"),
              ("quad", "Quads", "Mostly quads: easier to edit, subdivide and rig")]
SYMMETRY = [("auto", "Auto", "Meshy mirrors the model when the input looks symmetric"),
            ("on", "On", "Always mirror left and right (characters, vehicles)"),
            ("off", "Off", "Never mirror: keeps asymmetric details")]
POSES = [("NONE", "As Drawn", "Keep the pose of the prompt or picture"),
         ("a-pose", "A-Pose", "Characters stand in A-pose, arms down at an angle (rigs best)"),
         ("t-pose", "T-Pose", "Characters stand in T-pose, arms straight out")]
ART_STYLES = [("realistic", "Realistic", "Photoreal shapes and textures"),
              ("sculpture", "Sculpture", "A single-material sculpted look, no colour texture")]
ORIGINS = [("NONE", "Unchanged", "Keep the origin where Meshy puts it"),
           ("bottom", "Bottom", "Origin at the base: the model stands on the 3D cursor"),
           ("center", "Center", "Origin at the centre of the model's bounds")]
TEXTURE_SOURCES = [("NONE", "Automatic", "Texture follows the prompt or the picture"),
                   ("PROMPT", "Prompt", "Describe the texture in its own words"),
                   ("IMAGE", "Image", "Copy the look of a reference picture")]
STYLE_SOURCES = [("PROMPT", "Text", "Describe the new look in words"),
                 ("IMAGE", "Image", "Copy the look of a reference picture")]
FORMAT_NAMES = {"glb": "GLB", "obj": "OBJ", "fbx": "FBX", "stl": "STL", "usdz": "USDZ",
                "3mf": "3MF", "blend": "BLEND"}
FORMAT_USES = {"glb": "glTF binary, what Blender imports best",
               "obj": "OBJ + MTL, for older tools", "fbx": "FBX, for game engines",
               "stl": "STL, for 3D printing (no colour)", "usdz": "USDZ, for Apple AR",
               "3mf": "3MF, for colour 3D printing", "blend": "Blender file"}
MODEL_FORMATS = [(f, FORMAT_NAMES[f], f"Also keep a {FORMAT_USES[f]} in the cache folder")
                 for f in limits.MODEL_FORMATS]
REMESH_FORMATS = [(f, FORMAT_NAMES[f], f"Also keep a {FORMAT_USES[f]} in the cache folder")
                  for f in limits.REMESH_FORMATS]
IMPORT_FORMATS = [("DEFAULT", "Preferences", "Import in the format set in the preferences"),
                  ("GLB", "GLB", "Import the glTF binary: materials closest to Meshy's"),
                  ("FBX", "FBX", "Import the FBX file (as a game engine would get it)")]
RESUME_KINDS = kinds.resumable_enum_items()


class MeshyImageInput(bpy.types.PropertyGroup):
    """One picture for a request: an image in this .blend or a file on disk (the image wins)."""

    image: PointerProperty(name="Image", type=bpy.types.Image,
                           description="A picture already in this .blend file (wins over File)")
    filepath: StringProperty(name="File", subtype="FILE_PATH",
                             description="A PNG or JPEG file on disk, used when no image is "
                             "chosen")


def _retexture_model_of_old_files(s: Any) -> str:
    """A file saved before Texture Model: the texture model its AI Model meant (API v1)."""
    from ...client.renamed_options import TEXTURE_MODEL_OF

    return TEXTURE_MODEL_OF.get(s.retexture_ai_model, "meshy-7")


class MeshySceneSettings(bpy.types.PropertyGroup):
    # --- Generate -----------------------------------------------------------------------------
    mode: EnumProperty(name="Mode", items=MODES, default="TEXT",
                       description="What the model is made from")
    prompt: StringProperty(name="Prompt", maxlen=limits.MAX_PROMPT,
                           description="Describe the object to generate (max 600 characters)")
    prompt_text: PointerProperty(
        name="Prompt Text", type=bpy.types.Text,
        description="A Text datablock used as the prompt instead of the one-line field (for "
        "long descriptions)")
    negative_prompt: StringProperty(name="Avoid", maxlen=limits.MAX_PROMPT,
                                    description="What the model should not look like")
    art_style: EnumProperty(name="Art Style", items=ART_STYLES, default="realistic",
                            description="The overall look of the model")
    ai_model: model_items.model_property(
        "ai_model", "text-to-3d-preview", legacy=model_items.AI_MODEL_NUMBERS, default="latest",
        name="AI Model", description="Which Meshy model makes the shape: detail and price")
    model_type: model_items.model_property(
        "model_type", "text-to-3d-preview", option="model_type",
        legacy=model_items.MODEL_TYPE_NUMBERS, default="standard", name="Model Type",
        description="A detailed result or clean, artist-style topology")
    topology: EnumProperty(name="Topology", items=TOPOLOGIES, default="triangle",
                           description="The kind of faces the model is built from")
    use_polycount: BoolProperty(name="Target Polycount",
                                description="Ask for a polygon budget (otherwise Meshy decides)")
    target_polycount: IntProperty(name="Polycount", default=30_000, min=100,
                                  max=limits.MAX_POLYCOUNT,
                                  description="About how many polygons the model gets: fewer "
                                  "is lighter to edit and render, more holds finer detail")
    should_remesh: BoolProperty(name="Remesh", default=True,
                                description="Let Meshy rebuild clean topology (off: the raw, "
                                "denser mesh)")
    symmetry_mode: EnumProperty(name="Symmetry", items=SYMMETRY, default="auto",
                                description="Whether left and right are mirrored")
    pose_mode: EnumProperty(name="Pose", items=POSES, default="NONE",
                            description="The pose characters are made in (A-pose rigs best)")
    moderation: BoolProperty(name="Moderation", default=False,
                             description="Have Meshy screen the prompt or picture for harmful "
                             "content first")
    image_enhancement: BoolProperty(name="Enhance Image", default=True,
                                    description="Let Meshy clean up the picture before "
                                    "modelling (off: follow it exactly)")
    image: PointerProperty(type=MeshyImageInput, name="Picture",
                           description="The picture to model")
    multi_image_1: PointerProperty(type=MeshyImageInput, name="Picture 1",
                                   description="A view of the object")
    multi_image_2: PointerProperty(type=MeshyImageInput, name="Picture 2",
                                   description="Another view of the same object")
    multi_image_3: PointerProperty(type=MeshyImageInput, name="Picture 3",
                                   description="Another view of the same object")
    multi_image_4: PointerProperty(type=MeshyImageInput, name="Picture 4",
                                   description="Another view of the same object")
    # Texturing
    should_texture: BoolProperty(name="Texture", default=True,
                                 description="Paint the model with colour textures (10 more "
                                 "credits). Off: shape first, check the untextured model and "
                                 "texture it later from Selected Object")
    candidates: IntProperty(name="Candidates", default=1, min=1, max=4,
                            description="Shapes of the same prompt to compare side by side "
                            "(each priced as one shape); texture only the one you pick")
    discard_candidates: BoolProperty(name="Delete the Other Candidates", default=False,
                                     description="When texturing a candidate, remove the other "
                                     "shapes of its row from the file and delete them on "
                                     "Meshy")
    texture_model: model_items.model_property(
        "texture_model", "image-to-3d", option="texture_model", legacy={}, default="meshy-7",
        name="Texture Model", description="Which Meshy model paints the texture")
    enable_pbr: BoolProperty(name="PBR Maps", default=True,
                             description="Also make metallic, roughness and normal maps: more "
                             "realistic materials")
    texture_source: EnumProperty(name="Texture From", items=TEXTURE_SOURCES, default="NONE",
                                 description="What the texture follows")
    texture_prompt: StringProperty(name="Texture Prompt", maxlen=limits.MAX_PROMPT,
                                   description="Describe only the surface: colours, materials, "
                                   "wear")
    texture_image: PointerProperty(type=MeshyImageInput, name="Texture Reference",
                                   description="A picture whose look the texture copies")
    remove_lighting: BoolProperty(name="Remove Lighting", default=True,
                                  description="Remove highlights and shadows baked into the "
                                  "colours, so your scene's lighting looks right")
    # Output
    target_formats: EnumProperty(name="Formats", items=MODEL_FORMATS, options={"ENUM_FLAG"},
                                 default={"glb", "fbx", "obj", "usdz", "stl"},
                                 description="Extra files Meshy makes and the cache keeps (the "
                                 "import format is always added)")
    auto_size: BoolProperty(name="Real-world Size", default=False,
                            description="Scale the model to a plausible real-world size (off: "
                            "Meshy's unit size)")
    origin_at: EnumProperty(name="Origin", items=ORIGINS, default="NONE",
                            description="Where the model's origin sits")
    import_format: EnumProperty(name="Import", items=IMPORT_FORMATS, default="DEFAULT",
                                description="Which file lands in the scene")
    # Chain
    chain_remesh: BoolProperty(name="Then Remesh",
                               description="Remesh the result with the Remesh settings of "
                               "Selected Object (5 more credits)")
    chain_rig: BoolProperty(name="Then Rig",
                            description="Rig the result as a humanoid: an armature with walking "
                            "and running (5 more credits)")
    chain_animate: BoolProperty(name="Then Animate",
                                description="Animate the rig with the animations ticked in the "
                                "library list (3 credits each)")

    # --- Selected object ----------------------------------------------------------------------
    apply_modifiers: BoolProperty(name="Apply Modifiers", default=True,
                                  description="Send meshes as they look, modifiers applied "
                                  "(off: the base mesh)")
    replace_selection: BoolProperty(
        name="Replace Selection", default=True,
        description="Put the result where the original is and hide the original")
    retexture_source: EnumProperty(name="Style From", items=STYLE_SOURCES, default="PROMPT",
                                   description="What the new look follows")
    retexture_prompt: StringProperty(name="Style", maxlen=limits.MAX_PROMPT,
                                     description="Describe the new look")
    retexture_image: PointerProperty(type=MeshyImageInput, name="Style Picture",
                                     description="A picture whose look the new texture copies")
    retexture_ai_model: model_items.model_property(
        "retexture_ai_model", "retexture", legacy=model_items.AI_MODEL_NUMBERS, default="latest",
        name="AI Model", description="Which Meshy model paints the new texture")
    retexture_texture_model: model_items.model_property(
        "retexture_texture_model", "retexture", option="texture_model", legacy={},
        default="meshy-7", name="Texture Model", unset=_retexture_model_of_old_files,
        description="Which Meshy model paints the new texture")
    keep_uvs: BoolProperty(name="Keep UVs", default=True,
                           description="Keep the model's own UV layout (off: Meshy unwraps it "
                           "anew)")
    retexture_pbr: BoolProperty(name="PBR Maps", default=True,
                                description="Also make metallic, roughness and normal maps")
    remesh_topology: EnumProperty(name="Topology", items=TOPOLOGIES, default="quad",
                                  description="The kind of faces the new mesh is built from")
    remesh_polycount: IntProperty(name="Polycount", default=10_000, min=100,
                                  max=limits.MAX_POLYCOUNT,
                                  description="About how many polygons the new mesh gets")
    remesh_use_height: BoolProperty(name="Resize",
                                    description="Scale the result to the Height beside it")
    remesh_height: FloatProperty(name="Height", default=1.8, min=0.01, max=1000, unit="LENGTH",
                                 description="The result's height after remeshing")
    remesh_origin: EnumProperty(name="Origin", items=ORIGINS, default="NONE",
                                description="Where the remeshed model's origin sits")
    remesh_formats: EnumProperty(name="Formats", items=REMESH_FORMATS, options={"ENUM_FLAG"},
                                 default={"glb", "fbx"},
                                 description="Extra files the remesh makes and the cache keeps")
    rig_height: FloatProperty(name="Height", default=1.7, min=0.1, max=100, unit="LENGTH",
                              description="The character's real height: bones are placed to "
                              "match")
    rig_check: BoolProperty(name="Check First",
                            description="Ask Meshy first (1 credit) whether it can rig the "
                            "model, and as a biped or a quadruped: a model it cannot rig "
                            "stops there, before the 5-credit rig", default=True)
    # The layout these settings were saved in (blender/scene/migrations.py); 0: not saved yet.
    schema: IntProperty(name="Schema", default=0, min=0, options={"HIDDEN"},
                        description="Which Meshy for Blender settings layout the file holds")
    action_id: IntProperty(name="Action ID", default=0, min=-1_000_000,
                           description="The animation's number in Meshy's library (only needed "
                           "when the library list cannot load; ids -2, -1 and 0 exist too)")


class MeshyAnimationItem(bpy.types.PropertyGroup):
    """One entry of Meshy's animation library (``name`` is the built-in name property)."""

    action_id: IntProperty(name="Action ID", description="Its number in Meshy's library")
    category: StringProperty(name="Category", description="Library category, e.g. Fighting")
    sub_category: StringProperty(name="Sub-category", description="A finer library grouping")
    selected: BoolProperty(name="Use", description="Add this animation (3 credits each)")
    rig_type: StringProperty(name="Rig Type", description="The rig it moves: biped or "
                             "quadruped (empty: not said)")


def _category_items(self: object, context: object) -> list[tuple[str, str, str]]:
    from ..core.library import category_items

    return category_items()


def _pick_animation(state: "MeshyWindowState", context: bpy.types.Context) -> None:
    """Choosing a library row fills in the scene's action id."""
    if 0 <= state.animation_index < len(state.animations):
        context.scene.meshy.action_id = state.animations[state.animation_index].action_id


class MeshyJobRow(bpy.types.PropertyGroup):
    """One job of the session in the Tasks list: its id (``name``); the rest is read live."""


class MeshyWindowState(bpy.types.PropertyGroup):
    """Transient UI state on the window manager: library list, filters, resume fields."""

    animations: CollectionProperty(type=MeshyAnimationItem, name="Animations",
                                   description="Meshy's animation library")
    animation_index: IntProperty(name="Animation", default=-1, update=_pick_animation,
                                 description="The highlighted animation")
    animation_category: EnumProperty(name="Category", items=_category_items,
                                     description="Show only animations of this category")
    resume_kind: EnumProperty(name="Kind", items=RESUME_KINDS, default="text-to-3d-refine",
                              description="What kind of Meshy task the id belongs to")
    resume_task_id: StringProperty(name="Task ID", description="The id of a Meshy task (Copy "
                                   "Task ID, or Meshy's website)")
    jobs: CollectionProperty(type=MeshyJobRow, name="Jobs",
                             description="This session's Meshy jobs, newest first")
    job_index: IntProperty(name="Job", default=0, min=0,
                           description="The job whose details and actions are shown")
    recent_kind: EnumProperty(name="Kind", items=kinds.history_filter_items(),
                              default=kinds.HISTORY_ALL,
                              description="Which kind of recent Meshy tasks History lists")


CLASSES = (MeshyImageInput, MeshySceneSettings, MeshyAnimationItem, MeshyJobRow,
           MeshyWindowState)


def register_properties() -> None:
    bpy.types.Scene.meshy = PointerProperty(type=MeshySceneSettings)  # type: ignore[attr-defined]
    bpy.types.WindowManager.meshy = PointerProperty(  # type: ignore[attr-defined]
        type=MeshyWindowState)


def unregister_properties() -> None:
    del bpy.types.Scene.meshy  # type: ignore[attr-defined]
    del bpy.types.WindowManager.meshy  # type: ignore[attr-defined]

"""Scene settings an artist edits in the sidebar. Saved in the .blend: never secrets here."""

from __future__ import annotations

import bpy
from bpy.props import PointerProperty, StringProperty


class MeshySceneSettings(bpy.types.PropertyGroup):
    prompt: StringProperty(
        name="Prompt",
        description="Describe the object to generate (max 600 characters)",
        maxlen=600,
    )


def register_properties() -> None:
    bpy.types.Scene.meshy = PointerProperty(type=MeshySceneSettings)  # type: ignore[attr-defined]


def unregister_properties() -> None:
    del bpy.types.Scene.meshy  # type: ignore[attr-defined]

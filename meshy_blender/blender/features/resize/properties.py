"""Resize's settings, on the scene as ``scene.meshy_resize`` (saved in the .blend, nothing
secret): the height Meshy scales the model to and where its origin goes."""

from __future__ import annotations

import bpy
from bpy.props import EnumProperty, FloatProperty, PointerProperty

ORIGINS = [
    ("bottom", "Bottom", "The origin at the middle of the model's base: it stands on the floor"),
    ("center", "Centre", "The origin at the middle of the model's bounds"),
]


class MeshyResizeSettings(bpy.types.PropertyGroup):
    # min 0 (not above): a height of 0 is refused by the request with the reason drawn
    height: FloatProperty(name="Height", default=1.8, min=0.0, max=1000, unit="LENGTH",
                          description="How tall the resized model is, in metres")
    origin: EnumProperty(name="Origin", items=ORIGINS, default="bottom",
                         description="Where the resized model's origin sits")


CLASSES = (MeshyResizeSettings,)


def register_properties() -> None:
    bpy.types.Scene.meshy_resize = PointerProperty(  # type: ignore[attr-defined]
        type=MeshyResizeSettings, name="Meshy Resize",
        description="Meshy's Resize settings for the selected model")


def unregister_properties() -> None:
    del bpy.types.Scene.meshy_resize  # type: ignore[attr-defined]

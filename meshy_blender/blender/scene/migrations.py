"""Schema versions of what the add-on saves in .blend files, and the steps that upgrade them.

Two kinds of saved data carry one:

- a scene's Meshy settings (``scene.meshy``, ``scene.meshy_tools``): the hidden
  ``scene.meshy.schema``, written when the file is saved;
- an imported object's provenance (``meshy_*`` custom properties): ``meshy_schema``, written
  with the provenance at import.

Files saved by 0.1.0 carry neither and are schema 1. When a file is opened, each scene and Meshy
object of an older schema is upgraded one step at a time; one from a newer Meshy for Blender is
left as it is (its stamp is never lowered on save) and :func:`upgrade_file` returns a sentence
saying so, which the sidebar reports.

Adding a step (see docs/releasing.md): raise ``SCENE_SCHEMA`` (or ``OBJECT_SCHEMA``) by one and
register the function that upgrades the previous schema, like :func:`_tool_settings_renamed`
(schema 1 -> 2). A step reads the stored values with :func:`stored_values`, which also finds a
property group whose Python definition was renamed or removed (Blender keeps its values in the
file), and :func:`copy_stored` sets them on today's group.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import bpy

# Scene: 1: the layout of 0.1.0 and early 0.2.0 builds; 2: ``scene.meshy_newer`` renamed
# ``scene.meshy_tools``. Object: 1: the provenance of 0.1.0 and 0.2.0.
SCENE_SCHEMA = 2
OBJECT_SCHEMA = 1
OBJECT_KEY = "meshy_schema"
PROVENANCE_MARK = "meshy_job_id"  # every Meshy root object has it

SceneStep = Callable[[Any], None]
ObjectStep = Callable[[Any], None]
# schema N -> the function that upgrades a scene (an object) of schema N to N + 1, in place.
SCENE_STEPS: dict[int, SceneStep] = {}
OBJECT_STEPS: dict[int, ObjectStep] = {}


def scene_step(from_schema: int) -> Callable[[SceneStep], SceneStep]:
    def register(step: SceneStep) -> SceneStep:
        SCENE_STEPS[from_schema] = step
        return step
    return register


def object_step(from_schema: int) -> Callable[[ObjectStep], ObjectStep]:
    def register(step: ObjectStep) -> ObjectStep:
        OBJECT_STEPS[from_schema] = step
        return step
    return register


def stored_values(owner: Any, name: str) -> Mapping[str, Any] | None:
    """The values saved under ``name`` on an ID (a property group's, registered or not).
    Blender 5.0 keeps add-on-defined properties apart from custom properties."""
    system = getattr(owner, "bl_system_properties_get", None)
    store = system() if system is not None else owner
    if store is None:
        return None
    value = store.get(name)
    return value if hasattr(value, "keys") else None


def copy_stored(old: Mapping[str, Any], group: Any) -> None:
    """Set every property of the registered ``group`` that ``old`` holds, as its definition
    reads it: an enum's saved number through the same items (a number no item has, such as a
    retired model's, is stored as saved for the menu's own reader), a nested group property by
    property, an image or other datablock as the same datablock."""
    for prop in group.bl_rna.properties:
        key = prop.identifier
        if key == "rna_type" or key not in old:
            continue
        value = old[key]
        if prop.type == "POINTER" and hasattr(value, "keys") and \
                not isinstance(value, bpy.types.ID):
            copy_stored(value, getattr(group, key))  # a group inside: read-only, filled in
        elif prop.is_readonly:
            continue
        elif prop.type == "POINTER":
            setattr(group, key, value)
        elif prop.type == "ENUM":
            numbers = {item.value: item.identifier for item in prop.enum_items}
            if prop.is_enum_flag:
                setattr(group, key, {name for number, name in numbers.items() if value & number})
            elif value in numbers:
                setattr(group, key, numbers[value])
            else:
                group[key] = value
        elif getattr(prop, "is_array", False):
            setattr(group, key, list(value))
        elif prop.type == "BOOLEAN":
            setattr(group, key, bool(value))
        else:
            setattr(group, key, value)


@scene_step(1)
def _tool_settings_renamed(scene: Any) -> None:
    """0.1.0 and early 0.2.0 builds saved the concept, model option and tool settings as
    ``scene.meshy_newer``: their values move to ``scene.meshy_tools``. The old group is left in
    the file, so an older version opening it later still finds its own settings."""
    old = stored_values(scene, "meshy_newer")
    tools = getattr(scene, "meshy_tools", None)
    if old is not None and tools is not None:
        copy_stored(old, tools)


def scene_schema(scene: Any) -> int:
    settings = getattr(scene, "meshy", None)
    if settings is None or not settings.is_property_set("schema"):
        return 1  # saved by 0.1.0, or never saved with Meshy settings
    return int(settings.schema)


def object_schema(obj: Any) -> int:
    value = obj.get(OBJECT_KEY, 1)
    return value if isinstance(value, int) else 1


def newer_sentence(what: str, schema: int) -> str:
    return (f"{what} was made by a newer Meshy for Blender (schema {schema}): update the "
            "extension (Preferences > Get Extensions). Its Meshy settings were left as saved.")


def upgrade_file(data: Any = None) -> list[str]:
    """Upgrade every scene and Meshy object of the open file; the sentences for those a newer
    version saved (left untouched)."""
    data = data or bpy.data
    refused: list[str] = []
    for scene in data.scenes:
        if scene.library is not None:
            continue  # linked: read-only here, upgraded when its own file is opened
        schema = scene_schema(scene)
        if schema > SCENE_SCHEMA:
            refused.append(newer_sentence(f"Scene '{scene.name}'", schema))
            continue
        while schema < SCENE_SCHEMA:
            SCENE_STEPS[schema](scene)
            schema += 1
            scene.meshy.schema = schema
    newer_objects: list[tuple[str, int]] = []
    for obj in data.objects:
        if obj.library is not None or PROVENANCE_MARK not in obj:
            continue
        schema = object_schema(obj)
        if schema > OBJECT_SCHEMA:
            newer_objects.append((obj.name, schema))
            continue
        while schema < OBJECT_SCHEMA:
            OBJECT_STEPS[schema](obj)
            schema += 1
            obj[OBJECT_KEY] = schema
    if newer_objects:
        names = ", ".join(f"'{name}'" for name, _ in newer_objects[:3])
        more = f" and {len(newer_objects) - 3} more" if len(newer_objects) > 3 else ""
        refused.append(newer_sentence(f"Meshy object {names}{more}",
                                      max(s for _, s in newer_objects)))
    return refused


def stamp_file(data: Any = None) -> None:
    """Before a save: every scene records the schema of its settings (a newer one is kept)."""
    data = data or bpy.data
    for scene in data.scenes:
        settings = getattr(scene, "meshy", None)
        if settings is not None and scene.library is None and \
                scene_schema(scene) <= SCENE_SCHEMA:
            settings.schema = SCENE_SCHEMA

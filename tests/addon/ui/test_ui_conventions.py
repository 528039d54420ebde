"""Blender's conventions, checked on what is really registered: every Meshy property and enum
item says what it changes, every Meshy operator has a label and a description, the Add menu
and the object context menu carry the Meshy entries, and their dialogs show the price."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from fixtures.recording_layout import RecordingLayout


def _meshy_structs(bpy):
    """Every settings group the add-on registers (a feature's own included) and its
    preferences."""
    from meshy_blender.blender import registration

    return [c for c in registration.CLASSES
            if issubclass(c, bpy.types.PropertyGroup | bpy.types.AddonPreferences)]


def _operators(bpy):
    return [getattr(bpy.ops.meshy, name).get_rna_type() for name in dir(bpy.ops.meshy)]


def _undescribed(rna, where):
    bad = []
    for prop in rna.properties:
        if prop.identifier in ("rna_type", "name", "bl_idname"):
            continue
        desc = prop.description.strip()
        if not desc or desc.lower() == prop.name.lower():
            bad.append(f"{where}.{prop.identifier}")
        if prop.type == "ENUM":
            for item in prop.enum_items:
                text = item.description.strip()
                if not text or text.lower() == item.name.lower():
                    bad.append(f"{where}.{prop.identifier}[{item.identifier}]")
    return bad


def test_every_meshy_property_and_enum_item_says_what_it_changes(bpy, meshy_ui):
    bad = []
    structs = _meshy_structs(bpy)
    assert {"MeshySceneSettings", "MeshyToolSettings", "MeshyResizeSettings",
            "MeshyPreferences"} <= {cls.__name__ for cls in structs}
    for cls in structs:
        bad += _undescribed(cls.bl_rna, cls.__name__)
    for rna in _operators(bpy):
        bad += _undescribed(rna, rna.identifier)
    assert bad == []


def test_every_meshy_operator_has_a_label_and_a_description(bpy, meshy_ui):
    ops = _operators(bpy)
    assert len(ops) >= 20
    missing = [rna.identifier for rna in ops if not rna.name.strip()
               or len(rna.description.strip()) < 20]
    assert missing == []


def _draw_menu(menu_cls, context):
    layout = RecordingLayout()
    menu_cls.draw(SimpleNamespace(layout=layout), context)
    return layout


def test_add_menu_offers_model_from_text_and_image_as_dialogs(bpy, meshy_ui):
    from meshy_blender.blender.ui import menus

    assert menus.draw_add_menu in bpy.types.VIEW3D_MT_add._dyn_ui_initialize()
    entry = RecordingLayout()
    menus.draw_add_menu(SimpleNamespace(layout=entry), bpy.context)
    assert [c["args"][0] for c in entry.calls if c["call"] == "menu"] == ["MESHY_MT_add"]
    layout = _draw_menu(bpy.types.MESHY_MT_add, bpy.context)
    entries = [(c["kwargs"]["operator"], c["kwargs"]["text"], c["props"])
               for c in layout.operators()]
    assert entries == [("meshy.generate_text", "Model from Text...", {"dialog": True}),
                       ("meshy.generate_image", "Model from Image...", {"dialog": True})]


def test_context_menu_offers_what_the_selection_can_have_done(bpy, meshy_ui):
    from meshy_blender.blender.ui import menus

    assert menus.draw_object_context_menu in \
        bpy.types.VIEW3D_MT_object_context_menu._dyn_ui_initialize()

    def entries():
        layout = RecordingLayout()
        menus.draw_object_context_menu(SimpleNamespace(layout=layout), bpy.context)
        return [c["kwargs"]["operator"] for c in layout.operators()]

    assert entries() == []  # nothing selected: no Meshy entries
    bpy.ops.mesh.primitive_cube_add()
    assert entries() == ["meshy.retexture", "meshy.remesh", "meshy.rig"]
    bpy.ops.object.armature_add()
    bpy.context.view_layer.objects.active["meshy_task_ids"] = "rig=cccc"
    assert entries() == ["meshy.animate"]


@pytest.mark.parametrize("op_name, setup, price", [
    ("MESHY_OT_generate_text", lambda bpy, s: setattr(s, "prompt", "a chair"),
     "Costs 30 credits"),
    ("MESHY_OT_generate_text", lambda bpy, s: None, "Type a prompt first (Prompt)"),
    ("MESHY_OT_generate_text", lambda bpy, s: (setattr(s, "prompt", "a chair"),
                                               setattr(s, "should_texture", False),
                                               setattr(s, "candidates", 3)),
     "Costs 60 credits"),  # three shapes, priced as a whole
    ("MESHY_OT_retexture", lambda bpy, s: (bpy.ops.mesh.primitive_cube_add(),
                                           setattr(s, "retexture_prompt", "gold")),
     "Costs 10 credits"),
    ("MESHY_OT_rig", lambda bpy, s: bpy.ops.mesh.primitive_cube_add(), "Costs 6 credits"),
])
def test_menu_dialogs_show_the_main_options_and_the_price(bpy, meshy_ui, op_name, setup,
                                                          price):
    from meshy_blender.blender.features.edit import operators as selected
    from meshy_blender.blender.features.generate import operators as generate

    cls = getattr(generate, op_name, None) or getattr(selected, op_name)
    setup(bpy, bpy.context.scene.meshy)
    layout = RecordingLayout()
    # The operator's own draw code, bound to a stand-in (operators exist only while running)
    fake = SimpleNamespace(layout=layout, mode=getattr(cls, "mode", "TEXT"),
                           _dialog_props=getattr(cls, "_dialog_props", ()),
                           _settings=getattr(cls, "_settings", "meshy"))
    for name in ("draw_dialog", "dialog_request", "dialog_copies", "_build"):
        if hasattr(cls, name):
            setattr(fake, name, getattr(cls, name).__get__(fake))
    cls.draw(fake, bpy.context)
    assert price in layout.texts()
    assert layout.props()  # the main options are editable in the dialog

"""The add-on registers and unregisters cleanly in real Blender, repeatedly."""

from __future__ import annotations

from conftest import ADDON_MODULE

SCENE_LEVEL_TYPES = ("Scene", "Object", "WindowManager", "Collection", "Text", "Image")


def _snapshot(bpy) -> dict:
    """Everything the add-on could leave behind in Blender's global state."""
    from meshy_blender.blender import registration

    handlers = {}
    for name in dir(bpy.app.handlers):
        handler_list = getattr(bpy.app.handlers, name)
        if isinstance(handler_list, list):
            handlers[name] = sorted(
                f"{fn.__module__}.{fn.__qualname__}"
                for fn in handler_list
                if getattr(fn, "__module__", "").startswith(ADDON_MODULE)
            )
    return {
        "classes": sorted(c.__name__ for c in registration.CLASSES if c.is_registered),
        "bpy_types": sorted(n for n in dir(bpy.types) if n.upper().startswith("MESHY")),
        "properties": sorted(
            f"{t}.{attr}"
            for t in SCENE_LEVEL_TYPES
            for attr in dir(getattr(bpy.types, t))
            if attr.startswith("meshy")
        ),
        "timers": sorted(
            fn.__qualname__ for fn in registration.timers() if bpy.app.timers.is_registered(fn)
        ),
        "handlers": handlers,
        "addon_enabled": ADDON_MODULE in bpy.context.preferences.addons,
    }


def test_register_unregister_twice_leaves_nothing_behind(bpy):
    import addon_utils

    from meshy_blender.blender import registration

    before = _snapshot(bpy)
    assert before["classes"] == [] and not before["addon_enabled"]
    for _round in range(2):
        assert addon_utils.enable(ADDON_MODULE, default_set=True) is not None
        enabled = _snapshot(bpy)
        assert enabled["classes"] == sorted(c.__name__ for c in registration.CLASSES)
        assert "Scene.meshy" in enabled["properties"]
        assert enabled["addon_enabled"]
        addon_utils.disable(ADDON_MODULE, default_set=True)
        assert _snapshot(bpy) == before


def test_sidebar_tab_is_meshy_in_the_3d_viewport(addon, bpy):
    from meshy_blender.blender import registration

    panels = [c for c in registration.CLASSES if issubclass(c, bpy.types.Panel)]
    assert panels, "no sidebar panels registered"
    for panel in panels:
        assert panel.bl_space_type == "VIEW_3D"
        # The sidebar's panels sit in the Meshy tab; a popover's panel (Generate > Then's
        # clips) is a header-region panel, drawn only where a layout asks for it.
        assert panel.bl_region_type in ("UI", "HEADER"), panel
        if panel.bl_region_type == "UI":
            assert panel.bl_category == "Meshy"
        assert getattr(bpy.types, panel.__name__).is_registered
    assert sum(p.bl_region_type == "UI" for p in panels) >= 5


def test_preferences_are_keyed_by_the_package_name(addon, bpy):
    prefs = bpy.context.preferences.addons[ADDON_MODULE].preferences
    assert type(prefs).bl_idname == ADDON_MODULE == addon.__package__
    assert prefs.bl_rna.properties["api_key"].subtype == "PASSWORD"

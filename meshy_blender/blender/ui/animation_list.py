"""The animation library as a searchable, category-filtered list in the Selected Object panel."""

from __future__ import annotations

import bpy

from ..session.library import ALL


class MESHY_UL_animations(bpy.types.UIList):
    """Library rows; the list's own search box filters by name, the category enum by category."""

    bl_idname = "MESHY_UL_animations"

    def draw_item(self, context, layout, data, item, icon, active_data, active_propname,
                  index=0, flt_flag=0):
        row = layout.row(align=True)
        row.label(text=item.name, icon="ACTION")
        row.label(text=f"{item.category} #{item.action_id}")

    def filter_items(self, context, data, propname):
        items = getattr(data, propname)
        helper = bpy.types.UI_UL_list
        flags = helper.filter_items_by_name(self.filter_name, self.bitflag_filter_item, items,
                                            "name")
        if not flags:
            flags = [self.bitflag_filter_item] * len(items)
        category = data.animation_category
        if category != ALL:
            flags = [f if item.category == category else 0 for f, item in zip(flags, items,
                                                                                strict=True)]
        return flags, []


CLASSES = (MESHY_UL_animations,)

"""Everything that touches bpy: preferences, properties, operators, panels, pump, import."""

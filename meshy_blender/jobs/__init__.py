"""Pure-Python jobs layer: workers, event queue to the main thread, journal. Never imports bpy."""

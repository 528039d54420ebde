"""Pure-Python Meshy API client (requests). Never imports bpy: it runs on worker threads."""

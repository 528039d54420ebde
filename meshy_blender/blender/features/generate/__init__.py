"""Generate: text to 3D and image to 3D from the sidebar, with candidates; the operators and the
Generate panel.

Imports like every feature (see ``features/__init__.py``); never another feature.
"""

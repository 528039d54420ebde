"""Edit the selected object: retexture, remesh, rig and animate, and UV unwrap / 3D print / motion
on the selection; requests, operators and the Selected panel with its sections.

Imports like every feature (see ``features/__init__.py``); never another feature.
"""

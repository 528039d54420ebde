"""Resize: a Meshy model at a real-world size (height in metres, origin at its bottom or
centre), 1 credit, landing beside the model or in its place like a remesh. The worked example
of a capability in its own folder: its settings, request, operator and Selected Object
sub-panel; the kind itself is one row of ``jobs/kinds.py`` and the API's ``resize``.

Imports like every feature (see ``features/__init__.py``); never another feature.
"""

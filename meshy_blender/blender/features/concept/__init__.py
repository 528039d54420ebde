"""Concept: a picture made from text or from pictures first (text/image to image), then turned
into a model; its requests, operators and panel.

Imports like every feature (see ``features/__init__.py``); never another feature.
"""

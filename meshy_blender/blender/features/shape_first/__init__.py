"""Shape first: make a shape and texture it later ("Texture It"); the operators.

Imports like every feature (see ``features/__init__.py``); never another feature.
"""

"""Tasks and history: running jobs, a task fetched by id, and the History gallery of the account's
recent tasks; operators, panels and the history reads.

Imports like every feature (see ``features/__init__.py``); never another feature.
"""

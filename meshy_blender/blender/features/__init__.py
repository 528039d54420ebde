"""One folder per capability the artist sees: its request building, operators, panel and
sections, and what it keeps in the session. A feature's files repeat its name by folder:
``features/concept/operators.py``, ``features/concept/panel.py``, ``features/concept/requests.py``.

May import: ``core/``, ``scene/``, ``ui/``, ``operators/`` (the shared job and dialog operators),
``client/``, ``jobs/`` and bpy. A feature never imports another feature (what two features
share lives in ``core/`` or ``ui/``), and inside a feature the panel never imports the
operators (operator ids are strings). Enforced by tests/tools/test_architecture.py.
"""

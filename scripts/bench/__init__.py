"""`make bench`: honest figures for the add-on, one module per benchmark plus the report.

Run as ``PYTHONPATH=scripts python -m bench`` (what `make bench` does). Each benchmark module
(``client``, ``jobs``, ``imports``, ``startup``) runs in its own process with a timeout and hands
back JSON; ``report`` renders out/bench/report.md. A benchmark that fails or hangs is shown as
FAILED/HUNG and makes the run exit non-zero; nothing is retried. Product code is reached only
through ``bench.product`` (one place to fix when modules move). May import: meshy_blender (via
``bench.product``), the emulator (``meshy_emu``, as a separate process), stdlib, requests.
"""

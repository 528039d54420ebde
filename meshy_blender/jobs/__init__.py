"""Jobs: one user request (a :class:`~.request.JobRequest`) becomes a chain of Meshy tasks,
run on threads of the jobs worker process (never in Blender's process), journalled on disk,
reported to Blender's main thread as events over a pipe.

May import: the standard library and ``client/`` (through the small client protocol in
``ports.py`` where it calls the network). Never imports bpy, ``blender/``, ``api`` or ``cli``:
worker threads run this code, and Blender crashes when a worker touches bpy.

- ``request.py``  JobRequest and ImportOptions: what to run and how it lands (built by the
  sidebar, the API, the CLI and resume alike)
- ``kinds.py``    every request kind and task type by name
- ``plans.py``    request -> chain of steps, validated and priced before anything is sent
  (a ``preview_task_id`` textures an existing shape; thumbnails and stand-ins are optional)
- ``candidates.py``  one click -> 1-4 untextured shapes side by side, grouped and numbered
- ``model.py``    Job and Step (what the journal stores)
- ``manager.py``, ``runner.py``, ``journal.py``  worker pool, one job's run, crash-safe journal
- ``worker.py``, ``remote.py``, ``pipe.py``  the jobs worker process, Blender's proxy of it
  (RemoteJobs) and the framed-JSON pipe between them, read without a thread
- ``spawn.py``, ``unfinished.py``  small enough for Blender's start-up: how the worker and the
  one-shot retention prune are started, and whether the journal holds anything to resume
- ``remote_client.py``, ``account_reads.py``  the free reads (balance, tasks, History rows):
  asked on Blender's side, answered in the worker
- ``keys.py``, ``key_index.py``  job keys: a rerun pays once; the per-key index and lock that
  make look-ups cheap, survive retention and keep one task per key across processes
- ``concurrency.py``, ``pacing.py``  how many tasks are live on Meshy at once (learnt) and the
  request-rate window every create and stream open goes through
- ``batchfile.py``  a batch file (CSV / JSON Lines) read and checked row by row
- ``retention.py``  how long finished jobs stay re-importable, pins, Clear Cache
- ``policy.py``   the studio policy file (defaults, locks, allowed models, credit caps)
"""

"""Whether a journal folder holds unfinished jobs, from its listing alone: the start-up check.

The journal keeps unfinished jobs at its top and finished ones in ``done/`` (:mod:`.journal`),
so one directory listing tells the start-up timer whether there is anything to resume, without
Blender's main thread importing the job model or reading a file; only then is the journal
loaded. A leaf module (standard library only).
"""

from __future__ import annotations

import os


def has_unfinished(journal_dir: str | os.PathLike[str]) -> bool:
    """True when the top of ``journal_dir`` holds a job file (unfinished, damaged or left by a
    crash: :meth:`.Journal.load_unfinished` reads exactly these); False for a missing folder."""
    try:
        with os.scandir(journal_dir) as entries:
            return any(e.name.startswith("job-") and e.name.endswith(".json") for e in entries)
    except OSError:
        return False

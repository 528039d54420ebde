"""The CLI's documented exit codes and which error gets which (scripts and farms branch on
them)."""

from __future__ import annotations

from ..client import errors

EXIT_OK = 0
EXIT_OTHER = 1
EXIT_BAD_INPUT = 2
EXIT_AUTH = 3
EXIT_CREDITS = 4
EXIT_TASK_FAILED = 5
EXIT_NETWORK = 6
EXIT_TIMEOUT = 7
EXIT_INTERRUPTED = 130  # Ctrl-C (SIGINT), as shells report it
EXIT_CODES_HELP = """exit codes:
  0  success
  1  other error (e.g. the import failed; the files stay in the cache)
  2  bad input: unknown option or value, missing file, policy refusal, unknown task
  3  authentication: no API key, or Meshy refused it
  4  credits: not enough credits, or over the studio policy's cap/budget
  5  the Meshy task failed or was canceled on the server (credits are refunded)
  6  network: Meshy unreachable, offline Blender (use --online-mode), server errors
  7  timeout (--timeout): the job stays journalled; rerun with the same --job-key (or
     `resume` a printed task id) to finish it without paying again
130  interrupted (Ctrl-C): as for 7; the paid task ids are printed (in --json: task_ids)"""

# Exception class -> exit code; the first matching base class wins (order matters).
_EXIT_MAP: tuple[tuple[type[BaseException], int], ...] = (
    (errors.WaitTimeoutError, EXIT_TIMEOUT),
    (errors.InsufficientCreditsError, EXIT_CREDITS),
    (errors.AuthError, EXIT_AUTH),
    (errors.ForbiddenError, EXIT_AUTH),
    (errors.TaskFailedError, EXIT_TASK_FAILED),
    (errors.TaskCanceledError, EXIT_TASK_FAILED),
    (errors.ValidationError, EXIT_BAD_INPUT),
    (errors.InvalidRequestError, EXIT_BAD_INPUT),
    (errors.NotFoundError, EXIT_BAD_INPUT),
    (errors.CannotProcessError, EXIT_BAD_INPUT),
    (errors.OnlineAccessError, EXIT_NETWORK),
    (errors.NetworkError, EXIT_NETWORK),
    (errors.ServerError, EXIT_NETWORK),
    (errors.RateLimitedError, EXIT_NETWORK),
    (errors.QueueFullError, EXIT_NETWORK),
    (errors.DownloadError, EXIT_NETWORK),
    (errors.AssetExpiredError, EXIT_NETWORK),
    (errors.MalformedResponseError, EXIT_NETWORK),
)


class UsageError(Exception):
    """Bad command line (argparse would exit; we report it with exit code 2 instead)."""


def exit_code_for(exc: BaseException) -> int:
    """The documented exit code for an exception (see EXIT_CODES_HELP)."""
    if isinstance(exc, UsageError | FileNotFoundError):
        return EXIT_BAD_INPUT
    for cls, code in _EXIT_MAP:
        if isinstance(exc, cls):
            return code
    return EXIT_OTHER

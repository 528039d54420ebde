"""The one error type the API layer turns into `{"message": ...}` responses."""

from __future__ import annotations


class ApiError(Exception):
    """An HTTP error answer: status code, message and optional extra headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None, *,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.code = code  # machine code sent beside the message when `error_codes` is on

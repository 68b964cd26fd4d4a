"""The error the simulator's API answers with a Status object."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error the API answers with a Status object; `details` (name, group, kind, causes) as a server gives
    them for 422 Invalid."""

    def __init__(self, code: int, reason: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details

    def status(self) -> dict[str, Any]:
        status = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": self.message,
                  "reason": self.reason, "code": self.code}
        if self.details is not None:
            status["details"] = self.details
        return status

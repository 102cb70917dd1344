"""One exception hierarchy and one table of exit codes for the whole tool."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes; documented in the README, one test per code."""

    OK = 0  # success; ASK true; the graph conforms
    FALSE = 1  # ASK false; the graph does not conform; `fmt --check` found files to rewrite
    BAD_INPUT = 2  # usage error or bad input (file, query, option); nothing was done
    REFUSED = 3  # refused by policy (update query, SERVICE, network access not granted)
    LIMIT = 4  # a resource limit was hit (timeout, result cap, nesting depth, size)
    INTERNAL = 5  # a bug in yilian; the message asks for a report


class YilianError(Exception):
    """An error the user can fix; rendered as one line on stderr."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None,
                 detail: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint
        self.detail = detail  # extra lines shown under the message (a query line and caret)

    def render(self) -> str:
        parts = []
        if self.where:
            parts.append(f"{self.where}: ")
        parts.append(self.message)
        if self.hint:
            parts.append(f" ({self.hint})")
        if self.detail:
            parts.append("\n" + self.detail)
        return "".join(parts)


class InputError(YilianError):
    """A data file cannot be read or parsed."""


class QueryError(YilianError):
    """A SPARQL query cannot be parsed or run."""


class UsageError(YilianError):
    """Options that do not fit together, an unknown name."""


class PolicyError(YilianError):
    """Something yilian refuses to do by policy (updates, unrequested network access)."""

    exit_code = ExitCode.REFUSED


class LimitError(YilianError):
    """A resource limit was reached."""

    exit_code = ExitCode.LIMIT

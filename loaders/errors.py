"""Errors the user can act on. The CLI prints them on one line, no traceback."""


class LoaderError(Exception):
    """A problem with the project, a source declaration or the warehouse."""


class FileError(LoaderError):
    """A delivered file that cannot be landed at all (it lands nothing)."""

    def __init__(self, path: str, problem: str, line: int | None = None):
        self.path = path
        self.problem = problem
        self.line = line
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {problem}")


class RunInProgress(LoaderError):
    """Another run holds the warehouse lock."""

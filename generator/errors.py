"""The one exception family: everything the archive reports to a user is an ArchiveError."""


class ArchiveError(Exception):
    """A problem the user can act on; the CLI prints it as one line, with no traceback."""


class ContentError(ArchiveError):
    """A content file is unreadable, invalid, or could not be written."""


class ApiError(ArchiveError):
    """A response from an upstream API cannot be used."""


class BuildError(ArchiveError):
    """The site could not be built."""


class MailError(ArchiveError):
    """An e-mail cannot be sent as configured, or its send record cannot be used."""

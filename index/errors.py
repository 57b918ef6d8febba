"""Domain errors; each entry point translates them (CLI message, HTTP status, Slack reply)."""


class PolicingQAError(Exception):
    """Base of every error this project raises on purpose."""


class ConfigError(PolicingQAError):
    """A setting is missing, malformed or a placeholder."""


class SourceError(PolicingQAError):
    """One input could not be read; names the input and the reason."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class StoreUnavailable(PolicingQAError):
    """The Chroma store cannot be opened or reached."""


class BackendUnavailable(PolicingQAError):
    """The answer generator (an LLM server) cannot be reached in time."""


class NotPosted(PolicingQAError):
    """Slack did not take a message; names the channel and what Slack said."""

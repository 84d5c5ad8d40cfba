"""Errors the suite reports to users as one line (the CLI prints them without a traceback)."""


class LifecircleError(Exception):
    """Base of every error whose message is meant for the user as it is."""


class ConfigError(LifecircleError):
    """A configuration file, key or value is wrong; the message names file, key and problem."""


class LakeError(LifecircleError):
    """A Delta table could not be read or written."""


class SchemaMismatchError(LakeError):
    """A write would change a table's schema; refused before anything is committed."""


class InputError(LifecircleError):
    """An input path or argument is unusable (missing landing folder, bad date range …)."""

"""Errors a person can meet while locating, reading or fetching a data set.

Each carries one sentence that says what went wrong and what to do. They subclass the matching
built-in exception, so `except FileNotFoundError` or `except ValueError` also catches them.
"""


class DatasetError(Exception):
    """Base class of every error raised by trainlab_datasets."""


class DatasetNotFoundError(DatasetError, FileNotFoundError):
    """The requested data set is not on disk where it was looked for."""


class DatasetCorruptError(DatasetError, ValueError):
    """A file is truncated, malformed, has the wrong checksum or is an unsafe archive."""


class DatasetDownloadError(DatasetError, OSError):
    """The download itself failed (no network, unknown host, HTTP error)."""

"""The error of a file that cannot be read as a whole."""


class SheetError(Exception):
    """The whole file cannot be read; the message is for the user, in Chinese."""

"""An error worded for the person who meets it: a catalogue key and its fields, said in the reader's language."""

from __future__ import annotations

from kpi.text.i18n import catalogue, t


class Worded(Exception):
    """The base of every refusal the user reads (a cell, a workbook, a check-in, storage, mail settings): ``key``
    names the catalogue text, ``fields`` fill it, ``text_in(lang)`` says it; ``str()`` is the key, for logs."""

    def __init__(self, key: str, **fields):
        super().__init__(key)
        self.key, self.fields = key, fields

    def text_in(self, lang: str) -> str:
        """The message in ``lang``; a key the catalogue does not know is already a message and is shown as it is."""
        return t(self.key, lang, **self.fields) if self.key in catalogue() else self.key

"""Web of Science tagged exports: plain text ('FN …', PT … ER records) and tab-delimited ('PT<tab>AU…' header).

Countries come from C1 (addresses, each ending in its country) only, never from C3 (organisation names)."""

from __future__ import annotations

import re

from kpi.ingest.formats.base import Fields, Records
from kpi.ingest.sources import first_line, wos_plain_records, wos_tab_body

FIELDS = Fields(addresses=("C1",), organisations="C3", authors=(("AU", ";"),), early_access="EA")


class Plain:
    KEY = "wos_plain"
    FIELDS = FIELDS

    @staticmethod
    def recognise(head: str) -> bool:
        return bool(re.match(r"^(FN |VR |PT [A-Z]\b)", first_line(head)))

    @staticmethod
    def read(text: str) -> Records:
        header, body, unclosed = wos_plain_records(text)
        return Records(header, body, None, "", notes=[("imp.wos_unclosed", line) for line in unclosed])


class Tab:
    KEY = "wos_tab"
    FIELDS = FIELDS

    @staticmethod
    def recognise(head: str) -> bool:
        cells = first_line(head).split("\t")
        return len(cells) >= 3 and [c.strip() for c in cells[:2]] == ["PT", "AU"]

    @staticmethod
    def read(text: str) -> Records:
        header, body = wos_tab_body(text, 0)
        return Records(header, body, 1, "\t")

"""Readers of question files: Excel, Moodle XML and GIFT (see base.py for what they produce)."""

from .base import ImportFileError, ParsedQuestion, ParseIssue, ParseResult
from .excel import parse_excel
from .gift import parse_gift
from .moodle import parse_moodle_xml

__all__ = [
    "ImportFileError",
    "ParseIssue",
    "ParseResult",
    "ParsedQuestion",
    "parse_excel",
    "parse_gift",
    "parse_moodle_xml",
]

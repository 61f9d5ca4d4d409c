"""Reading county spreadsheets (.csv, .xlsx) into a header, data rows, a 合计 row and notes.

Sheets arrive as county offices make them, so the reader tolerates:

- a title (and other lines) above the header: the header is the row the spec names
  (``header_row``, 1-based as the spreadsheet shows it) or else the first row that has a
  cell reading the key column's name;
- one or two header rows (``header_rows``; if not given, a second row is assumed when the
  row under the header has an empty key cell and some text). **Two-row rule**: a merged top
  cell spreads right over the columns that have a sub-header (``获贷率`` over
  ``总贷款新增户数`` and ``总贷款余额户数``); the column's name is ``top/sub``
  (``获贷率/总贷款新增户数``), just ``sub`` when the top is empty or the same, and just
  ``top`` when the sub-header is empty (a cell merged downwards). A spec may name a column
  by its full name or by its sub-header alone, if that is unambiguous;
- a 合计/总计 row anywhere (read as reported totals, never as data), blank rows, a header
  row repeated after a page break, and notes below the table (rows starting with 注, 注：,
  备注 or 说明, or a lone cell of text beside an empty key cell, like "(本版由…供稿)"; every
  non-blank row after the first note is a note too);
- county names with stray spaces, including full-width ones (all whitespace is removed:
  ``" 睢　县 "`` is ``睢县``), header names with line breaks (whitespace removed too).

CSV files are decoded as UTF-8 (with or without BOM) or else GB18030 (a superset of GBK),
strictly, and the encoding used is reported on the result. A file whose first lines have
more tabs than commas is read as tab-separated.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from bulletin.diagnostics.errors import DataError, msg, suggest

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
_NOTE = re.compile(r"^(备注|说明|注)([:：\s\d（(、.．]|$)")
_NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?|[+-]?\.\d+")
MAX_DIGITS = 30  # more is a typo or garbage, never a county's statistic
TOO_LARGE = 10**30  # values (read or computed) this large are absurd: an error, not a page

Cell = Any  # str, int, float or None as the file gave it


@dataclass
class SheetRow:
    line: int  # 1-based row number in the file, as a spreadsheet user sees it
    cells: list[Cell]


@dataclass
class Sheet:
    path: str  # as shown in messages
    encoding: str | None  # for CSV: "utf-8", "utf-8-sig" or "gb18030"
    header: list[str]  # one combined name per column (see the two-row rule above)
    header_line: int
    rows: list[SheetRow]
    total: SheetRow | None = None
    notes: list[str] = field(default_factory=list)

    def find_column(self, name: str) -> int | None:
        """The index of the column called ``name`` (full name or unambiguous sub-header)."""
        want = normalize(name)
        full = [i for i, h in enumerate(self.header) if normalize(h) == want]
        sub = [i for i, h in enumerate(self.header) if normalize(h.rsplit("/", 1)[-1]) == want]
        last = [i for i, h in enumerate(self.header) if normalize(h) == want.rsplit("/", 1)[-1]]
        for found in (full, sub, last):
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise DataError(msg("sheets.same_name", n=len(found), name=name), file=self.path,
                                line=self.header_line, field=name,
                                hint=msg("sheets.same_name_hint"))
        return None


def normalize(text: object) -> str:
    """A name for matching: NFKC (full-width → ASCII), all whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


def clean_text(value: Cell) -> str:
    """Cell text with all whitespace (incl. full-width spaces) removed: county and header names."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "".join(str(value).split())


def parse_number(value: Cell) -> Fraction | None:
    """The exact value of a cell, or None if blank. Raises ValueError saying what was wrong
    (args[0], a Message; str() is its English).

    Accepts numbers, and text with thousands separators ("50,144"), full-width digits
    ("５０１４４"), a trailing percent sign ("16.65%" → 0.1665) and stray spaces.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(msg("sheets.true_false"))
    if isinstance(value, int):
        return _plausible(Fraction(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(msg("sheets.not_finite"))
        return _plausible(Fraction(repr(value)))  # the shortest decimal that is this float
    if not isinstance(value, str):
        raise ValueError(msg("sheets.other_value", kind=type(value).__name__))
    text = "".join(unicodedata.normalize("NFKC", value).split()).replace("−", "-")
    if not text:
        return None
    percent = text.endswith("%")
    text = text.removesuffix("%")
    if not _NUMBER.fullmatch(text):
        raise ValueError(msg("sheets.not_a_number"))
    if sum(c.isdigit() for c in text) > MAX_DIGITS:
        raise ValueError(msg("sheets.too_many_digits", n=MAX_DIGITS))
    number = Fraction(text.replace(",", ""))
    return _plausible(number / 100 if percent else number)


def _plausible(number: Fraction) -> Fraction:
    if abs(number) >= TOO_LARGE:
        raise ValueError(msg("sheets.too_large"))
    return number


def read_grid(path: Path, shown: str) -> list[SheetRow]:
    """Every row of a CSV file or of a workbook's first sheet, as it is (the import reads
    the grid to find the key column before the header is known)."""
    if path.suffix.lower() in CSV_SUFFIXES:
        return _read_csv(path, shown)[0]
    return read_excel(path, shown, None)


def read_sheet(
    path: Path,
    *,
    shown: str,
    key: str,
    sheet: str | None = None,
    header_row: int | None = None,
    header_rows: int | None = None,
    total_labels: tuple[str, ...] = ("合计", "总计"),
) -> Sheet:
    """Read ``path`` and split it into header, data rows, 合计 row and notes."""
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        grid, encoding = read_excel(path, shown, sheet), None
    elif suffix in CSV_SUFFIXES:
        if sheet is not None:
            raise DataError(msg("sheets.csv_has_no_sheets"), file=shown, field="sheet")
        grid, encoding = _read_csv(path, shown)
    else:
        raise DataError(msg("sheets.unknown_suffix", suffix=path.suffix), file=shown,
                        hint=msg("sheets.unknown_suffix_hint"))
    return _split(grid, encoding, shown, key, header_row, header_rows, total_labels)


def read_excel(path: Path, shown: str, sheet: str | None) -> list[SheetRow]:
    import pandas as pd

    try:
        book = pd.ExcelFile(path, engine="calamine")
    except BaseException as exc:  # calamine raises many kinds for a corrupt file
        _reraise_unless_corrupt(exc)
        raise DataError(msg("sheets.bad_workbook", why=_reason(exc)), file=shown,
                        hint=msg("sheets.bad_workbook_hint")) from None
    with book:
        names = [str(n) for n in book.sheet_names]
        if sheet is not None and sheet not in names:
            near = suggest(sheet, names)
            hint = (msg("common.did_you_mean", name=near) if near
                    else msg("sheets.sheet_names", names=", ".join(names)))  # fmt: skip
            raise DataError(msg("sheets.no_sheet", name=sheet), file=shown, field="sheet",
                            hint=hint)
        try:
            frame = pd.read_excel(book, sheet_name=sheet if sheet is not None else 0,
                                  header=None, dtype=object, na_filter=False)
        except BaseException as exc:
            _reraise_unless_corrupt(exc)
            raise DataError(msg("sheets.bad_sheet", why=_reason(exc)), file=shown) from None
    rows = []
    for number, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        rows.append(SheetRow(number, [None if v == "" else v for v in values]))
    return rows


def _reraise_unless_corrupt(exc: BaseException) -> None:
    """Let Ctrl-C and friends through; a Rust panic in calamine (pyo3's PanicException, a
    BaseException) means a corrupt file, like any Exception."""
    if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
        raise exc


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:200]
    return text or type(exc).__name__


def _decode(data: bytes, shown: str) -> tuple[str, str]:
    try:
        text = data.decode("utf-8-sig")
        return text, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError as utf8:
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            line = data[: utf8.start].count(b"\n") + 1
            raise DataError(msg("sheets.encoding"), file=shown, line=line,
                            hint=msg("sheets.encoding_hint")) from None


def _read_csv(path: Path, shown: str) -> tuple[list[SheetRow], str]:
    data = path.read_bytes()
    text, encoding = _decode(data, shown)
    if "\x00" in text:
        raise DataError(msg("sheets.nul_bytes"), file=shown)
    head = [line for line in text.splitlines() if line.strip()][:10]
    tab = sum(line.count("\t") for line in head) > sum(line.count(",") for line in head)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if tab else ",")
    rows: list[SheetRow] = []
    line = 1
    try:
        for record in reader:
            rows.append(SheetRow(line, [v if v.strip() else None for v in record]))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise DataError(msg("sheets.bad_csv", why=str(exc)), file=shown, line=line) from None
    return rows, encoding


def _blank(row: SheetRow) -> bool:
    return all(clean_text(v) == "" for v in row.cells)


def _split(
    grid: list[SheetRow],
    encoding: str | None,
    shown: str,
    key: str,
    header_row: int | None,
    header_rows: int | None,
    total_labels: tuple[str, ...],
) -> Sheet:
    if all(_blank(r) for r in grid):
        raise DataError(msg("sheets.empty"), file=shown)
    want = normalize(key)
    if header_row is not None:
        at = next((i for i, r in enumerate(grid) if r.line == header_row), None)
        if at is None:
            raise DataError(msg("sheets.no_such_row", n=header_row), file=shown,
                            field="header_row")
    else:
        at = next((i for i, r in enumerate(grid)
                   if any(normalize(clean_text(v)) == want for v in r.cells)), None)
        if at is None:
            raise DataError(msg("sheets.no_header", key=key), file=shown, field=key,
                            hint=msg("sheets.no_header_hint"))
    top = [clean_text(v) for v in grid[at].cells]
    key_at = next((i for i, t in enumerate(top) if normalize(t) == want), None)
    if key_at is None:
        raise DataError(msg("sheets.no_key_column", key=key), file=shown, line=grid[at].line,
                        field=key)
    if header_rows is None:
        header_rows = 2 if _looks_like_subheader(grid, at + 1, key_at) else 1
    header = top
    if header_rows == 2:
        if at + 1 >= len(grid):
            raise DataError(msg("sheets.no_second_header"), file=shown, line=grid[at].line)
        header = _combine(top, [clean_text(v) for v in grid[at + 1].cells])
    width = max(len(r.cells) for r in grid)
    header += [""] * (width - len(header))
    sheet = Sheet(shown, encoding, header, grid[at].line, [])
    repeated = [normalize(h) for h in top]
    labels = {normalize(t) for t in total_labels}
    for row in grid[at + header_rows :]:
        row.cells += [None] * (width - len(row.cells))
        texts = [clean_text(v) for v in row.cells]
        first = next((t for t in texts if t), "")
        if not first:
            continue
        if sheet.notes or _NOTE.match(first) or (sheet.rows and _lone_text(texts, key_at)):
            sheet.notes.append(" ".join(str(v).strip() for v in row.cells if clean_text(v)))
        elif [normalize(t) for t in texts[: len(repeated)]] == repeated:
            continue  # the header again, after a page break
        elif any(normalize(t) in labels for t in texts):
            if sheet.total is not None:
                raise DataError(msg("sheets.second_total"), file=shown, line=row.line,
                                hint=msg("sheets.second_total_hint", n=sheet.total.line))
            sheet.total = row
        else:
            sheet.rows.append(row)
    return sheet


def _lone_text(texts: list[str], key_at: int) -> bool:
    """A single cell of text beside an empty key cell: a footer line, not a county."""
    filled = [t for t in texts if t]
    return (len(filled) == 1 and not texts[key_at]
            and parse_number_or_none(filled[0]) is None)


def _looks_like_subheader(grid: list[SheetRow], at: int, key_at: int) -> bool:
    if at >= len(grid):
        return False
    cells = grid[at].cells
    if key_at < len(cells) and clean_text(cells[key_at]):
        return False
    texts = [clean_text(v) for v in cells]
    return any(texts) and all(parse_number_or_none(t) is None for t in texts if t)


def parse_number_or_none(value: Cell) -> Fraction | None:
    try:
        return parse_number(value)
    except ValueError:
        return None


def _combine(top: list[str], sub: list[str]) -> list[str]:
    """Names for a two-row header; see the module docstring for the rule."""
    width = max(len(top), len(sub))
    top, sub = top + [""] * (width - len(top)), sub + [""] * (width - len(sub))
    names: list[str] = []
    group = ""
    for i in range(width):
        if top[i]:
            group = top[i]
        elif not (sub[i] and i > 0 and sub[i - 1] and group):
            group = ""  # an empty top cell only continues a group that has sub-headers
        if not group or group == sub[i]:
            names.append(sub[i])
        elif not sub[i]:
            names.append(group)
        else:
            names.append(f"{group}/{sub[i]}")
    return names


def round_half_up(value: Fraction, digits: int = 0) -> Fraction:
    """Round half away from zero (Excel's ROUND), exactly."""
    scale = Fraction(10) ** digits
    magnitude = (abs(value) * scale + Fraction(1, 2)).__floor__()
    return Fraction(magnitude if value >= 0 else -magnitude) / scale

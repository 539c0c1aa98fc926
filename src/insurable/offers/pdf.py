"""The PDF adapter of ``offers extract``: the text layer of each page, read with pypdfium2.

A PDF without a text layer (a scan or a photo) is refused with a clear message; OCR is out of scope:
a value we cannot quote is a value we do not propose.
"""

from __future__ import annotations

from pathlib import Path

from insurable.errors import InputError, Problem

__all__ = ["MAX_PDF_BYTES", "MAX_PAGES", "page_texts"]

MAX_PDF_BYTES = 50_000_000
MAX_PAGES = 500
#: Fewer non-space characters than this over the whole document counts as "no text layer".
MIN_TEXT_CHARS = 20


def page_texts(path: Path) -> list[str]:
    """The text of every page; raise :class:`InputError` for a file that is not a readable PDF or
    has no text layer."""
    import pypdfium2 as pdfium

    file = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError([Problem("", f"cannot read the file: {exc.strerror or exc}", file)]) from exc
    if size > MAX_PDF_BYTES:
        raise InputError([Problem("", f"larger than {MAX_PDF_BYTES // 1_000_000} MB", file)])
    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        raise InputError([Problem("", f"not a readable PDF ({exc})", file)]) from exc
    try:
        if len(document) > MAX_PAGES:
            raise InputError([Problem("", f"more than {MAX_PAGES} pages", file)])
        texts: list[str] = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        document.close()
    if sum(len("".join(t.split())) for t in texts) < MIN_TEXT_CHARS:
        raise InputError(
            [
                Problem(
                    "",
                    "the PDF has no text layer (a scan or image?): nothing can be quoted, so nothing is "
                    "proposed; run OCR on it first or enter the offer by hand (docs/offers.md)",
                    file,
                )
            ]
        )
    return texts

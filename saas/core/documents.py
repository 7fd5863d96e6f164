"""The DPO's documents in the formats a DPO opens: DOCX (python-docx) and PDF (reportlab), both
pure Python, produced from the Markdown our templates render (privacy/register.md, the
technical FAQ...), so the three formats say the same thing.

Only the subset of Markdown our templates write is understood: `#`/`##`/`###` headings,
`- ` bullets, `| a | b |` tables (the `| --- |` line is skipped), `[text](url)` links (kept
as "text (url)") and paragraphs. Text is never interpreted as markup: a questionnaire label
with `<b>` or `&` comes out as typed.
"""

import io
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
# Characters XML 1.0 cannot hold (DOCX and PDF text are XML underneath): a label typed with
# a control character must not make the document fail.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TABLE_RULE = re.compile(r"^\|\s*-{3,}")


@dataclass
class Block:
    kind: str  # "h1", "h2", "h3", "p", "ul", "table"
    text: str = ""
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def _inline(text: str) -> str:
    text = _NOT_XML.sub("", text)
    return _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text.strip())


def _cells(line: str) -> list[str]:
    return [_inline(cell) for cell in line.strip().strip("|").split("|")]


def markdown_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            if blocks and blocks[-1].kind == "p":
                blocks.append(Block("break"))
            continue
        heading = re.match(r"^(#{1,3})\s+(.*)$", line)
        if heading:
            blocks.append(Block(f"h{len(heading.group(1))}", text=_inline(heading.group(2))))
        elif line.lstrip().startswith("- "):
            if not blocks or blocks[-1].kind != "ul":
                blocks.append(Block("ul"))
            blocks[-1].items.append(_inline(line.lstrip()[2:]))
        elif line.startswith("|"):
            if _TABLE_RULE.match(line):
                continue
            if not blocks or blocks[-1].kind != "table":
                blocks.append(Block("table"))
            blocks[-1].rows.append(_cells(line))
        elif blocks and blocks[-1].kind == "p":
            blocks[-1].text += " " + _inline(line)
        else:
            blocks.append(Block("p", text=_inline(line)))
    return [block for block in blocks if block.kind != "break"]


def markdown_to_docx(text: str) -> bytes:
    from docx import Document

    document = Document()
    for block in markdown_blocks(text):
        if block.kind in {"h1", "h2", "h3"}:
            document.add_heading(block.text, level=int(block.kind[1]))
        elif block.kind == "p":
            document.add_paragraph(block.text)
        elif block.kind == "ul":
            for item in block.items:
                document.add_paragraph(item, style="List Bullet")
        elif block.kind == "table" and block.rows:
            width = max(len(row) for row in block.rows)
            table = document.add_table(rows=0, cols=width)
            table.style = "Table Grid"
            for index, row in enumerate(block.rows):
                cells = table.add_row().cells
                for column, value in enumerate(row):
                    cells[column].text = value
                    if index == 0:
                        for run in cells[column].paragraphs[0].runs:
                            run.bold = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def markdown_to_pdf(text: str, *, title: str = "") -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        Flowable,
        ListFlowable,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
    )

    styles = getSampleStyleSheet()
    cell_style = styles["BodyText"].clone("cell", fontSize=8, leading=10)
    story: list[Flowable] = []
    for block in markdown_blocks(text):
        if block.kind in {"h1", "h2", "h3"}:
            style = {"h1": "Title", "h2": "Heading2", "h3": "Heading3"}[block.kind]
            story.append(Paragraph(escape(block.text), styles[style]))
        elif block.kind == "p":
            story.append(Paragraph(escape(block.text), styles["BodyText"]))
        elif block.kind == "ul":
            story.append(
                ListFlowable(
                    [Paragraph(escape(item), styles["BodyText"]) for item in block.items],
                    bulletType="bullet",
                    leftIndent=12,
                )
            )
        elif block.kind == "table" and block.rows:
            width = max(len(row) for row in block.rows)
            rows = [
                [Paragraph(escape(cell), cell_style) for cell in row + [""] * (width - len(row))]
                for row in block.rows
            ]
            table = Table(rows, colWidths=[(A4[0] - 4 * cm) / width] * width, repeatRows=1)
            table.setStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
            story.append(table)
        story.append(Spacer(1, 4))
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=A4, title=title, leftMargin=2 * cm, rightMargin=2 * cm
    ).build(story)
    return buffer.getvalue()

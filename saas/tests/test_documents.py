"""The DPO's documents as DOCX and PDF, from our Markdown: structure kept, typed text shown
as typed (never as markup), whatever characters it holds."""

import io

import docx
import pypdf

from saas.core.documents import markdown_to_docx, markdown_to_pdf

MARKDOWN = """# Registre — Programme

Généré le 2027-01-01.

## Sous-traitants

| Nom | Lieu |
| --- | --- |
| Scaleway SAS | France |

### Questionnaire

- <img src=x onerror=alert(1)> & “Votre direction”\x0b\x00
- [page réseau](https://binome.example/reseau/)
"""


def test_docx_keeps_headings_tables_and_bullets():
    document = docx.Document(io.BytesIO(markdown_to_docx(MARKDOWN)))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Heading 1", "Registre — Programme") in paragraphs
    assert ("Heading 2", "Sous-traitants") in paragraphs
    assert ("List Bullet", "<img src=x onerror=alert(1)> & “Votre direction”") in paragraphs
    assert ("List Bullet", "page réseau (https://binome.example/reseau/)") in paragraphs
    (table,) = document.tables
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["Nom", "Lieu"],
        ["Scaleway SAS", "France"],
    ]


def test_pdf_is_a_pdf_whose_text_reads_as_typed():
    data = markdown_to_pdf(MARKDOWN, title="Registre")
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "Registre — Programme" in text and "Scaleway SAS" in text
    assert "<img src=x onerror=alert(1)> & “Votre direction”" in text

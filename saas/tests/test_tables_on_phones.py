"""Every data table turns into cards on a phone (binome.css, `table.stack`): each table in a
page template is marked for it and each of its data cells carries the column's name in
`data-label`. Email layouts (role="presentation") are not data tables."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TABLE = re.compile(r"<table\b([^>]*)>(.*?)</table>", re.S)
CELL = re.compile(r"<td\b([^>]*)>")


def page_templates() -> list[Path]:
    folders = [ROOT / "templates", ROOT / "tenant_apps", ROOT / "shared_apps"]
    return [
        path
        for folder in folders
        for path in folder.rglob("*.html")
        if "/email/" not in path.as_posix()
    ]


def test_every_data_table_stacks_and_labels_its_cells():
    problems, tables = [], 0
    for path in page_templates():
        for attributes, body in TABLE.findall(path.read_text()):
            if 'role="presentation"' in attributes:
                continue
            tables += 1
            name = path.relative_to(ROOT)
            if not re.search(r'class="[^"]*\bstack\b', attributes):
                problems.append(f'{name}: a table without class="stack"')
            for cell in CELL.findall(body):
                if "colspan" not in cell and "data-label=" not in cell:
                    problems.append(f"{name}: <td{cell}> has no data-label")
    assert tables >= 7
    assert problems == []

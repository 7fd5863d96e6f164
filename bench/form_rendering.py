"""Form rendering: Django's widget templates against the flattened ones (saas/core/forms.py
FlatWidgetRenderer), on a questionnaire-shaped form — not a test. No database: the two
renderers take turns in one process, best of --rounds rounds each, so the ratio holds on a
noisy machine where absolute times do not.

    .venv/bin/python bench/form_rendering.py [--renders 300] [--rounds 7]

Last line: `form_rendering django_ms=<per form> flat_ms=<per form> ratio=<flat / django>`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def questionnaire_form() -> type:
    """A programme questionnaire as managers build them: free text, single and multiple
    choices, a long list, yes/no — 16 questions, 62 choices."""
    from django import forms

    def choices(prefix: str, count: int) -> list[tuple[str, str]]:
        return [(f"{prefix}{n}", f"{prefix.title()} n°{n} — « réponse »") for n in range(count)]

    fields: dict[str, forms.Field] = {}
    for n in range(5):
        fields[f"text{n}"] = forms.CharField(
            label=f"Question {n}", help_text="Aide", max_length=200
        )
    for n in range(4):
        fields[f"single{n}"] = forms.ChoiceField(
            label=f"Choix {n}", choices=choices("choix", 6), widget=forms.RadioSelect
        )
    for n in range(2):
        fields[f"multiple{n}"] = forms.MultipleChoiceField(
            label=f"Plusieurs {n}",
            choices=choices("option", 8),
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
    fields["region"] = forms.ChoiceField(label="Région", choices=choices("région", 14))
    fields["yes_no"] = forms.BooleanField(label="Oui ou non", required=False)
    fields["bio"] = forms.CharField(label="Présentation", widget=forms.Textarea, required=False)
    fields["capacity"] = forms.IntegerField(label="Places", min_value=1, max_value=5)
    fields["available"] = forms.BooleanField(label="Disponible", required=False)
    return type("Questionnaire", (forms.Form,), fields)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--renders", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False, USE_I18N=True, LANGUAGE_CODE="fr", INSTALLED_APPS=["django.forms"]
    )
    django.setup()
    from django.forms.renderers import DjangoTemplates

    from saas.core.forms import FlatWidgetRenderer

    form_class = questionnaire_form()
    data = {"single0": "choix2", "multiple1": ["option1", "option5"], "capacity": "9"}
    renderers = {"django": DjangoTemplates(), "flat": FlatWidgetRenderer()}
    html = {name: form_class(data, renderer=r).render() for name, r in renderers.items()}
    assert html["flat"] == html["django"], "the flattened templates changed the HTML"

    best = dict.fromkeys(renderers, float("inf"))
    for _ in range(args.rounds):
        for name, renderer in renderers.items():  # taking turns: the same minutes for both
            started = time.process_time()
            for _ in range(args.renders):
                form_class(data, renderer=renderer).render()
            best[name] = min(best[name], (time.process_time() - started) / args.renders)
    django_ms, flat_ms = best["django"] * 1000, best["flat"] * 1000
    print(f"  {len(html['flat']):,} characters of HTML per form, identical", file=sys.stderr)
    ratio = flat_ms / django_ms
    print(f"form_rendering django_ms={django_ms:.2f} flat_ms={flat_ms:.2f} ratio={ratio:.2f}")


if __name__ == "__main__":
    main()

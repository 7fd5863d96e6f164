"""The flattened widget templates (saas/core/forms.py FlatWidgetRenderer) give Django's HTML to
the character: every widget kind our forms use, and then some, rendered both ways."""

import datetime

import pytest
from django import forms
from django.forms.renderers import BaseRenderer, DjangoTemplates, get_default_renderer

from saas.core.forms import FlatWidgetRenderer

HOSTILE = "<b>\"Ça\" & 'co'</b>"
CHOICES = [("", "---------"), ("a", "Alpha"), ("b", HOSTILE), (3, "Trois")]
GROUPED = [
    ("Île-de-France", [("75", "Paris"), ("92", "Hauts-de-Seine")]),
    ("c", "Corse & co"),
    (HOSTILE, [("x", "X")]),
]


class Everything(forms.Form):
    text = forms.CharField(help_text="aide", max_length=20)
    optional = forms.CharField(required=False)
    email = forms.EmailField()
    number = forms.IntegerField(min_value=1, max_value=5)
    decimal = forms.DecimalField(max_digits=4, decimal_places=1)
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    when = forms.DateTimeField(widget=forms.DateTimeInput)
    flag = forms.BooleanField(required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "aria-describedby": "h"}))
    choice = forms.ChoiceField(choices=CHOICES)
    grouped = forms.ChoiceField(choices=GROUPED)
    many = forms.MultipleChoiceField(choices=CHOICES[1:])
    radio = forms.ChoiceField(choices=CHOICES[1:], widget=forms.RadioSelect)
    radio_grouped = forms.ChoiceField(
        choices=GROUPED, widget=forms.RadioSelect(attrs={"class": "inline"})
    )
    boxes = forms.MultipleChoiceField(
        choices=CHOICES[1:], widget=forms.CheckboxSelectMultiple, required=False
    )
    yes_no = forms.NullBooleanField()
    disabled = forms.ChoiceField(choices=CHOICES, disabled=True)
    url = forms.URLField(required=False, assume_scheme="https")


VALUES = [
    {},  # unbound, no initial
    {  # bound, every value set (some invalid), hostile text everywhere
        "text": HOSTILE,
        "email": "pas-un-email",
        "number": "9",
        "decimal": "1.5",
        "password": HOSTILE,
        "hidden": HOSTILE,
        "date": "2027-03-01",
        "when": "2027-03-01 10:00",
        "flag": "on",
        "body": f"ligne 1\n{HOSTILE}",
        "choice": "b",
        "grouped": "92",
        "many": ["a", "3"],
        "radio": "3",
        "radio_grouped": "x",
        "boxes": ["a", "b"],
        "yes_no": "true",
        "disabled": "a",
        "url": "javascript:alert(1)",
    },
]


def render(form: forms.Form, renderer: BaseRenderer) -> list[str]:
    form.renderer = renderer
    return [str(form[name]) for name in form.fields] + [form.render()]


@pytest.mark.parametrize("data", VALUES, ids=["unbound", "bound"])
@pytest.mark.parametrize("auto_id", ["id_%s", False], ids=["ids", "no-ids"])
def test_every_widget_renders_as_django_renders_it(data, auto_id):
    initial = {"text": "départ", "date": datetime.date(2027, 1, 2), "boxes": ["b"]}

    def form() -> Everything:
        if data:
            return Everything(data, auto_id=auto_id)
        return Everything(initial=initial, auto_id=auto_id)

    django_html = render(form(), DjangoTemplates())
    flat_html = render(form(), FlatWidgetRenderer())

    assert flat_html == django_html
    # and the comparison is not vacuous: the options and attributes are there, escaped
    page = "\n".join(flat_html[:-1])  # the fields one by one (the last is the whole form)
    assert page.count('type="radio"') == 3 + 4 and page.count('type="checkbox"') == 1 + 3
    assert "&lt;b&gt;&quot;Ça&quot; &amp; &#x27;co&#x27;&lt;/b&gt;" in page
    assert "<b>" not in page


def test_the_flat_renderer_is_the_default():
    assert isinstance(get_default_renderer(), FlatWidgetRenderer)
    assert isinstance(Everything().renderer, FlatWidgetRenderer)


class OtherOption(forms.RadioSelect):
    option_template_name = "django/forms/widgets/attrs.html"  # any template but Django's own


class Picked(forms.Form):
    pick = forms.ChoiceField(choices=CHOICES[1:], widget=OtherOption)


def test_an_option_of_another_template_is_still_included():
    flat_html = str(Picked(renderer=FlatWidgetRenderer())["pick"])

    assert flat_html == str(Picked(renderer=DjangoTemplates())["pick"])
    assert 'type="radio"' not in flat_html and 'id="id_pick_0"' in flat_html

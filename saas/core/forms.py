"""What every page with a form or a button does with the service it calls."""

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.functional import cached_property

from saas.core.errors import ApplicationError

T = TypeVar("T")


def form_add_errors(form: forms.BaseForm, exc: ApplicationError) -> None:
    """Show a service's refusal on the form: each field's messages next to the field, a
    general one at the top; what the person typed stays in the form."""
    for field, field_messages in exc.fields.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)
    if not exc.fields:
        form.add_error(None, str(exc.message))


def form_result(request: HttpRequest, form: forms.BaseForm, save: Callable[[], T]) -> T | None:
    """The usual POST of a form page whose next step needs what the service made (the new
    object): when the form is posted and valid, run `save` and give back its result. None when
    there is nothing to save or the service refused, its reasons then on the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return save()
    except ApplicationError as exc:
        form_add_errors(form, exc)
        return None


def form_saved(
    request: HttpRequest, form: forms.BaseForm, save: Callable[[], object], message: str = ""
) -> bool:
    """`form_result` for a page that only needs to know: True when it went through
    (`message` is then shown as a success), False otherwise."""

    def saved() -> bool:
        save()
        return True

    if form_result(request, form, saved) is None:
        return False
    if message:
        messages.success(request, message)
    return True


def service_called(request: HttpRequest, call: Callable[[], object], done: str) -> bool:
    """A button's POST (no form to show again): run the service call; its refusal is shown
    as an error message, else `done` as a success. True when it went through."""
    try:
        call()
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return False
    messages.success(request, done)
    return True


FLAT_WIDGET_TEMPLATES = Path(__file__).parent / "form_templates"


class FlatWidgetRenderer(DjangoTemplates):
    """Django's form renderer, with four of its widget templates flattened
    (`saas/core/form_templates/`): a select, a list of radios or checkboxes, an input and a
    text area render their options and attributes in one template, where Django's include a
    template per option and one more per attribute list (three per radio: `/profil/` went from
    74 includes a request to 16; bench/form_rendering.py: 0.85 of Django's time). The HTML
    is Django's, to the character (tests/test_form_rendering.py renders every widget both
    ways); an option of any other template is still included."""

    @cached_property
    def engine(self) -> Any:
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [FLAT_WIDGET_TEMPLATES, Path(forms.__file__).parent / "templates"],
                "NAME": "djangoforms",
                "OPTIONS": {},
            }
        )

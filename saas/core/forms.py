from django import forms

from saas.core.errors import ApplicationError


def form_add_errors(form: forms.BaseForm, exc: ApplicationError) -> None:
    """Show a service's refusal on the form: each field's messages next to the field, a
    general one at the top; what the person typed stays in the form."""
    for field, field_messages in exc.fields.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)
    if not exc.fields:
        form.add_error(None, str(exc.message))

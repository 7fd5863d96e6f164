"""Search that ignores accents as well as case — a French-first product's names are full of
them: "helene" finds "Hélène", "FRANCOIS" finds "François", "oeuvre" finds "Œuvre".

`__unaccent` is a transform registered at start-up (CoreConfig.ready) on every text field
(CharField, TextField, EmailField): `Q(user__last_name__unaccent__icontains=word)`. It is
bilateral, as `django.contrib.postgres`' own `unaccent` is: the SQL function
`public.binome_unaccent` (made by saas/core/migrations/0001_unaccent.py) folds the column and
the searched words alike, before `icontains` compares them without case.

Why not PostgreSQL's `unaccent` extension: the embedded PostgreSQL of `dev.py` (pgserver)
does not ship it, and creating an extension asks for rights a managed database may not give.
A plain SQL function of `translate()` and `replace()` runs on every server, is IMMUTABLE (an
expression index can use it when a list outgrows its scan) and has no dictionary to install.
It folds every letter of Latin-1 Supplement and Latin Extended-A (French and the other
Latin-script languages of the EU) to its base letter, and the ligatures Æ Œ Ĳ ß Þ to two
letters; `fold` below is the same mapping in Python (a test holds the two together).
The function is schema-qualified, so it answers the same on every `search_path`.
"""

from django.db.models import CharField, EmailField, TextField, Transform

FUNCTION = "public.binome_unaccent"
ACCENTED = (
    "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïðñòóôõöøùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝ"
    "ĞğĠġĢģĤĥĦħĨĩĪīĬĭĮįİıĴĵĶķĹĺĻļĽľĿŀŁłŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſ"
)
PLAIN = (
    "AAAAAACEEEEIIIIDNOOOOOOUUUUYaaaaaaceeeeiiiidnoooooouuuuyyAaAaAaCcCcCcCcDdDdEeEeEeEeEeGg"
    "GgGgGgHhHhIiIiIiIiIiJjKkLlLlLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs"
)
LIGATURES = {"Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Ĳ": "IJ", "ĳ": "ij", "ß": "ss"} | {
    "Þ": "TH",
    "þ": "th",
}
_TABLE = str.maketrans(ACCENTED, PLAIN) | str.maketrans(LIGATURES)


def fold(text: str) -> str:
    """`text` as `public.binome_unaccent` folds it."""
    return text.translate(_TABLE)


class Unaccent(Transform):
    bilateral = True
    lookup_name = "unaccent"
    function = FUNCTION


for _field in (CharField, TextField, EmailField):
    _field.register_lookup(Unaccent)  # imported by CoreConfig.ready()

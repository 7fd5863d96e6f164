"""The SQL function of accent-insensitive search (saas/core/search.py): in `public` only
(saas.core is a shared app), schema-qualified, so every programme's queries reach it whatever
their `search_path`. A plain SQL function, IMMUTABLE: no extension to install, nothing to
migrate in the programme schemas. The mapping is saas.core.search's (ACCENTED → PLAIN, then
LIGATURES); saas/tests/test_search.py checks the two agree on every letter."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION public.binome_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT translate(replace(replace(replace(replace(replace(replace(replace(replace(replace($1, 'Æ', 'AE'), 'æ', 'ae'), 'Œ', 'OE'), 'œ', 'oe'), 'Ĳ', 'IJ'), 'ĳ', 'ij'), 'ß', 'ss'), 'Þ', 'TH'), 'þ', 'th'),
        'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïðñòóôõöøùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħĨĩĪīĬĭĮįİıĴĵĶķĹĺĻļĽľĿŀŁłŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſ',
        'AAAAAACEEEEIIIIDNOOOOOOUUUUYaaaaaaceeeeiiiidnoooooouuuuyyAaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiJjKkLlLlLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs') $$
"""


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.RunSQL(
            CREATE, reverse_sql="DROP FUNCTION IF EXISTS public.binome_unaccent(text)"
        ),
    ]

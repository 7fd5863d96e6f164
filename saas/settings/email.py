"""Email: Scaleway TEM through django-anymail when SCALEWAY_TEM_API_KEY is set, SMTP when
EMAIL_URL is set (Mailpit locally), the console otherwise."""

import environ

env = environ.Env()

DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Binôme <no-reply@binome.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

if env("SCALEWAY_TEM_API_KEY", default=""):
    EMAIL_BACKEND = "anymail.backends.scaleway.EmailBackend"
    ANYMAIL = {
        "SCALEWAY_SECRET_KEY": env("SCALEWAY_TEM_API_KEY"),
        "SCALEWAY_PROJECT_ID": env("SCALEWAY_PROJECT_ID"),
        "SCALEWAY_REGION": env("SCALEWAY_REGION", default="fr-par"),
        # Lets tests point the real backend at a loopback fake of the TEM API.
        **(
            {"SCALEWAY_API_URL": env("SCALEWAY_TEM_API_URL")}
            if env("SCALEWAY_TEM_API_URL", default="")
            else {}
        ),
    }
elif env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

"""The password hasher: Argon2id with the OWASP Password Storage Cheat Sheet's parameters.

Django's own Argon2PasswordHasher uses 100 MiB, 2 passes and 8 lanes per hash: on a web
worker each sign-in then costs ~0.45 s of CPU and 100 MiB of memory for the hash alone, and a
wave of sign-ins (the morning of a programme's launch) becomes the peak of both, queueing every
page behind it (bench/README.md § Load). OWASP's first recommended configuration for Argon2id
(https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id,
"m=19456 (19 MiB), t=2, p=1"), which it rates as equivalent in defence to its other
configurations, costs ~50 ms of CPU and 19 MiB here. With 12 characters at least and the common
and French-common password validators, a stolen hash stays expensive to attack offline; the
sign-in throttling (shared_apps/accounts/security.py) limits guesses online.

The algorithm name stays "argon2": hashes made with other parameters (Django's) are still
verified, their parameters being in the hash, and `must_update` says they differ, so Django
re-hashes the password with these at the person's next sign-in (docs/architecture.md § Identity
and sessions).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, m=19 MiB, t=2, p=1 (OWASP Password Storage Cheat Sheet)."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1

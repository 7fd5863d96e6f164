"""The password hasher (shared_apps/accounts/hashers.py): Argon2id with OWASP's parameters, and
the hashes made with Django's heavier ones upgraded at the person's next sign-in."""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.test import override_settings

from conftest import host_client, http_login
from saas.settings import base
from shared_apps.accounts.hashers import OwaspArgon2PasswordHasher
from shared_apps.accounts.models import User

PRODUCTION_HASHERS = override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS)


def argon2_parameters(encoded: str) -> str:
    """`m=…,t=…,p=…` of an encoded argon2 hash (`argon2$argon2id$v=19$m=…,t=…,p=…$salt$hash`)."""
    return encoded.split("$")[3]


def test_the_parameters_are_owasps_first_argon2id_configuration():
    hasher = OwaspArgon2PasswordHasher()
    encoded = hasher.encode("correct horse battery staple", hasher.salt())
    assert encoded.startswith("argon2$argon2id$")
    assert argon2_parameters(encoded) == "m=19456,t=2,p=1"
    assert hasher.verify("correct horse battery staple", encoded)
    assert not hasher.must_update(encoded)


@pytest.mark.django_db
@PRODUCTION_HASHERS
def test_a_hash_with_djangos_parameters_is_upgraded_at_the_next_sign_in(world, password):
    # given a participant whose password was hashed with Django's Argon2 (100 MiB, t=2, p=8)
    User.objects.filter(pk=world.mentee_a.pk).update(
        password=make_password(password, hasher=Argon2PasswordHasher())
    )
    world.mentee_a.refresh_from_db()
    assert argon2_parameters(world.mentee_a.password) == "m=102400,t=2,p=8"
    # when they sign in through the login page
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    # then they are in, and their hash now has OWASP's parameters
    assert client.get("/espace/").status_code == 200
    world.mentee_a.refresh_from_db()
    assert argon2_parameters(world.mentee_a.password) == "m=19456,t=2,p=1"
    # and the same password still opens the account, with the new hash, without rehashing
    upgraded = world.mentee_a.password
    again = host_client(world.program_a)
    http_login(again, world.mentee_a.email, password)
    world.mentee_a.refresh_from_db()
    assert world.mentee_a.password == upgraded

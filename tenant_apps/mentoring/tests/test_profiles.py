"""Profiles people can read: a presentation, a photo (resized, metadata stripped, stored per
programme, refused when huge before decoding), the answers the manager marked as shown — never
a "never displayed" one; the pair page; mentors as browsable cards in mentee-choice mode."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from django.utils.translation import gettext, override
from PIL import Image

from tenant_apps.meetings.tests.factories import person
from tenant_apps.mentoring.models import Profile, photo_path
from tenant_apps.mentoring.selectors import shown_answers
from tenant_apps.mentoring.tests.conftest import in_programme, logged_in
from tenant_apps.participants.models import Answer
from tenant_apps.programs.models import ProgramSettings, Question
from tenant_apps.programs.tests.test_icons import bomb_png


def fr(msgid: str) -> str:
    with override("fr"):
        return escape(gettext(msgid))


def jpeg_with_gps(width: int = 1200, height: int = 800) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}  # GPS: Paris
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def profile_data(**extra):
    return {
        "job_title": "Responsable RH",
        "entity": "Caisse de Lyon",
        "languages": ["fr", "en"],
        "bio": "Vingt ans en ressources humaines.\nJ'aime transmettre.",
        "notify_messages": "on",
        **extra,
    }


@pytest.mark.django_db
def test_a_person_edits_their_presentation_and_their_pair_reads_it(pair, media):
    hugo = logged_in(pair.program, "hugo.bernard@a.example")
    lea = logged_in(pair.program, "lea.martin@a.example")

    # when Hugo saves his presentation
    response = hugo.post("/profil/presentation/", profile_data())
    assert response.status_code == 302

    # then Léa reads it on the pair page, with what they share and the meeting button
    page = lea.get(f"/binome/{pair.match.pk}/").content.decode()
    assert "Responsable RH" in page and "Caisse de Lyon" in page
    assert escape("J'aime transmettre.") in page
    assert fr("Propose a meeting") in page  # « Proposer un rendez-vous »
    assert 'href="/rendez-vous/proposer/"' in page


@pytest.mark.django_db
def test_only_answers_marked_as_shown_and_never_sensitive_ones_appear(pair):
    # given three answered questions: shown, not shown, and sensitive but (wrongly) flagged
    def given():
        for key, label, flags in [
            ("metier", "Votre métier", {"show_on_profile": True}),
            ("age", "Votre âge", {}),
            ("sante", "Situation de handicap", {"show_on_profile": True, "is_sensitive": True}),
        ]:
            question = Question.objects.create(key=key, label=label, kind="text", **flags)
            Answer.objects.create(participant=pair.mentor, question=question, value=f"R-{key}")
        return shown_answers(participant_ids=[pair.mentor.pk])

    shown = in_programme(pair.program, given)

    # then the selector returns only the shown, non-sensitive answer
    assert shown == {pair.mentor.pk: [("Votre métier", "R-metier")]}
    # and the pair page shows it and nothing of the two others
    page = logged_in(pair.program, "lea.martin@a.example").get(f"/binome/{pair.match.pk}/")
    content = page.content.decode()
    assert "R-metier" in content
    assert "R-age" not in content and "R-sante" not in content
    assert "Situation de handicap" not in content


@pytest.mark.django_db
def test_the_photo_is_resized_stripped_and_stored_under_the_programme(pair, media):
    hugo = logged_in(pair.program, "hugo.bernard@a.example")
    upload = SimpleUploadedFile("moi.jpg", jpeg_with_gps(), content_type="image/jpeg")

    # when Hugo uploads a 1200 × 800 photo that carries GPS metadata
    response = hugo.post("/profil/presentation/", profile_data(photo=upload))
    assert response.status_code == 302

    # then a 320 × 320 JPEG without EXIF is stored in programme A's folder, under his files
    stored = media / pair.program.schema_name / photo_path(pair.mentor)
    assert stored.is_file()
    image = Image.open(stored)
    assert image.size == (320, 320)
    assert not image.getexif()
    # Léa (his pair) gets it; a participant who is not paired with him does not
    lea = logged_in(pair.program, "lea.martin@a.example")
    url = f"/profil/photo/{pair.mentor.pk}/"
    assert lea.get(url).status_code == 200
    in_programme(pair.program, lambda: person("zoe@a.example", "mentee", "Zoé", "Petit"))
    zoe = logged_in(pair.program, "zoe@a.example")
    assert zoe.get(url).status_code == 404


@pytest.mark.django_db
def test_a_huge_photo_is_refused_before_decoding(pair, media, monkeypatch):
    from PIL import Image as PILImage

    decoded = []
    monkeypatch.setattr(PILImage.Image, "load", lambda self: decoded.append(1))
    hugo = logged_in(pair.program, "hugo.bernard@a.example")
    upload = SimpleUploadedFile("bomb.png", bomb_png(12000, 8000), content_type="image/png")

    # when Hugo uploads a 96-megapixel PNG of a few kilobytes
    response = hugo.post("/profil/presentation/", profile_data(photo=upload))

    # then it is refused, nothing was decoded, nothing stored, no photo recorded
    assert response.status_code == 200
    assert fr("The photo must be 4,096 × 4,096 pixels at most.") in response.content.decode()
    assert decoded == []
    assert not any(path.is_file() for path in media.rglob("*"))
    assert not in_programme(
        pair.program, lambda: Profile.objects.filter(photo_updated_at__isnull=False).exists()
    )


@pytest.mark.django_db
def test_someone_outside_the_pair_cannot_open_its_page(pair, manager_client):
    in_programme(pair.program, lambda: person("zoe@a.example", "mentee", "Zoé", "Petit"))
    zoe = logged_in(pair.program, "zoe@a.example")
    for client in (zoe, manager_client):
        assert client.get(f"/binome/{pair.match.pk}/").status_code == 404
        assert client.get(f"/binome/{pair.match.pk}/messages/").status_code == 404


@pytest.mark.django_db
def test_mentees_browse_mentors_as_cards_with_filters_and_reasons(world):
    # given a mentee-choice programme, a mentee and two mentors with presentations
    def given():
        ProgramSettings.objects.filter(id=1).update(matching_mode="choice")
        question = Question.objects.create(
            key="metier",
            label="Votre métier",
            kind="single",
            criterion="same",
            choices=[{"value": "rh", "label": "Ressources humaines"}],
        )
        mentee = person("ines@a.example", "mentee", "Inès", "Morel")
        Answer.objects.create(participant=mentee, question=question, value="rh")
        for email, first, entity, languages in [
            ("paul@a.example", "Paul", "Caisse de Lyon", ["fr"]),
            ("rose@a.example", "Rose", "Caisse de Nantes", ["fr", "en"]),
        ]:
            mentor = person(email, "mentor", first, "Mentor")
            Answer.objects.create(participant=mentor, question=question, value="rh")
            Profile.objects.create(participant=mentor, entity=entity, languages=languages)

    in_programme(world.program_a, given)
    from django.core.cache import caches

    caches["default"].clear()
    ines = logged_in(world.program_a, "ines@a.example")

    # when Inès browses the mentors, then filters on an entity and on English
    everyone = ines.get("/binome/mentors/").content.decode()
    nantes = ines.get("/binome/mentors/", {"entity": "Caisse de Nantes"}).content.decode()
    english = ines.get("/binome/mentors/", {"language": "en"}).content.decode()

    # then both are cards with the reason in words; the filters keep Rose only
    assert "Paul Mentor" in everyone and "Rose Mentor" in everyone
    assert "Ressources humaines" in everyone
    assert "Paul Mentor" not in nantes and "Rose Mentor" in nantes
    assert "Paul Mentor" not in english and "Rose Mentor" in english
    assert "/binome/demander/" in everyone


@pytest.mark.django_db
def test_the_pair_page_reads_a_fixed_number_of_queries(pair):
    from datetime import timedelta

    from tenant_apps.meetings.tests.factories import confirmed
    from tenant_apps.mentoring.services import goal_create

    lea = logged_in(pair.program, "lea.martin@a.example")

    def add(first, count):
        def work():
            for index in range(first, first + count):
                goal_create(match=pair.match, by=pair.mentee, title=f"Objectif {index}")
                confirmed(pair, starts_in=timedelta(days=3 + index))

        in_programme(pair.program, work)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert lea.get(f"/binome/{pair.match.pk}/").status_code == 200
        connection.set_schema_to_public()
        return len(queries)

    add(0, 1)
    one = count_queries()
    add(1, 19)
    twenty = count_queries()
    assert twenty == one, (one, twenty)


@pytest.mark.django_db
def test_the_manager_marks_a_question_as_shown_on_profiles(world, manager_client):
    from tenant_apps.programs.tests.test_questionnaire import _question_form

    # when the manager creates a question with "shown on profiles" ticked
    response = manager_client.post(
        "/gestion/questionnaire/nouvelle/", _question_form(show_on_profile="on")
    )
    assert response.status_code == 302
    # then it is flagged (and, sensitive, it would still not be shown)
    question = in_programme(world.program_a, lambda: Question.objects.get(label="Votre métier"))
    assert question.show_on_profile and question.is_shown_on_profile
    question.is_sensitive = True
    assert not question.is_shown_on_profile

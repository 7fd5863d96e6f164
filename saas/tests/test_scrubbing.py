"""The scrubber removes what identifies a person or opens a door, and keeps what helps to
debug: ids, counts, paths, hosts, parameter names."""

from saas.core.observability.scrubbing import (
    FILTERED,
    VIDEO_ROOM,
    format_safely,
    scrub_data,
    scrub_query,
    scrub_text,
    scrub_url,
)

TOKEN = "Zt8mQ2vX9rLk4pW7nB3yH6cJ1dF5gS0aE-uR_oT2iYw"


def test_addresses_and_postgres_details_are_removed():
    text = (
        'duplicate key value violates unique constraint "user_email"\n'
        "DETAIL:  Key (email)=(Jeanne.Martin@ucanss.fr) already exists."
    )
    assert scrub_text(text) == (
        'duplicate key value violates unique constraint "user_email"\n'
        "DETAIL:  Key (email)=([Filtered]) already exists."
    )
    assert scrub_text("sent to jeanne+mentor@ucanss.fr, ok") == "sent to [Filtered], ok"


def test_video_room_urls_go_whole_and_other_urls_keep_host_and_path():
    assert scrub_url("https://acme.whereby.com/binome-72b9?roomKey=abc") == VIDEO_ROOM
    assert scrub_url("https://whereby.com/room") == VIDEO_ROOM
    assert scrub_url(f"https://user:pw@prog-a.binome.fr/acces/{TOKEN}/?next=/espace/#x") == (
        "https://prog-a.binome.fr/acces/[Filtered]/?next=[Filtered]"
    )
    assert scrub_url("https://api.whereby.dev/v1/meetings/52755922") == (
        "https://api.whereby.dev/v1/meetings/52755922"
    )
    assert scrub_text(f"see https://prog-a.binome.fr/acces/{TOKEN}/.") == (
        "see https://prog-a.binome.fr/acces/[Filtered]/."
    )


def test_query_strings_keep_their_names_only():
    assert scrub_query("email=a%40b.fr&page=2") == "email=[Filtered]&page=[Filtered]"
    assert scrub_query("") == ""


def test_tokens_and_signed_values_are_removed_but_not_ordinary_words_or_ids():
    assert scrub_text(f"link {TOKEN} used") == "link [Filtered] used"
    assert scrub_text("value 42:1tKfGx:Rk3wQ9zYbP2mN7vL5xC8hJ4dS6aF1gT0uE-iO_pWq3") == (
        "value [Filtered]"
    )
    assert scrub_text("hash " + "a3f1" * 16) == "hash [Filtered]"
    kept = "Applying participants.0002_alter_participant_status on p_3fa9c2e1b7d0 (id 1234)"
    assert scrub_text(kept) == kept
    assert (
        scrub_text("tenants.tasks.program_provision_task") == "tenants.tasks.program_provision_task"
    )


def test_known_names_are_removed_whole_words_only_and_case_insensitively():
    known = frozenset({"Marc", "Dupont"})
    assert scrub_text("marc DUPONT failed", known) == "[Filtered] [Filtered] failed"
    assert scrub_text("Marché de Marcq", known) == "Marché de Marcq"


def test_structures_are_filtered_by_key_and_scrubbed_by_pattern():
    data = {
        "participant": {"first_name": "Jeanne", "manager_email": "x@y.fr", "id": 3},
        "roomUrl": "https://acme.whereby.com/r",
        "note": "write to x@y.fr",
        "task_name": "send_email_task",
        "items": ["ok", "x@y.fr", 7],
        "empty_token": "",
    }
    assert scrub_data(data) == {
        "participant": {"first_name": FILTERED, "manager_email": FILTERED, "id": 3},
        "roomUrl": FILTERED,
        "note": "write to [Filtered]",
        "task_name": "send_email_task",
        "items": ["ok", FILTERED, 7],
        "empty_token": "",
    }


def test_log_parameters_keep_numbers_only():
    assert format_safely("%s joined programme %d", ("Jeanne", 42)) == (
        "[Filtered] joined programme 42"
    )
    assert format_safely("%(name)s/%(count)d", {"name": "Jeanne", "count": 2}) == "[Filtered]/2"
    assert format_safely("no params", ()) == "no params"
    assert format_safely("%d people", ("many",)) == "%d people"


def test_credentials_in_service_urls_are_removed():
    assert scrub_text("db postgres://binome:s3cret@10.0.0.3:5432/binome failed") == (
        "db postgres://10.0.0.3:5432/binome failed"
    )
    assert scrub_text("Connected to amqp://guest:**@127.0.0.1:5672//") == (
        "Connected to amqp://127.0.0.1:5672//"
    )

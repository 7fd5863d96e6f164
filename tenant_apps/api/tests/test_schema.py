"""The OpenAPI 3 schema and its two readers, served from our own static files."""

import re

import pytest
from django.contrib.staticfiles import finders

from conftest import host_client

pytestmark = pytest.mark.django_db
ATTRIBUTE = re.compile(r'(?:src|href)="([^"]*)"')


def _schema(world):
    response = host_client(world.program_a).get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_describes_every_operation_with_an_example(world):
    schema = _schema(world)
    assert schema["openapi"].startswith("3.")
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]
    assert {path for path, _m, _o in operations} == {
        "/api/v1/participants/",
        "/api/v1/participants/{participant}/",
        "/api/v1/participants/{participant}/deactivate/",
        "/api/v1/pairs/",
        "/api/v1/pairs/{match}/end/",
        "/api/v1/meetings/",
        "/api/v1/statistics/",
        "/api/v1/surveys/",
        "/api/v1/surveys/{survey}/results/",
    }
    missing = []
    for path, method, operation in operations:
        contents = [
            content
            for response in operation["responses"].values()
            for content in response.get("content", {}).values()
        ] + list(operation.get("requestBody", {}).get("content", {}).values())
        if not any("examples" in content or "example" in content for content in contents):
            missing.append(f"{method.upper()} {path}")
        assert operation["security"] == [{"apiKey": []}], path
    assert missing == []
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    # never a room in the meetings' description
    properties = schema["components"]["schemas"]["MeetingOutput"]["properties"]
    assert not [name for name in properties if "room" in name or "video" in name]


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_readers_load_nothing_from_another_host(world, url):
    response = host_client(world.program_a).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    references = ATTRIBUTE.findall(html) + re.findall(r'spec-url="([^"]*)"', html)
    assert references
    for reference in references:
        assert reference.startswith("/"), reference
        assert not reference.startswith("//"), reference
    assert "googleapis" not in html and "cdn" not in html.lower()
    for reference in references:
        if reference.startswith("/static/"):
            path = reference.removeprefix("/static/").split("?")[0]
            assert finders.find(path), reference  # our own copy of the file


def test_the_console_has_no_api(world):
    for url in ("/api/v1/schema/", "/api/v1/docs/", "/api/v1/participants/"):
        assert host_client(None).get(url).status_code == 404

"""The accessibility statement (issue 11, point 8): open to anyone without signing in, linked
from the footer of every page, in the sections of the GOV.UK model statement, with the contact
from the settings (shown as text, never as markup)."""
import pytest

from tests.conftest import sign_in

FOOTER_LINK = '<a class="govuk-footer__link" href="/accessibility">Accessibility statement</a>'
SECTIONS = ("How accessible this service is", "Feedback and contact information",
            "Reporting accessibility problems with this service", "Enforcement procedure",
            "Technical information about this service’s accessibility", "Compliance status",
            "Non-accessible content", "How we tested this service",
            "Preparation of this accessibility statement")


def test_anyone_can_read_the_statement_without_signing_in(client):
    page = client.get("/accessibility")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<h1 class=\"govuk-heading-l\">Accessibility statement for Facilitator</h1>" in text
    for heading in SECTIONS:
        assert f">{heading}</h" in text, heading
    assert "Web Content Accessibility Guidelines version 2.2</a> AA standard" in text
    assert "Equality and Human Rights Commission (EHRC)" in text
    assert 'href="https://www.equalityadvisoryservice.com/"' in text
    assert "This statement was prepared on 1 December 2026." in text
    assert "0 serious or critical problems" in text
    assert "the IT service desk of the council" in text  # no address configured


def test_the_contact_comes_from_the_settings_and_is_shown_as_text(app, client):
    app.config["ACCESSIBILITY_CONTACT"] = "access@council.example.org"
    text = client.get("/accessibility").get_data(as_text=True)
    assert 'href="mailto:access@council.example.org"' in text
    app.config["ACCESSIBILITY_CONTACT"] = "Call <b>01234 567890</b>"
    text = client.get("/accessibility").get_data(as_text=True)
    assert "Call &lt;b&gt;01234 567890&lt;/b&gt;" in text and "mailto:" not in text


@pytest.mark.parametrize("url", ["/", "/sign-in", "/join", "/accessibility", "/no-such-page"])
def test_every_public_page_links_to_the_statement_from_its_footer(client, url):
    text = client.get(url).get_data(as_text=True)
    footer = text[text.index('<footer class="govuk-footer'):]
    assert FOOTER_LINK in footer


def test_staff_and_guests_meeting_pages_link_to_it_too(client, chair_user, meeting):
    sign_in(client, chair_user.email)
    for url in ("/meetings/new", f"/meetings/{meeting.id}", "/stability/"):
        assert FOOTER_LINK in client.get(url).get_data(as_text=True), url

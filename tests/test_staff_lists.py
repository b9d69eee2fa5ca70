"""Lists that fit the work (issue 20): a team manager's overview starts from their own team's
children, filters by team, locality and worker, long lists come a page at a time (GOV.UK
pagination), and the counts a manager looks for are the database's counts, not a page's rows."""
import re
from datetime import datetime, timedelta

import pytest

import facilitator.clock
from facilitator.accounts.services import create_user
from facilitator.extensions import db
from facilitator.meetings.models import Meeting
from facilitator.paging import Page, page_number
from facilitator.stability import services as stability
from facilitator.stability.models import Team
from tests.conftest import PASSWORD, new_meeting, sign_in

NOW = datetime(2026, 12, 1, 10, 0)  # Tuesday 1 December 2026, 10:00 in London


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(facilitator.clock, "utcnow", lambda: NOW)


@pytest.fixture
def teams(app):
    return db.session.scalars(db.select(Team).order_by(Team.id)).all()[:2]


@pytest.fixture
def manager(client, chair_user, teams):
    chair_user.team_id = teams[0].id
    db.session.commit()
    sign_in(client, "chair@example.org")
    return client


def concern(user, number, team, *, scale=2, worker=None):
    """A confirmed concern for child `number` of `team`; at 2 its route is telephone
    monitoring, so the placement goes on the contact list."""
    record = stability.record_concern(
        user, case_reference=f"CASE-{number:04d}", child_name=f"Robin Number{number} Ashworth",
        raised_by="Pat Jones", relationship="Foster carer",
        raised_at=NOW - timedelta(minutes=number), concern="Arguments every night.",
        scale=scale, team_id=team.id, involvement="none", first_consultation=True,
        named_worker_id=worker.id if worker else None)
    stability.confirm_route(user, record.id, record.proposed_route)
    return record


def text(response):
    assert response.status_code == 200
    return response.get_data(as_text=True)


def section(page, id_):
    found = re.search(rf'id="{id_}">(.*?)</(?:table|ul)>', page, re.S)
    return found.group(1) if found else ""


def test_a_team_manager_starts_from_their_teams_children(manager, chair_user, teams):
    ours, theirs = teams
    for number in (1, 2, 3):
        concern(chair_user, number, ours)
    for number in (4, 5):
        concern(chair_user, number, theirs)
    page = text(manager.get("/stability/"))
    rows = section(page, "open-concerns")
    assert [f"Number{n}" in rows for n in range(1, 6)] == [True] * 3 + [False] * 2
    assert re.search(rf'<option selected value="{ours.id}">|<option value="{ours.id}" selected',
                     page)
    # "All teams" is one choice away, and the filter is kept as the list pages.
    everyone = section(text(manager.get("/stability/?team=&locality=&worker=")),
                       "open-concerns")
    assert all(f"Number{n}" in everyone for n in range(1, 6))
    theirs_only = section(text(manager.get(f"/stability/?team={theirs.id}")), "open-concerns")
    assert "Number4" in theirs_only and "Number1" not in theirs_only


def test_the_worker_filter_shows_one_workers_children(manager, chair_user, other_staff, teams):
    concern(chair_user, 1, teams[0], worker=other_staff)
    concern(chair_user, 2, teams[0])
    page = text(manager.get(f"/stability/?team=&worker={other_staff.id}"))
    rows = section(page, "open-concerns")
    assert "Number1" in rows and "Number2" not in rows
    calls = text(manager.get(f"/stability/monitoring?worker={other_staff.id}"))
    assert "Number1" in calls and "Number2" not in calls


def test_long_lists_come_a_page_at_a_time(manager, chair_user, teams):
    for number in range(1, 31):
        concern(chair_user, number, teams[0])
    page = text(manager.get("/stability/"))
    rows = section(page, "open-concerns")
    # The overview shows ten of each list (and the heading row), the newest concern first.
    assert rows.count('class="govuk-table__row"') == 10 + 1
    assert "Showing 1 to 10 of 30" in page
    assert 'aria-label="Pages of children with open concerns"' in page
    assert "Number1 " in rows and "Number11 " not in rows
    # The next page carries the filter and comes back to the list.
    link = re.search(r'href="([^"]*concerns_page=2[^"]*)"', page).group(1).replace("&amp;", "&")
    assert f"team={teams[0].id}" in link and link.endswith("#concerns-heading")
    second = section(text(manager.get(link)), "open-concerns")
    assert second.count('class="govuk-table__row"') == 10 + 1 and "Number11 " in second
    # A page past the end shows the last page; a page that is not a number, the first.
    assert "Number30 " in section(text(manager.get("/stability/?concerns_page=9")),
                                  "open-concerns")
    assert "Number1 " in section(text(manager.get("/stability/?concerns_page=x")),
                                 "open-concerns")
    # The contact list pages 25 at a time.
    contact = text(manager.get("/stability/monitoring"))
    assert "Showing 1 to 25 of 30" in contact and contact.count('class="app-monitored"') == 25


def test_the_counts_are_the_whole_lists_not_the_page(manager, chair_user, teams, monkeypatch):
    for number in range(1, 31):
        concern(chair_user, number, teams[0])
    # A week on, every weekly call is due: 30 of them, ten on the overview; none overdue yet.
    monkeypatch.setattr(facilitator.clock, "utcnow", lambda: NOW + timedelta(days=7))
    sign_in(manager, "chair@example.org")
    page = text(manager.get("/stability/"))
    assert "Calls overdue: <strong>0</strong>" in section(page, "headline-counts")
    assert "Calls due today and overdue" in page and ">30</span>" in page
    assert section(page, "calls-due").count("<li>") == 10
    # The day after, all 30 are overdue.
    monkeypatch.setattr(facilitator.clock, "utcnow", lambda: NOW + timedelta(days=8))
    sign_in(manager, "chair@example.org")
    page = text(manager.get("/stability/"))
    assert "Calls overdue: <strong>30</strong>" in section(page, "headline-counts")
    contact = text(manager.get("/stability/monitoring?due=1"))
    assert "<strong>30</strong> placements with a call due today or overdue" in contact
    assert contact.count('class="app-monitored"') == 25
    assert 'aria-label="Pages of the contact list"' in contact


def test_page_numbers_follow_the_gov_uk_pattern():
    def links(number, total):
        return Page(items=[], number=number, total=total).links()
    assert links(1, 25) == [1]
    assert links(1, 100) == [1, 2, None, 4]
    assert links(5, 250) == [1, None, 4, 5, 6, None, 10]
    assert links(10, 250) == [1, None, 9, 10]
    assert [page_number(v) for v in ("3", "", "0", "-2", "x", "99999999")] == [3, 1, 1, 1, 1, 1]


def test_an_administrator_finds_an_account_among_hundreds(client, app):
    create_user("admin@example.org", "Ada Admin", PASSWORD, "Administrator", is_admin=True)
    for number in range(60):
        create_user(f"worker{number}@example.org", f"Worker {number:02d} Okonkwo-Lindqvist",
                    PASSWORD, "Social Worker")
    create_user("zed@example.org", "Zed Quartermain", PASSWORD, "Senior practitioner")
    sign_in(client, "admin@example.org")
    page = text(client.get("/admin/accounts"))
    assert "62 accounts" in page and "Showing 1 to 50 of 62" in page
    assert 'aria-label="Pages of accounts"' in page and "Zed Quartermain" not in page
    assert "Zed Quartermain" in text(client.get("/admin/accounts?page=2"))
    found = text(client.get("/admin/accounts?q=quarter"))
    assert "1 account matching" in found and "Zed Quartermain" in found
    assert "Worker 01" not in found


def test_all_meetings_come_a_page_at_a_time_and_by_case_reference(client, app, chair_user):
    create_user("admin@example.org", "Ada Admin", PASSWORD, "Administrator", is_admin=True)
    for number in range(27):
        new_meeting(chair_user, reference=f"CASE-{number:04d}", child=f"Child {number}")
    sign_in(client, "admin@example.org")
    page = text(client.get("/admin/meetings"))
    assert "27 meetings" in page and "Showing 1 to 25 of 27" in page
    assert page.count("Delete meeting ") == 25
    assert text(client.get("/admin/meetings?page=2")).count("Delete meeting ") == 2
    found = text(client.get("/admin/meetings?case_reference=CASE-0007"))
    assert "1 meeting for CASE-0007" in found and found.count("Delete meeting ") == 1
    # A refusal on page 2 shows page 2 again, with the message beside its meeting.
    second = db.session.scalars(db.select(Meeting).order_by(Meeting.scheduled_at.desc(),
                                                            Meeting.id.desc())).all()[26]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    refused = client.post(f"/admin/meetings/{second.id}/delete?page=2",
                          data={"csrf_token": token, "reason": ""})
    assert refused.status_code == 400
    assert f'id="reason-{second.id}"' in refused.get_data(as_text=True)

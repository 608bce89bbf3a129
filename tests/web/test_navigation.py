"""The main navigation: few top-level entries per role, every entry a real page, stable ids."""
from __future__ import annotations

import pytest

from matchmaker.models import OrgKind
from matchmaker.web.navigation import NAVIGATION, NavGroup, navigation_for
from tests.web.helpers import login, text

MAX_TOP_LEVEL = 5   # plus 消息 and the account: what fits one row at 1280 px


def links(entries):
    for entry in entries:
        yield from (entry.links if isinstance(entry, NavGroup) else (entry,))


@pytest.mark.parametrize("kind", list(NAVIGATION))
def test_each_role_has_few_top_level_entries_and_unique_ids(app, kind):
    entries = navigation_for(kind)
    assert len(entries) <= MAX_TOP_LEVEL
    ids = [link.testid for link in links(entries)] + [e.testid for e in entries if isinstance(e, NavGroup)]
    assert len(ids) == len(set(ids))
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {link.endpoint for link in links(entries)} <= endpoints


def test_brokers_keep_every_entry_they_had(app):
    """Grouping moved the station's ten entries, it dropped none of them."""
    before = {"nav-patents", "nav-needs", "nav-need-search", "nav-client-needs", "nav-station-matches",
              "nav-new-need", "nav-import", "nav-station", "nav-deals", "nav-kpis"}
    assert before <= {link.testid for link in links(navigation_for("station"))}


def test_unknown_kind_gets_the_visitors_navigation():
    assert navigation_for("martian") == navigation_for(None)


def test_page_marks_the_current_entry_and_its_group(client, world):
    _, user = world.member(OrgKind.STATION)
    login(client, user.login)
    page = text(client.get("/needs/clients"))
    assert 'id="nav-toggle"' in page and 'aria-controls="nav-panel"' in page
    group = page[page.index('id="nav-group-needs"'):]
    assert group.index('<summary class="current">') < group.index("</details>")
    current = page[page.index('id="nav-client-needs"') - 200:page.index('id="nav-client-needs"') + 200]
    assert 'aria-current="page"' in current


def test_flash_messages_are_a_polite_live_region(client, world):
    _, user = world.member(OrgKind.ENTERPRISE)
    login(client, user.login)
    page = text(client.get("/"))
    box = page[page.index('id="flashes"') - 40:page.index('id="flashes"') + 120]
    assert 'aria-live="polite"' in box and 'role="status"' in box
    assert "欢迎" in page[page.index('id="flashes"'):page.index('id="flashes"') + 400]

"""Finding free or low-price licences (推动免费或低价许可): filters and facets on the active
offers, sorting by the free period, and the index following offers as they come and go."""
from __future__ import annotations

import pytest

from matchmaker.licensing.offers import OfferInput, create_offer, withdraw_offer
from matchmaker.models import OrgKind
from matchmaker.search.serialize import offer_json

from .conftest import TODAY
from tests.factories import make_user

from tests.search.conftest import BACKENDS, every_backend

search_backend = pytest.fixture(params=BACKENDS)(every_backend)


def offer(catalog, patent, user, **fields):
    values = dict(licence_type="ordinary", free_months=6, payment_mode="lump_sum",
                  lump_sum_wan="10", term_months=36)
    values.update(fields)
    made = create_offer(catalog.session, user, patent.id, OfferInput(**values), today=TODAY).offer
    catalog.commit()
    return made


def facet(page, name):
    return {f.value: f.count for f in page.facets[name]}


def test_offer_filters_facets_and_sort(catalog):
    uni = catalog.org(OrgKind.UNIVERSITY)
    owner = make_user(catalog.session, uni)
    p = lambda title: catalog.patent(title, owner=uni)  # noqa: E731
    free_long, cheap, royalty, none = (p("滴灌带回收造粒装置"), p("滴灌带铺设机"), p("滴灌带清洗装置"),
                                       p("滴灌带生产工艺"))
    catalog.commit()
    offer(catalog, free_long, owner, free_months=12, lump_sum_wan="30")
    offer(catalog, cheap, owner, free_months=3, lump_sum_wan="2")
    offer(catalog, royalty, owner, free_months=0, payment_mode="royalty_sales", royalty_pct="3",
          lump_sum_wan="")
    ids = lambda **req: set(catalog.ids("滴灌带", **req))  # noqa: E731

    assert ids() == {free_long.id, cheap.id, royalty.id, none.id}
    assert ids(filters={"offer": "active"}) == {free_long.id, cheap.id, royalty.id}
    assert ids(free_min=6) == {free_long.id}
    assert ids(fee_max_wan=5) == {cheap.id, royalty.id}, "royalty-only asks no fixed fee"
    assert ids(fee_max_wan=0) == {royalty.id}
    assert ids(filters={"payment_mode": "royalty_sales"}) == {royalty.id}
    page = catalog.search(q="滴灌带")
    assert facet(page, "offer") == {"active": 3}
    assert facet(page, "payment_mode") == {"lump_sum": 2, "royalty_sales": 1}
    assert facet(page, "licence_type") == {"ordinary": 3}
    by_free = [h.id for h in catalog.search(q="滴灌带", sort="free").hits]
    assert by_free == [free_long.id, cheap.id, royalty.id, none.id], "no offer sorts last"
    nothing = catalog.search(q="滴灌带", free_min=24)
    assert nothing.total == 0 and "free_min" in nothing.relaxable


def test_the_index_follows_offers_published_and_withdrawn(catalog):
    uni = catalog.org(OrgKind.UNIVERSITY)
    owner = make_user(catalog.session, uni)
    patent = catalog.patent("残膜回收机", owner=uni)
    catalog.commit()
    assert catalog.ids("残膜", filters={"offer": "active"}) == []
    made = offer(catalog, patent, owner, free_months=9)
    assert catalog.ids("残膜", filters={"offer": "active"}) == [patent.id]
    assert offer_json(patent) == {"licence_types": ["ordinary"], "payment_modes": ["lump_sum"],
                                  "free_months": 9, "fee_yuan": 100_000}
    withdraw_offer(catalog.session, owner, made.id)
    catalog.commit()
    assert catalog.ids("残膜", filters={"offer": "active"}) == []
    assert catalog.ids("残膜", free_min=1) == []

import pytest
from matchmaker.search.whoosh_backend import WhooshBackend
orig = WhooshBackend.search
def patched(self, kind, query, *, filters={}, **kw):
    filters = {k: ([v.lower() for v in vs] if k == "ipc_section" else vs) for k, vs in filters.items()}
    res = orig(self, kind, query, filters=filters, **kw)
    if "ipc_section" in res.facets:
        res.facets["ipc_section"] = {k.upper(): v for k, v in res.facets["ipc_section"].items()}
    return res
WhooshBackend.search = patched
from tests.web.test_search_pages import site, corpus, anon, test_ipc_section_facet  # noqa

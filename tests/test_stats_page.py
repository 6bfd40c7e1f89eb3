"""GET /stats: the statistics page and its two files are served by Tributary, and name no other host."""

from __future__ import annotations

import re

import httpx

from config import Settings
from server import create_app


async def test_the_stats_page_and_its_assets_are_served_with_no_other_host(client: httpx.AsyncClient) -> None:
    # when
    page = await client.get("/stats")
    assets = re.findall(r'(?:src|href)="(/static/stats/[^"]+)"', page.text)
    served = [await client.get(asset) for asset in assets]
    # then
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "connect-src 'self'" in policy
    assert "script-src 'self';" in policy  # no inline script, no other host
    assert sorted(a.split("?")[0] for a in assets) == ["/static/stats/stats.css", "/static/stats/stats.js"]
    assert [r.status_code for r in served] == [200, 200]
    for text in [page.text, *(r.text for r in served)]:
        assert re.search(r"https?://", text) is None
    script = next(r.text for r in served if "javascript" in r.headers["content-type"])
    assert "sessionStorage" in script
    assert re.search(r"localStorage\s*[.\[]", script) is None  # named in a comment, never used
    assert {url for url in re.findall(r'"(/[a-z/.]+)"', script) if not url.startswith("/static")} == {
        "/graphql",
        "/stats/sources.csv",
    }


async def test_the_stats_page_needs_no_token_and_no_introspection(database_url: str) -> None:
    app = create_app(database_url, Settings(introspection=False))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://tributary.test") as client:
            page = await client.get("/stats")
    assert page.status_code == 200
    assert 'id="token-form"' in page.text

"""The GraphiQL page: served by Tributary itself, with every script and style vendored in `static/graphiql`.

The page makes no request to any other host: React, ReactDOM and GraphiQL (whose stylesheet carries
its fonts inline) come from `assets_url`, and a Content-Security-Policy in the page lets the browser
load nothing from anywhere else. `static/graphiql/VERSIONS.md` says which versions these are and how
to update them.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

GRAPHIQL_ASSETS: Path = Path(__file__).resolve().parent / "static" / "graphiql"
"""The vendored files, to be served (e.g. by Starlette's StaticFiles) at the page's `assets_url`."""

HEADERS_TEMPLATE = '{"Authorization": "Bearer "}'

WELCOME_QUERY = """\
# Welcome to Tributary's GraphiQL.
#
# Everything except the schema needs a token: paste
# it after "Bearer " in the Headers tab below, as
# {"Authorization": "Bearer trb_…"}
#
# Where tokens come from:
# tributary create-user --account NAME --email EMAIL
#   prints the new user's token
# tributary create-account NAME --admin-email EMAIL
#   prints the token of the account's admin
# tributary serve --demo
#   prints a line "Demo admin token: …"
#
# The docs (top icon on the left) and autocompletion
# (Ctrl-Space) work before a token is pasted.
# Run a query with Ctrl-Enter or the ▶ button.

{ me { name role } }
"""

# The bootstrap script; $-placeholders are filled with JSON literals (see `_js`).
_BOOT = Template(
    """
(function () {
  "use strict";
  // GraphiQL keeps its tabs, history (each entry with its headers), theme and pane sizes in the
  // Storage it is given, localStorage by default. `shouldPersistHeaders: false` keeps headers out of
  // the tab state, but a header is a bearer token with the power of its user, and which stored keys
  // carry headers has changed between GraphiQL versions (tabs, history entries, the setting itself).
  // So the page gives GraphiQL a Storage that lives in this page's memory only: nothing GraphiQL
  // stores, and no token, ever reaches localStorage or sessionStorage (both of which a browser
  // writes to disk). The price: tabs and history start afresh on every reload.
  function memoryStorage() {
    var items = new Map();
    return {
      getItem: function (key) { return items.has(key) ? items.get(key) : null; },
      setItem: function (key, value) { items.set(String(key), String(value)); },
      removeItem: function (key) { items.delete(key); },
      clear: function () { items.clear(); },
      key: function (index) {
        var keys = Array.from(items.keys());
        return index < keys.length ? keys[index] : null;
      },
      get length() { return items.size; }
    };
  }

  // A plain JSON POST to the endpoint with the headers of the header editor (GraphiQL merges them
  // over these). Tributary answers introspection without a token, so nothing waits for one.
  var fetcher = GraphiQL.createFetcher({
    url: $endpoint,
    enableIncrementalDelivery: false,
    headers: { accept: "application/json" }
  });

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: $query,
      defaultHeaders: $headers,
      defaultEditorToolsVisibility: "headers",
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      showPersistHeadersSettings: false,
      storage: memoryStorage()
    })
  );
})();
"""
)

_PAGE = Template(
    """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="$csp">
<meta name="referrer" content="no-referrer">
<title>Tributary · GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="$assets/graphiql.min.css">
<style>
html, body, #graphiql { height: 100%; margin: 0; }
#graphiql > .loading { padding: 2rem; font: 16px sans-serif; }
</style>
</head>
<body>
<div id="graphiql"><p class="loading">Loading GraphiQL…</p></div>
<noscript>GraphiQL needs JavaScript. Without it, POST GraphQL to $endpoint_text with an
Authorization: Bearer header.</noscript>
<script src="$assets/react.production.min.js"></script>
<script src="$assets/react-dom.production.min.js"></script>
<script src="$assets/graphiql.min.js"></script>
<script>$boot</script>
</body>
</html>
"""
)


def _js(value: str) -> str:
    """A JavaScript string literal that is also safe inside an HTML <script> element."""
    return (
        json.dumps(value, ensure_ascii=True)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


def _origin(url: str) -> str | None:
    """The origin of an absolute http(s) URL, None for a path on the page's own origin."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def graphiql_html(*, endpoint: str = "/graphql", assets_url: str = "/static/graphiql") -> str:
    """The GraphiQL page for `endpoint`, loading its scripts and styles from `assets_url`.

    Both are normally paths on Tributary's own origin. Given absolute URLs, their origins (and only
    those) are allowed by the page's Content-Security-Policy as well.
    """
    assets = assets_url.rstrip("/")
    boot = _BOOT.substitute(endpoint=_js(endpoint), query=_js(WELCOME_QUERY), headers=_js(HEADERS_TEMPLATE))
    boot_hash = base64.b64encode(hashlib.sha256(boot.encode("utf-8")).digest()).decode("ascii")
    asset_origin = _origin(assets)
    endpoint_origin = _origin(endpoint)
    scripts = " ".join(["'self'", *([asset_origin] if asset_origin else []), f"'sha256-{boot_hash}'"])
    styles = " ".join(["'self'", *([asset_origin] if asset_origin else []), "'unsafe-inline'"])
    connect = " ".join(["'self'", *([endpoint_origin] if endpoint_origin else [])])
    csp = "; ".join(
        [
            "default-src 'none'",
            f"script-src {scripts}",
            f"style-src {styles}",
            "font-src 'self' data:",
            "img-src 'self' data:",
            f"connect-src {connect}",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    return _PAGE.substitute(
        csp=html.escape(csp, quote=True),
        assets=html.escape(assets, quote=True),
        endpoint_text=html.escape(endpoint),
        boot=boot,
    )

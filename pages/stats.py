"""The statistics page at `GET /stats`: a chart and a table of `sourceStats`, for people.

The page is one HTML document and two files of its own (`static/stats/stats.js`, `stats.css`);
the chart is plain SVG drawn by that script, so nothing is vendored and nothing comes from
another host. It talks only to `/graphql` and `/stats/sources.csv`, with the bearer token a
person pastes once (kept in `sessionStorage`), like every other client. Its Content-Security-Policy
(`CSP`, sent as a response header) lets the browser load and connect to nothing but Tributary.

The assets' URLs carry a digest of their content (`?v=…`), so a browser never runs a stale script
against a newer page.
"""

from __future__ import annotations

import hashlib
import html
from pathlib import Path
from string import Template

STATS_ASSETS: Path = Path(__file__).resolve().parent / "static" / "stats"
"""The page's script and stylesheet, to be served (by Starlette's StaticFiles) at `assets_url`."""

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
"""Only Tributary's own origin; no inline script or style (the SVG is drawn with attributes).

Sent as the page's Content-Security-Policy header (a <meta> element cannot carry frame-ancestors).
"""

# The English texts are the page's defaults; stats.js replaces every [data-i18n] text (and
# Polish when the browser prefers it) once it runs.
_PAGE = Template(
    """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Tributary · Statistics</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="$assets/stats.css?v=$css_version">
</head>
<body>
<header class="top">
  <h1 data-i18n="title">Where contacts come from</h1>
  <p id="signed-in" class="signed-in" hidden><span id="who"></span>
    <button type="button" id="forget" data-i18n="forget">Forget token</button></p>
</header>
<main id="main">
  <noscript><p>This page needs JavaScript. / Ta strona wymaga JavaScriptu.</p></noscript>
  <section id="signin" hidden aria-labelledby="signin-title">
    <form id="token-form" class="card">
      <h2 id="signin-title" data-i18n="signinTitle">Sign in with a token</h2>
      <p id="token-message" class="message" role="alert" hidden></p>
      <label for="token" data-i18n="tokenLabel">Access token</label>
      <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required
             aria-describedby="token-hint">
      <p id="token-hint" class="hint" data-i18n="tokenHint">Tokens are printed by
        tributary serve --demo, tributary create-user and tributary create-account. The token is kept
        in this tab only, until you close it or choose Forget token.</p>
      <button type="submit" data-i18n="signin">Show statistics</button>
    </form>
  </section>
  <section id="stats" hidden aria-labelledby="title-filters">
    <p id="sources-off" class="message notice" role="status" hidden data-i18n="sourcesOff"></p>
    <form id="filters" class="card filters">
      <h2 id="title-filters" class="visually-hidden" data-i18n="filters">Filters</h2>
      <fieldset id="owners">
        <legend data-i18n="owners">Owners</legend>
        <p class="hint" id="owners-hint" data-i18n="ownersHint">None ticked: everyone.</p>
        <div id="owner-list" class="owner-list"></div>
      </fieldset>
      <div class="field">
        <label for="contact-kind" data-i18n="contactKind">Contacts</label>
        <select id="contact-kind" name="contactKind">
          <option value="ALL" data-i18n="kindAll">Companies and persons</option>
          <option value="PERSONS" data-i18n="kindPersons">Persons</option>
          <option value="COMPANIES" data-i18n="kindCompanies">Companies</option>
        </select>
      </div>
      <div class="field">
        <label for="date-from" data-i18n="from">Created from</label>
        <input id="date-from" name="from" type="date">
      </div>
      <div class="field">
        <label for="date-to" data-i18n="to">Created to (inclusive)</label>
        <input id="date-to" name="to" type="date">
      </div>
      <div class="field" id="attribution-field">
        <label for="attribution" data-i18n="attribution">Attribution</label>
        <select id="attribution" name="attribution">
          <option value="CURRENT" data-i18n="attributionCurrent">Current source</option>
          <option value="FIRST_TOUCH" data-i18n="attributionFirst">First source (first touch)</option>
        </select>
      </div>
      <div class="actions">
        <button type="button" id="reset" data-i18n="reset">Reset filters</button>
        <button type="button" id="download" data-i18n="download">Download CSV</button>
      </div>
    </form>
    <div id="results" aria-busy="true">
      <p id="status" class="message" role="status" aria-live="polite"></p>
      <p id="failure" class="message error" role="alert" hidden><span id="failure-text"></span>
        <button type="button" id="retry" data-i18n="retry">Try again</button></p>
      <p id="empty" class="message empty" hidden></p>
      <div id="figures">
        <figure id="bars" class="card">
          <figcaption id="bars-title" data-i18n="barsTitle">Contacts per source</figcaption>
          <svg id="bar-chart" role="img" aria-labelledby="bars-title" focusable="false"></svg>
        </figure>
        <section class="card" aria-labelledby="table-title">
          <h2 id="table-title" data-i18n="tableTitle">Sources</h2>
          <div class="table-wrap" tabindex="0" role="region" aria-labelledby="table-title">
            <table id="table">
              <thead>
                <tr>
                  <th scope="col" data-i18n="colSource">Source</th>
                  <th scope="col" class="num" data-i18n="colCount">Contacts</th>
                  <th scope="col" class="num" data-i18n="colShare">Share</th>
                  <th scope="col" class="num" data-i18n="colPersons">Persons</th>
                  <th scope="col" class="num" data-i18n="colCompanies">Companies</th>
                  <th scope="col" class="num" data-i18n="colDeals">Deals</th>
                  <th scope="col" class="num" data-i18n="colValue">Deal value</th>
                  <th scope="col" class="num" data-i18n="colWon">Won</th>
                  <th scope="col" class="num" data-i18n="colWinRate">Win rate</th>
                </tr>
              </thead>
              <tbody></tbody>
            </table>
          </div>
        </section>
        <figure id="trend" class="card" hidden>
          <figcaption id="trend-title" data-i18n="trendTitle">Month by month</figcaption>
          <svg id="trend-chart" role="img" aria-labelledby="trend-title" focusable="false"></svg>
          <ul id="trend-legend" class="legend"></ul>
        </figure>
      </div>
    </div>
  </section>
</main>
<script src="$assets/stats.js?v=$js_version"></script>
</body>
</html>
"""
)


def _version(name: str) -> str:
    return hashlib.sha256((STATS_ASSETS / name).read_bytes()).hexdigest()[:12]


def stats_html(*, assets_url: str = "/static/stats") -> str:
    """The statistics page, loading its script and stylesheet from `assets_url` (a path on this origin)."""
    return _PAGE.substitute(
        assets=html.escape(assets_url.rstrip("/"), quote=True),
        css_version=_version("stats.css"),
        js_version=_version("stats.js"),
    )

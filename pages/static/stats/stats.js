/*
 * Tributary's statistics page (GET /stats): a bar chart and a table of `sourceStats`, a
 * month-by-month `sourceTrend` chart, filters kept in the URL, and the CSV of what is shown.
 *
 * - It talks only to /graphql and /stats/sources.csv, with the bearer token a person pastes once.
 *   The token is kept in sessionStorage (this tab only), never in local storage.
 * - English or Polish, the first of navigator.languages that is one of them; numbers and dates
 *   are formatted by Intl in that language.
 * - Charts are plain SVG drawn here, as wide as their box (redrawn when it changes size).
 * - Against a server without the v2 statistics (`SourceStatsRow.color`, the `attribution`
 *   argument, `sourceTrend`), the server's validation error tells which part is missing: the
 *   page then asks without it, colours sources from a fixed palette, and leaves out the
 *   attribution filter or the trend, saying so only on the console.
 */
(function () {
  "use strict";

  var GRAPHQL_URL = "/graphql";
  var CSV_URL = "/stats/sources.csv";
  var TOKEN_KEY = "tributary.statsToken";
  var KINDS = ["ALL", "PERSONS", "COMPANIES"];
  var ATTRIBUTIONS = ["CURRENT", "FIRST_TOUCH"];
  var TREND_MONTHS = 12; // the default range of the trend chart
  var MAX_PERIODS = 400; // what sourceTrend accepts
  // Paul Tol's 12-colour qualitative scheme, the server's palette; Tol's grey for "No source".
  var PALETTE = ["#332288", "#6699CC", "#88CCEE", "#44AA99", "#117733", "#999933",
                 "#DDCC77", "#661100", "#CC6677", "#AA4466", "#882255", "#AA4499"];
  var NO_SOURCE_COLOR = "#BBBBBB";

  var TEXTS = {
    en: {
      title: "Where contacts come from",
      forget: "Forget token",
      signedInAs: "Signed in as {name}",
      signinTitle: "Sign in with a token",
      tokenLabel: "Access token",
      tokenHint: "Tokens are printed by tributary serve --demo, tributary create-user and " +
        "tributary create-account. The token is kept in this tab only, until you close it or " +
        "choose Forget token.",
      signin: "Show statistics",
      tokenRejected: "That token was not accepted: it is wrong, or it has expired. Paste a valid token.",
      tokenForgotten: "The token is forgotten. Paste a token to see the statistics again.",
      sourcesOff: "Acquisition sources are switched off for this account: records cannot get a " +
        "source until an admin switches them on. The statistics still show the sources assigned earlier.",
      filters: "Filters",
      owners: "Owners",
      ownersHint: "None ticked: everyone.",
      contactKind: "Contacts",
      kindAll: "Companies and persons",
      kindPersons: "Persons",
      kindCompanies: "Companies",
      from: "Created from",
      to: "Created to (inclusive)",
      attribution: "Attribution",
      attributionCurrent: "Current source",
      attributionFirst: "First source (first touch)",
      reset: "Reset filters",
      download: "Download CSV",
      barsTitle: "Contacts per source",
      tableTitle: "Sources",
      colSource: "Source",
      colCount: "Contacts",
      colShare: "Share",
      colPersons: "Persons",
      colCompanies: "Companies",
      colDeals: "Deals",
      colValue: "Deal value",
      colWon: "Won",
      colWinRate: "Win rate",
      trendTitle: "Month by month",
      trendRange: "Month by month, {from} – {to}",
      noSource: "No source",
      loading: "Loading…",
      summary: "{contacts}, {deals}",
      contacts: { one: "{n} contact", other: "{n} contacts" },
      deals: { one: "{n} deal", other: "{n} deals" },
      emptyAccount: "There are no contacts in this account yet. Once companies and persons are " +
        "added, this page shows where they came from.",
      emptyFilters: "No contact and no deal matches these filters.",
      badRange: "The start date must not be after the end date.",
      loadFailed: "The statistics could not be loaded: {reason}",
      downloadFailed: "The CSV could not be downloaded: {reason}",
      retry: "Try again",
      reasonBusy: "too many requests at once; try again in a moment.",
      reasonUnavailable: "the database is not reachable right now; try again in a moment.",
      reasonTimeout: "the server took too long.",
      reasonNetwork: "the server did not answer.",
      reasonOther: "{message}"
    },
    pl: {
      title: "Skąd przychodzą kontakty",
      forget: "Zapomnij token",
      signedInAs: "Zalogowano jako {name}",
      signinTitle: "Zaloguj się tokenem",
      tokenLabel: "Token dostępu",
      tokenHint: "Tokeny wypisują polecenia tributary serve --demo, tributary create-user i " +
        "tributary create-account. Token jest przechowywany tylko w tej karcie, dopóki jej nie " +
        "zamkniesz albo nie wybierzesz „Zapomnij token”.",
      signin: "Pokaż statystyki",
      tokenRejected: "Ten token nie został przyjęty: jest błędny albo wygasł. Wklej ważny token.",
      tokenForgotten: "Token został zapomniany. Wklej token, aby znowu zobaczyć statystyki.",
      sourcesOff: "Źródła pozyskania są wyłączone na tym koncie: rekordom nie można przypisać " +
        "źródła, dopóki administrator ich nie włączy. Statystyki nadal pokazują źródła przypisane wcześniej.",
      filters: "Filtry",
      owners: "Właściciele",
      ownersHint: "Nic nie zaznaczono: wszyscy.",
      contactKind: "Kontakty",
      kindAll: "Firmy i osoby",
      kindPersons: "Osoby",
      kindCompanies: "Firmy",
      from: "Utworzone od",
      to: "Utworzone do (włącznie)",
      attribution: "Atrybucja",
      attributionCurrent: "Bieżące źródło",
      attributionFirst: "Pierwsze źródło (first touch)",
      reset: "Wyczyść filtry",
      download: "Pobierz CSV",
      barsTitle: "Kontakty według źródła",
      tableTitle: "Źródła",
      colSource: "Źródło",
      colCount: "Kontakty",
      colShare: "Udział",
      colPersons: "Osoby",
      colCompanies: "Firmy",
      colDeals: "Transakcje",
      colValue: "Wartość transakcji",
      colWon: "Wygrane",
      colWinRate: "Skuteczność",
      trendTitle: "Miesiąc po miesiącu",
      trendRange: "Miesiąc po miesiącu, {from} – {to}",
      noSource: "Brak źródła",
      loading: "Wczytywanie…",
      summary: "{contacts}, {deals}",
      contacts: { one: "{n} kontakt", few: "{n} kontakty", many: "{n} kontaktów", other: "{n} kontaktu" },
      deals: { one: "{n} transakcja", few: "{n} transakcje", many: "{n} transakcji", other: "{n} transakcji" },
      emptyAccount: "Na tym koncie nie ma jeszcze kontaktów. Gdy pojawią się firmy i osoby, ta " +
        "strona pokaże, skąd przyszły.",
      emptyFilters: "Żaden kontakt ani żadna transakcja nie pasują do tych filtrów.",
      badRange: "Data początkowa nie może być późniejsza niż końcowa.",
      loadFailed: "Nie udało się wczytać statystyk: {reason}",
      downloadFailed: "Nie udało się pobrać pliku CSV: {reason}",
      retry: "Spróbuj ponownie",
      reasonBusy: "zbyt wiele zapytań naraz; spróbuj za chwilę.",
      reasonUnavailable: "baza danych jest teraz nieosiągalna; spróbuj za chwilę.",
      reasonTimeout: "serwer odpowiadał zbyt długo.",
      reasonNetwork: "serwer nie odpowiedział.",
      reasonOther: "{message}"
    }
  };

  // --- language and formatting ------------------------------------------------------------

  function pickLanguage() {
    var wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
    for (var i = 0; i < wanted.length; i++) {
      var tag = String(wanted[i] || "");
      var code = tag.toLowerCase().split("-")[0];
      if (TEXTS[code]) return { code: code, locale: tag };
    }
    return { code: "en", locale: "en" };
  }

  var language = pickLanguage();
  var texts = TEXTS[language.code];
  var plurals = new Intl.PluralRules(language.locale);
  var integer = new Intl.NumberFormat(language.locale, { maximumFractionDigits: 0 });
  var money = new Intl.NumberFormat(language.locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var sharePercent = new Intl.NumberFormat(language.locale,
    { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var ratePercent = new Intl.NumberFormat(language.locale, { style: "percent", maximumFractionDigits: 1 });

  function t(key, values) {
    var text = texts[key];
    return String(text).replace(/\{(\w+)\}/g, function (_, name) {
      return values && name in values ? values[name] : "";
    });
  }

  function counted(key, n) {
    var forms = texts[key];
    var form = forms[plurals.select(n)] || forms.other;
    return form.replace("{n}", integer.format(n));
  }

  var browserTimeZone = (function () {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    } catch (e) {
      return "UTC";
    }
  })();

  // --- the page's elements ----------------------------------------------------------------

  function $(id) {
    return document.getElementById(id);
  }

  var el = {
    signin: $("signin"), tokenForm: $("token-form"), token: $("token"), tokenMessage: $("token-message"),
    signedIn: $("signed-in"), who: $("who"), forget: $("forget"),
    stats: $("stats"), sourcesOff: $("sources-off"), filters: $("filters"), ownerList: $("owner-list"),
    kind: $("contact-kind"), from: $("date-from"), to: $("date-to"),
    attributionField: $("attribution-field"), attribution: $("attribution"),
    reset: $("reset"), download: $("download"),
    results: $("results"), status: $("status"), failure: $("failure"), failureText: $("failure-text"),
    retry: $("retry"), empty: $("empty"), figures: $("figures"),
    barChart: $("bar-chart"), table: $("table"), trend: $("trend"), trendTitle: $("trend-title"),
    trendChart: $("trend-chart"), trendLegend: $("trend-legend")
  };
  // The SVG namespace, read off the page's own <svg> (the HTML parser put it there).
  var SVG_NS = el.barChart.namespaceURI;

  function translatePage() {
    document.documentElement.lang = language.code;
    document.title = "Tributary · " + (language.code === "pl" ? "Statystyki" : "Statistics");
    var nodes = document.querySelectorAll("[data-i18n]");
    for (var i = 0; i < nodes.length; i++) nodes[i].textContent = t(nodes[i].getAttribute("data-i18n"));
  }

  function show(element, visible) {
    element.hidden = !visible;
  }

  // --- the token --------------------------------------------------------------------------

  function storedToken() {
    try {
      return window.sessionStorage.getItem(TOKEN_KEY) || "";
    } catch (e) {
      return "";
    }
  }

  function keepToken(token) {
    try {
      window.sessionStorage.setItem(TOKEN_KEY, token);
    } catch (e) {
      // storage refused (private mode): the token lives in this page's memory only
    }
    memoryToken = token;
  }

  function dropToken() {
    try {
      window.sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) {
      // nothing was stored
    }
    memoryToken = "";
  }

  var memoryToken = "";

  function token() {
    return storedToken() || memoryToken;
  }

  // --- talking to the server --------------------------------------------------------------

  function ApiError(code, message, errors) {
    this.code = code;
    this.message = message;
    this.errors = errors || [];
  }

  function postGraphQL(query, variables) {
    return fetch(GRAPHQL_URL, {
      method: "POST",
      headers: {
        "Authorization": "Bearer " + token(),
        "Content-Type": "application/json",
        "Accept": "application/json"
      },
      body: JSON.stringify({ query: query, variables: variables || {} }),
      credentials: "omit",
      cache: "no-store"
    }).then(function (response) {
      return response.json().catch(function () {
        throw new ApiError("HTTP_" + response.status, "HTTP " + response.status);
      });
    }, function () {
      throw new ApiError("NETWORK", "");
    }).then(function (body) {
      var errors = body.errors || [];
      var first = errors[0];
      if (first) {
        var code = (first.extensions && first.extensions.code) || "INTERNAL_SERVER_ERROR";
        throw new ApiError(code, first.message || code, errors);
      }
      return body.data;
    });
  }

  // A document the server could not validate because it lacks a field, argument or type.
  function missingSchemaParts(error) {
    if (error.code !== "BAD_USER_INPUT") return null;
    var unknown = error.errors.filter(function (e) {
      return /^(Cannot query field|Unknown argument|Unknown type)/.test(e.message || "");
    });
    return unknown.length === error.errors.length ? unknown.map(function (e) { return e.message; }) : null;
  }

  // What the server is known to offer; parts turn false when it says they are missing.
  var api = { color: true, attribution: true, trend: true };

  function statsDocument() {
    return "query StatsPage($userIds: [ID!], $contactKind: ContactKind!, $createdFrom: DateTime, " +
      "$createdTo: DateTime" + (api.attribution ? ", $attribution: Attribution" : "") + ") {\n" +
      "  sourceStats(userIds: $userIds, contactKind: $contactKind, createdFrom: $createdFrom, " +
      "createdTo: $createdTo" + (api.attribution ? ", attribution: $attribution" : "") + ") {\n" +
      "    source { id } label " + (api.color ? "color " : "") + "count share persons companies\n" +
      "    deals { count totalValue won winRate }\n" +
      "  }\n}";
  }

  function trendDocument() {
    return "query StatsPageTrend($createdFrom: DateTime!, $createdTo: DateTime!, $timeZone: String!, " +
      "$userIds: [ID!], $contactKind: ContactKind!" + (api.attribution ? ", $attribution: Attribution" : "") +
      ") {\n  sourceTrend(interval: MONTH, createdFrom: $createdFrom, createdTo: $createdTo, " +
      "timeZone: $timeZone, userIds: $userIds, contactKind: $contactKind" +
      (api.attribution ? ", attribution: $attribution" : "") + ") {\n" +
      "    start end label rows { source { id } label " + (api.color ? "color " : "") + "count }\n" +
      "  }\n}";
  }

  // Leaves out of `api` what the validation messages name; false when they name nothing known.
  function degrade(messages) {
    var changed = false;
    messages.forEach(function (message) {
      if (api.color && /'color'/.test(message)) {
        api.color = false;
        changed = true;
        console.info("Tributary statistics: this server has no SourceStatsRow.color; sources are " +
          "coloured from a fixed palette.");
      }
      if (api.attribution && /attribution|Attribution/.test(message)) {
        api.attribution = false;
        changed = true;
        show(el.attributionField, false);
        el.attribution.value = "CURRENT";
        window.history.replaceState(null, "", window.location.pathname + filtersToSearch(filtersFromForm()));
        console.info("Tributary statistics: this server has no attribution argument; the " +
          "attribution filter is hidden.");
      }
    });
    return changed;
  }

  function loadStats(filters) {
    function attempt() {
      return postGraphQL(statsDocument(), statsVariables(filters)).then(function (data) {
        return data.sourceStats;
      }, function (error) {
        var missing = missingSchemaParts(error);
        if (missing && degrade(missing)) return attempt();
        throw error;
      });
    }
    return attempt();
  }

  function loadTrend(filters) {
    if (!api.trend) return Promise.resolve(null);
    var range = trendRange(filters);
    if (!range) return Promise.resolve(null);
    function attempt(timeZone) {
      var variables = statsVariables(filters);
      variables.createdFrom = range.from.toISOString();
      variables.createdTo = range.to.toISOString();
      variables.timeZone = timeZone;
      return postGraphQL(trendDocument(), variables).then(function (data) {
        return { periods: data.sourceTrend, range: range, timeZone: timeZone };
      }, function (error) {
        var missing = missingSchemaParts(error);
        if (missing) {
          if (!/sourceTrend/.test(missing.join(" ")) && degrade(missing)) return attempt(timeZone);
          api.trend = false;
          console.info("Tributary statistics: this server has no sourceTrend; the trend chart is left out.");
          return null;
        }
        if (error.code === "BAD_USER_INPUT" && timeZone !== "UTC" &&
            error.errors.some(function (e) { return e.extensions && e.extensions.field === "timeZone"; })) {
          console.warn("Tributary statistics: the server does not know the time zone " + timeZone +
            "; the trend is shown in UTC.");
          return attempt("UTC");
        }
        throw error;
      });
    }
    return attempt(browserTimeZone);
  }

  // --- filters: the form, the URL and the variables ----------------------------------------

  var DEFAULT_FILTERS = { userIds: [], contactKind: "ALL", from: "", to: "", attribution: "CURRENT" };

  function isDate(value) {
    return /^\d{4}-\d{2}-\d{2}$/.test(value) && !isNaN(localDate(value).getTime());
  }

  // Midnight at the start of a yyyy-mm-dd day in the browser's time zone.
  function localDate(value, addDays) {
    var parts = value.split("-").map(Number);
    return new Date(parts[0], parts[1] - 1, parts[2] + (addDays || 0));
  }

  function filtersFromUrl(search, knownUserIds) {
    var params = new URLSearchParams(search);
    var ids = (params.get("userIds") || "").split(",").filter(function (id) {
      return knownUserIds.indexOf(id) !== -1;
    });
    var kind = params.get("contactKind");
    var attribution = params.get("attribution");
    var from = params.get("from") || "";
    var to = params.get("to") || "";
    return {
      userIds: ids,
      contactKind: KINDS.indexOf(kind) !== -1 ? kind : "ALL",
      from: isDate(from) ? from : "",
      to: isDate(to) ? to : "",
      attribution: ATTRIBUTIONS.indexOf(attribution) !== -1 && api.attribution ? attribution : "CURRENT"
    };
  }

  function filtersToSearch(filters) {
    var params = new URLSearchParams();
    if (filters.userIds.length) params.set("userIds", filters.userIds.join(","));
    if (filters.contactKind !== "ALL") params.set("contactKind", filters.contactKind);
    if (filters.from) params.set("from", filters.from);
    if (filters.to) params.set("to", filters.to);
    if (filters.attribution !== "CURRENT") params.set("attribution", filters.attribution);
    var search = params.toString();
    return search ? "?" + search : "";
  }

  function filtersFromForm() {
    var ticked = el.ownerList.querySelectorAll("input[type=checkbox]:checked");
    return {
      userIds: Array.prototype.map.call(ticked, function (box) { return box.value; }),
      contactKind: el.kind.value,
      from: isDate(el.from.value) ? el.from.value : "",
      to: isDate(el.to.value) ? el.to.value : "",
      attribution: api.attribution ? el.attribution.value : "CURRENT"
    };
  }

  function filtersToForm(filters) {
    var boxes = el.ownerList.querySelectorAll("input[type=checkbox]");
    for (var i = 0; i < boxes.length; i++) boxes[i].checked = filters.userIds.indexOf(boxes[i].value) !== -1;
    el.kind.value = filters.contactKind;
    el.from.value = filters.from;
    el.to.value = filters.to;
    el.attribution.value = filters.attribution;
  }

  function isDefault(filters) {
    return filtersToSearch(filters) === "";
  }

  // createdFrom is inclusive and createdTo exclusive: the day after the "to" date, at midnight.
  function statsVariables(filters) {
    var variables = {
      userIds: filters.userIds.length ? filters.userIds : null,
      contactKind: filters.contactKind,
      createdFrom: filters.from ? localDate(filters.from).toISOString() : null,
      createdTo: filters.to ? localDate(filters.to, 1).toISOString() : null
    };
    if (api.attribution) variables.attribution = filters.attribution;
    return variables;
  }

  function csvHref(filters) {
    var variables = statsVariables(filters);
    var params = new URLSearchParams();
    params.set("contactKind", variables.contactKind);
    if (variables.userIds) params.set("userIds", variables.userIds.join(","));
    if (variables.createdFrom) params.set("createdFrom", variables.createdFrom);
    if (variables.createdTo) params.set("createdTo", variables.createdTo);
    if (api.attribution && filters.attribution !== "CURRENT") params.set("attribution", filters.attribution);
    return CSV_URL + "?" + params.toString();
  }

  // The trend's months: the filter's dates where given, else the last 12 calendar months up to
  // the end of this one; at most MAX_PERIODS months (the latest ones).
  function trendRange(filters) {
    var now = new Date();
    var to = filters.to ? localDate(filters.to, 1) : new Date(now.getFullYear(), now.getMonth() + 1, 1);
    var last = new Date(to.getTime() - 1); // the last instant of the range, in its last month
    var from = filters.from
      ? localDate(filters.from)
      : new Date(last.getFullYear(), last.getMonth() - (TREND_MONTHS - 1), 1);
    if (from >= to) return null;
    var months = (last.getFullYear() - from.getFullYear()) * 12 + (last.getMonth() - from.getMonth()) + 1;
    if (months > MAX_PERIODS) {
      from = new Date(last.getFullYear(), last.getMonth() - (MAX_PERIODS - 1), 1);
      console.info("Tributary statistics: the trend shows the last " + MAX_PERIODS + " months of the range.");
    }
    return { from: from, to: to };
  }

  // --- colours ----------------------------------------------------------------------------

  // Without `color` from the server, each source keeps the palette colour it was first given.
  var fallbackColors = {};
  var fallbackCount = 0;

  function colorOf(row) {
    if (api.color && row.color) return row.color;
    if (!row.source) return NO_SOURCE_COLOR;
    var id = row.source.id;
    if (!(id in fallbackColors)) fallbackColors[id] = PALETTE[fallbackCount++ % PALETTE.length];
    return fallbackColors[id];
  }

  function rowKey(row) {
    return row.source ? row.source.id : "";
  }

  function rowLabel(row) {
    return row.source ? row.label : t("noSource");
  }

  // --- drawing ----------------------------------------------------------------------------

  function svg(name, attributes, parent) {
    var node = document.createElementNS(SVG_NS, name);
    Object.keys(attributes || {}).forEach(function (key) {
      node.setAttribute(key, attributes[key]);
    });
    if (parent) parent.appendChild(node);
    return node;
  }

  function text(content, attributes, parent) {
    var node = svg("text", attributes, parent);
    node.textContent = content;
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function chartWidth(svgElement) {
    var box = svgElement.parentNode.getBoundingClientRect();
    return Math.max(280, Math.floor(box.width) - 2);
  }

  function shorten(label, maxChars) {
    return label.length > maxChars ? label.slice(0, Math.max(1, maxChars - 1)) + "…" : label;
  }

  function drawBars(rows) {
    var chart = el.barChart;
    clear(chart);
    var width = chartWidth(chart);
    var rowHeight = 30;
    var height = Math.max(rowHeight, rows.length * rowHeight);
    var labelWidth = Math.min(Math.round(width * 0.38), 190);
    var valueWidth = 56;
    var barSpace = width - labelWidth - valueWidth - 8;
    var largest = rows.reduce(function (m, r) { return Math.max(m, r.count); }, 0) || 1;
    chart.setAttribute("viewBox", "0 0 " + width + " " + height);
    chart.setAttribute("width", String(width));
    chart.setAttribute("height", String(height));
    rows.forEach(function (row, i) {
      var y = i * rowHeight;
      var label = rowLabel(row);
      var g = svg("g", { "class": "bar", "data-source-id": rowKey(row) }, chart);
      text(shorten(label, Math.floor((labelWidth - 10) / 7.5)),
        { x: labelWidth - 8, y: y + rowHeight / 2, "text-anchor": "end", "dominant-baseline": "central",
          "class": "label" }, g);
      var barWidth = row.count ? Math.max(2, (row.count / largest) * barSpace) : 0;
      svg("rect", { x: labelWidth, y: y + 6, width: barWidth.toFixed(1), height: rowHeight - 12,
        rx: 2, fill: colorOf(row), "data-count": row.count }, g);
      svg("title", {}, g).textContent = label + ": " + integer.format(row.count) + " (" +
        sharePercent.format(row.share) + ")";
      text(integer.format(row.count), { x: labelWidth + barWidth + 6, y: y + rowHeight / 2,
        "dominant-baseline": "central", "class": "value" }, g);
    });
  }

  function cell(tr, tag, content, className) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    node.textContent = content;
    tr.appendChild(node);
    return node;
  }

  function drawTable(rows) {
    var body = el.table.tBodies[0];
    clear(body);
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-source-id", rowKey(row));
      var head = cell(tr, "th", "", "source");
      head.scope = "row";
      var swatch = document.createElement("span");
      swatch.className = "dot";
      swatch.setAttribute("aria-hidden", "true");
      swatch.style.backgroundColor = colorOf(row); // CSSOM, which the page's CSP allows
      head.appendChild(swatch);
      head.appendChild(document.createTextNode(rowLabel(row)));
      cell(tr, "td", integer.format(row.count), "num");
      cell(tr, "td", sharePercent.format(row.share), "num");
      cell(tr, "td", integer.format(row.persons), "num");
      cell(tr, "td", integer.format(row.companies), "num");
      cell(tr, "td", integer.format(row.deals.count), "num");
      cell(tr, "td", money.format(row.deals.totalValue), "num"); // a decimal string: formatted exactly
      cell(tr, "td", integer.format(row.deals.won), "num");
      cell(tr, "td", row.deals.winRate === null ? "—" : ratePercent.format(row.deals.winRate), "num");
      body.appendChild(tr);
    });
  }

  function niceStep(largest, ticks) {
    var raw = Math.max(1, largest) / ticks;
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * power >= raw) return Math.max(1, steps[i] * power);
    return 10 * power;
  }

  function drawTrend(trend, order) {
    var chart = el.trendChart;
    clear(chart);
    clear(el.trendLegend);
    var periods = trend.periods;
    var monthFormat = new Intl.DateTimeFormat(language.locale, { month: "short", timeZone: trend.timeZone });
    var yearFormat = new Intl.DateTimeFormat(language.locale, { year: "numeric", timeZone: trend.timeZone });
    var rangeFormat = new Intl.DateTimeFormat(language.locale,
      { year: "numeric", month: "long", timeZone: trend.timeZone });
    if (periods.length) {
      el.trendTitle.textContent = t("trendRange", {
        from: rangeFormat.format(new Date(periods[0].start)),
        to: rangeFormat.format(new Date(periods[periods.length - 1].start))
      });
    }
    var width = chartWidth(chart);
    var height = 260;
    var margin = { left: 44, right: 8, top: 12, bottom: 42 };
    var plotWidth = width - margin.left - margin.right;
    var plotHeight = height - margin.top - margin.bottom;
    var totals = periods.map(function (p) {
      return p.rows.reduce(function (sum, r) { return sum + r.count; }, 0);
    });
    var step = niceStep(Math.max.apply(null, totals.concat([1])), 4);
    var top = Math.max(step, Math.ceil(Math.max.apply(null, totals.concat([1])) / step) * step);
    chart.setAttribute("viewBox", "0 0 " + width + " " + height);
    chart.setAttribute("width", String(width));
    chart.setAttribute("height", String(height));
    var axis = svg("g", { "class": "axis" }, chart);
    for (var v = 0; v <= top; v += step) {
      var y = margin.top + plotHeight - (v / top) * plotHeight;
      svg("line", { x1: margin.left, x2: width - margin.right, y1: y, y2: y, "class": "grid" }, axis);
      text(integer.format(v), { x: margin.left - 6, y: y, "text-anchor": "end",
        "dominant-baseline": "central" }, axis);
    }
    var slot = plotWidth / Math.max(1, periods.length);
    var barWidth = Math.max(1, Math.min(48, slot * 0.7));
    var labelEvery = Math.max(1, Math.ceil(44 / slot));
    var rank = {};
    order.forEach(function (key, i) { rank[key] = i; });
    var seen = {};
    periods.forEach(function (period, i) {
      var x = margin.left + slot * i + (slot - barWidth) / 2;
      var g = svg("g", { "class": "period", "data-label": period.label, "data-total": totals[i] }, chart);
      var rows = period.rows.filter(function (r) { return r.count > 0; }).sort(function (a, b) {
        var ra = rowKey(a) in rank ? rank[rowKey(a)] : order.length;
        var rb = rowKey(b) in rank ? rank[rowKey(b)] : order.length;
        return ra - rb;
      });
      var base = margin.top + plotHeight;
      rows.forEach(function (row) {
        var h = (row.count / top) * plotHeight;
        base -= h;
        var rect = svg("rect", { x: x.toFixed(1), y: base.toFixed(1), width: barWidth.toFixed(1),
          height: h.toFixed(1), fill: colorOf(row), "data-source-id": rowKey(row), "data-count": row.count }, g);
        svg("title", {}, rect).textContent = period.label + " · " + rowLabel(row) + ": " + integer.format(row.count);
        if (!(rowKey(row) in seen)) seen[rowKey(row)] = row;
      });
      var start = new Date(period.start);
      if (i % labelEvery === 0) {
        var cx = margin.left + slot * i + slot / 2;
        text(monthFormat.format(start), { x: cx.toFixed(1), y: height - margin.bottom + 16,
          "text-anchor": "middle", "class": "tick" }, g);
        var previous = i > 0 ? yearFormat.format(new Date(periods[i - labelEvery].start)) : "";
        var year = yearFormat.format(start);
        if (year !== previous) {
          text(year, { x: cx.toFixed(1), y: height - margin.bottom + 32, "text-anchor": "middle",
            "class": "tick year" }, g);
        }
      }
    });
    // the legend: the sources that appear, in the table's order
    Object.keys(seen).sort(function (a, b) {
      return (a in rank ? rank[a] : order.length) - (b in rank ? rank[b] : order.length);
    }).forEach(function (key) {
      var li = document.createElement("li");
      var dot = document.createElement("span");
      dot.className = "dot";
      dot.setAttribute("aria-hidden", "true");
      dot.style.backgroundColor = colorOf(seen[key]);
      li.appendChild(dot);
      li.appendChild(document.createTextNode(rowLabel(seen[key])));
      el.trendLegend.appendChild(li);
    });
  }

  var shown = null; // what is on screen: { rows, trend }

  function render(rows, trend, filters) {
    shown = { rows: rows, trend: trend };
    var contacts = rows.reduce(function (s, r) { return s + r.count; }, 0);
    var deals = rows.reduce(function (s, r) { return s + r.deals.count; }, 0);
    var nothing = contacts === 0 && deals === 0;
    el.empty.textContent = nothing ? t(isDefault(filters) ? "emptyAccount" : "emptyFilters") : "";
    show(el.empty, nothing);
    show(el.figures, !nothing);
    el.status.textContent = nothing ? "" : t("summary", { contacts: counted("contacts", contacts),
      deals: counted("deals", deals) });
    if (nothing) return;
    drawBars(rows);
    drawTable(rows);
    show(el.trend, !!trend);
    if (trend) drawTrend(trend, rows.map(rowKey));
  }

  function redraw() {
    if (!shown || el.figures.hidden) return;
    drawBars(shown.rows);
    if (shown.trend) drawTrend(shown.trend, shown.rows.map(rowKey));
  }

  // --- the flow ---------------------------------------------------------------------------

  var users = [];
  var loading = 0; // the number of the latest load; answers to earlier ones are dropped
  var lastFilters = null;
  var settled = false; // whether `api` is known (after the first load that succeeded)

  function reasonOf(error) {
    switch (error.code) {
      case "TOO_MANY_REQUESTS": return t("reasonBusy");
      case "SERVICE_UNAVAILABLE": return t("reasonUnavailable");
      case "TIMEOUT": return t("reasonTimeout");
      case "NETWORK": return t("reasonNetwork");
      default: return t("reasonOther", { message: error.message || error.code });
    }
  }

  function askForToken(messageKey) {
    dropToken();
    shown = null;
    show(el.stats, false);
    show(el.signedIn, false);
    show(el.signin, true);
    el.tokenMessage.textContent = messageKey ? t(messageKey) : "";
    show(el.tokenMessage, !!messageKey);
    el.token.value = "";
    el.token.focus();
  }

  function failed(error, messageKey) {
    if (error instanceof ApiError && error.code === "UNAUTHENTICATED") {
      askForToken("tokenRejected");
      return;
    }
    if (!(error instanceof ApiError)) console.error(error);
    el.failureText.textContent = t(messageKey || "loadFailed",
      { reason: error instanceof ApiError ? reasonOf(error) : String(error) });
    show(el.failure, true);
  }

  function load(filters) {
    var number = ++loading;
    lastFilters = filters;
    show(el.failure, false);
    if (filters.from && filters.to && filters.from > filters.to) {
      el.results.setAttribute("aria-busy", "false");
      el.failureText.textContent = t("badRange");
      show(el.retry, false);
      show(el.failure, true);
      return Promise.resolve();
    }
    show(el.retry, true);
    el.results.setAttribute("aria-busy", "true");
    el.status.textContent = t("loading");
    // The first load learns what the server offers (statistics first); later ones ask at once.
    var answered = settled
      ? Promise.all([loadStats(filters), loadTrend(filters)])
      : loadStats(filters).then(function (rows) {
        return loadTrend(filters).then(function (trend) { return [rows, trend]; });
      });
    return answered.then(function (answers) {
      settled = true;
      if (number !== loading) return;
      render(answers[0], answers[1], filters);
      el.results.setAttribute("aria-busy", "false");
    }, function (error) {
      if (number !== loading) return;
      el.status.textContent = "";
      el.results.setAttribute("aria-busy", "false");
      failed(error);
    });
  }

  function onFiltersChanged() {
    var filters = filtersFromForm();
    var search = filtersToSearch(filters);
    if (search !== window.location.search) {
      window.history.pushState(null, "", window.location.pathname + search);
    }
    load(filters);
  }

  function fillOwners() {
    clear(el.ownerList);
    users.forEach(function (user, i) {
      var id = "owner-" + i;
      var wrap = document.createElement("div");
      wrap.className = "owner";
      var box = document.createElement("input");
      box.type = "checkbox";
      box.id = id;
      box.value = user.id;
      box.name = "userIds";
      var label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = user.name;
      wrap.appendChild(box);
      wrap.appendChild(label);
      el.ownerList.appendChild(wrap);
    });
  }

  // Signs in with the kept token; `fromForm`: the form that had the focus is gone, so the focus
  // moves to the first filter.
  function start(fromForm) {
    show(el.signin, false);
    el.status.textContent = t("loading");
    return postGraphQL("query StatsPageSetup { me { id name } users { id name } sourceSettings { enabled } }")
      .then(function (data) {
        users = data.users.slice().sort(function (a, b) {
          return a.name.localeCompare(b.name, language.locale);
        });
        fillOwners();
        el.who.textContent = t("signedInAs", { name: data.me.name });
        show(el.signedIn, true);
        show(el.sourcesOff, !data.sourceSettings.enabled);
        show(el.stats, true);
        var filters = filtersFromUrl(window.location.search, users.map(function (u) { return u.id; }));
        filtersToForm(filters);
        window.history.replaceState(null, "", window.location.pathname + filtersToSearch(filters));
        if (fromForm) (el.ownerList.querySelector("input") || el.kind).focus();
        return load(filters);
      }, function (error) {
        if (error.code === "UNAUTHENTICATED") {
          askForToken("tokenRejected");
          return;
        }
        show(el.stats, true);
        show(el.figures, false);
        el.status.textContent = "";
        el.results.setAttribute("aria-busy", "false");
        failed(error);
        el.retry.onclick = function () { show(el.failure, false); start(false); };
      });
  }

  function download() {
    var filters = filtersFromForm();
    show(el.failure, false);
    return fetch(csvHref(filters), {
      headers: { "Authorization": "Bearer " + token() },
      credentials: "omit",
      cache: "no-store"
    }).then(function (response) {
      if (response.status === 401) throw new ApiError("UNAUTHENTICATED", "");
      if (!response.ok) {
        return response.text().then(function (body) {
          throw new ApiError("HTTP_" + response.status, body.trim() || "HTTP " + response.status);
        });
      }
      var disposition = response.headers.get("Content-Disposition") || "";
      var named = /filename="([^"]+)"/.exec(disposition);
      return response.blob().then(function (blob) {
        var url = URL.createObjectURL(blob);
        var link = document.createElement("a");
        link.href = url;
        link.download = named ? named[1] : "tributary-sources.csv";
        link.hidden = true;
        document.body.appendChild(link);
        link.click();
        document.body.removeChild(link);
        setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
      });
    }, function () {
      throw new ApiError("NETWORK", "");
    }).catch(function (error) {
      failed(error, "downloadFailed");
    });
  }

  // --- wiring -----------------------------------------------------------------------------

  translatePage();

  el.tokenForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var value = el.token.value.trim().replace(/^Bearer\s+/i, "");
    if (!value) {
      el.token.focus();
      return;
    }
    keepToken(value);
    el.token.value = "";
    start(true);
  });
  el.forget.addEventListener("click", function () {
    askForToken("tokenForgotten");
  });
  el.filters.addEventListener("submit", function (event) {
    event.preventDefault();
  });
  el.filters.addEventListener("change", function (event) {
    if (event.target === el.from || event.target === el.to || event.target === el.kind ||
        event.target === el.attribution || event.target.name === "userIds") {
      onFiltersChanged();
    }
  });
  el.reset.addEventListener("click", function () {
    filtersToForm(DEFAULT_FILTERS);
    onFiltersChanged();
  });
  el.download.addEventListener("click", download);
  el.retry.addEventListener("click", function () {
    if (lastFilters) load(lastFilters);
  });
  window.addEventListener("popstate", function () {
    if (el.stats.hidden) return;
    var filters = filtersFromUrl(window.location.search, users.map(function (u) { return u.id; }));
    filtersToForm(filters);
    load(filters);
  });
  if (window.ResizeObserver) {
    var lastWidth = 0;
    var pending = false;
    new ResizeObserver(function (entries) {
      var width = Math.round(entries[0].contentRect.width);
      if (width === lastWidth || pending) return;
      lastWidth = width;
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        redraw();
      });
    }).observe(el.figures);
  }

  if (token()) {
    start(false);
  } else {
    askForToken(null);
  }
})();

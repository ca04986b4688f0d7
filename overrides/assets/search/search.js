/* Search for the Daily Papers Archive: the box in the header of every page and the /search/
   page, on Pagefind's JavaScript API. Pagefind is loaded only when the box gets focus or on
   /search/, so reading a page costs only this file. */
(function () {
  "use strict";

  // This file is <site root>/assets/search/search.js, so the URL the page loaded it from gives
  // the site root wherever the site is served: a host's root, a sub-path, localhost.
  const script = document.currentScript;
  const root = new URL("../../", script ? script.src : location.href);
  // Where the index is: generator/urls.py's paths, which the page's script tag carries.
  const here = (name) => new URL(script ? script.dataset[name] : "", location.href);
  const bundles = here("bundles"); // a folder per year: <bundles><year>/pagefind.js
  const manifestUrl = here("manifest");

  const BOX_RESULTS = 6;
  const PAGE_RESULTS = 10; // each shown result downloads its record (about 2 KB)
  const TITLE_CHECKED = 3; // results of each year whose titles are compared with the query
  // Words of the query in a paper's title count four times Pagefind's default (5): titles are
  // the best summary of a paper, and with the default an exact title could rank 12th of 22 in
  // its year behind titles sharing most of its words (30,000 sample papers).
  const TITLE_WEIGHT = 20;
  // The /search/ page's selects, by URL parameter. Pagefind's names for filters, sort keys and
  // meta are the build's (generator/search/records.py), which dpa-search.json hands over:
  // `filters` (URL parameter -> filter; not `year`, which chooses the year's index to search),
  // `sorts` (the `sort` parameter's values -> sort key) and `meta` (what a result shows -> key).
  // `code` is a checkbox: ticked, it asks for the value dpa-search.json names (has_code).
  const SELECTS = ["year", "topic", "org"];
  // The /search/ page says so on its form each time it has put results on screen, with
  // detail { search: its URL's query string, final: whether every year's results are in }.
  const SHOWN = "dpa-search-shown";
  const NO_INDEX = "Search could not load its index. Try again later.";

  // Words in nearly every paper. Pagefind matches every word of a query, and the index part
  // holding one of these is among its largest (81 KB for "of" in 8,400 papers), while it
  // narrows nothing: they are left out of the query (unless it is quoted or only them).
  const STOP_WORDS = new Set(
    "a an and are as at be by for from in into is it its of on or that the this to we with".split(" ")
  );

  /** The words Pagefind is asked for. */
  function terms(query) {
    if (/^\s*".*"\s*$/.test(query)) return query; // an exact phrase: as typed
    const words = query.split(/\s+/).filter((w) => w && !STOP_WORDS.has(w.toLowerCase()));
    return words.length ? words.join(" ") : query;
  }

  let listing = null;

  /**
   * dpa-search.json: the years that have an index, newest first, each filter's values, and
   * the names Pagefind knows filters, sort keys and meta by.
   */
  function manifest() {
    if (!listing) {
      listing = fetch(manifestUrl).then((response) => {
        if (!response.ok) throw new Error(`${manifestUrl.pathname}: HTTP ${response.status}`);
        return response.json();
      });
      listing.catch(() => { listing = null; }); // try again on the next search
    }
    return listing;
  }

  const loaded = new Map(); // year -> its Pagefind, loading or loaded

  /** The Pagefind API of one year's index (<bundles><year>/), loaded and set up once. */
  function pagefind(year, built) {
    if (!loaded.has(year)) {
      const loading = loadPagefind(year, built);
      loading.catch(() => loaded.delete(year));
      loaded.set(year, loading);
    }
    return loaded.get(year);
  }

  let runtime = null; // the shared pagefind.js, its WebAssembly loaded once

  function sharedRuntime() {
    if (!runtime) {
      runtime = (async () => {
        const pf = await import(new URL("pagefind.js", bundles).href);
        const Instance = pf.DpaPagefindInstance;
        if (!Instance) throw new Error("pagefind.js without PagefindInstance");
        await new Instance({ basePath: bundles.pathname }).loadWasm("en");
        return Instance;
      })();
      runtime.catch(() => { runtime = null; });
    }
    return runtime;
  }

  /** Pagefind's options for every year's index: where results link to, excerpts, ranking. */
  function yearSettings(built) {
    const ranking = { metaWeights: { [built.meta.title]: TITLE_WEIGHT } };
    return { baseUrl: root.pathname, excerptLength: 24, ranking };
  }

  async function loadPagefind(year, built) {
    const settings = yearSettings(built);
    if (built.shared) {
      const basePath = new URL(`${year}/`, bundles).pathname;
      try {
        return await workerYear(basePath, settings, (built.metadata || {})[year]);
      } catch (error) {
        if (!(error instanceof WorkerGone)) throw error;
      }
      // One pagefind.js and one WebAssembly for every year: an instance per year's index.
      const Instance = await sharedRuntime();
      const pf = new Instance({ basePath, ...settings });
      await pf.init("en", { load_wasm: false });
      return pf;
    }
    const pf = await import(new URL(`${year}/pagefind.js`, bundles).href);
    await pf.options({ ...settings, noWorker: true });
    await pf.init();
    return pf;
  }

  /*
   * Pagefind in a worker (search-worker.js): its WebAssembly search and its unzipping of each
   * index part leave the page's main thread, which stays free to draw results and take input.
   * If the worker cannot start (no module workers, a blocked script) or cannot load Pagefind,
   * the years load on the page as before (sharedRuntime), for the rest of the visit.
   */
  class WorkerGone extends Error {}

  let helper = null; // { post(op, args): Promise }; false once it has failed or cannot start

  /** The worker, started once; null if there is none. */
  function searchWorker() {
    if (helper === null) helper = startWorker();
    return helper || null;
  }

  function startWorker() {
    let worker;
    try {
      const url = new URL("search-worker.js", script ? script.src : location.href);
      worker = new Worker(url, { type: "module" });
    } catch (error) {
      return false;
    }
    const pending = new Map(); // request number -> { resolve, reject }
    let asked = 0;
    const gone = (why) => {
      if (helper === false) return;
      helper = false; // for every later search of this visit
      worker.terminate();
      for (const { reject } of pending.values()) reject(new WorkerGone(why));
      pending.clear();
    };
    worker.addEventListener("error", (event) => {
      event.preventDefault(); // handled: the page searches without the worker
      gone("search-worker.js did not start");
    });
    worker.addEventListener("messageerror", () => gone("a message the worker could not read"));
    worker.addEventListener("message", (event) => {
      const { id, value, error, runtime: noRuntime } = event.data || {};
      const request = pending.get(id);
      if (!request) return;
      if (noRuntime) return gone(error); // this request's answer too
      pending.delete(id);
      if (error) request.reject(new Error(error));
      else request.resolve(value);
    });
    return {
      post(op, args) {
        if (helper === false) return Promise.reject(new WorkerGone("no worker"));
        const id = ++asked;
        return new Promise((resolve, reject) => {
          pending.set(id, { resolve, reject });
          worker.postMessage({ id, op, ...args });
        });
      },
    };
  }

  /** A year's index in the worker, with what searchYear uses of a Pagefind instance. */
  async function workerYear(basePath, settings, metadata) {
    const worker = searchWorker();
    if (!worker) throw new WorkerGone("no worker");
    // pagefind.js and the WebAssembly; a failure ends the worker, and the load below with it.
    worker.post("runtime", { bundles: bundles.href }).catch(() => {});
    await worker.post("load", { basePath, settings, metadata });
    return {
      async search(term, options) {
        const found = await worker.post("search", { basePath, term, options });
        const data = (index) => () => worker.post("data", { search: found.search, index });
        const results = found.scores.map((score, index) => ({ score, data: data(index) }));
        return { results, unfilteredResultCount: found.unfiltered };
      },
    };
  }

  /** Start loading what a first search needs: the list of years and the newest year's index. */
  function warmUp() {
    searchWorker(); // its script loads while dpa-search.json does
    manifest().then((built) => built.year.length && pagefind(built.year[0], built)).catch(() => {});
  }

  /**
   * Search the newest year first, then the others at once (only `year` when it is given).
   * `early` gets the newest year's hits, if it has any, and older years wait until it has put
   * them on screen: the first results cost one year's index, the same size however old the
   * archive, and nothing else competes for the connection meanwhile. A year whose index does
   * not load is left out (hits.failed names it) rather than failing the others; null when
   * `stale()` says a newer search has begun. `filters` are Pagefind's; `sort` is the form's.
   */
  async function searchYears(query, filters, sort, year, early, stale) {
    const term = query ? terms(query) : null; // no words but a filter or a sort: all that pass
    searchWorker(); // its script loads while dpa-search.json does
    const built = await manifest();
    const years = year ? built.year.filter((y) => y === year) : built.year;
    const ask = (y) => searchYear(y, built, term, { filters, sort: pagefindSort(sort, built) });
    if (!years.length) return mergeYears([], sort, query);
    const newest = await ask(years[0]);
    if (early && years.length > 1 && newest.results.length) {
      await early(mergeYears([newest], sort, query), years[0]);
    }
    if (stale && stale()) return null;
    return mergeYears([newest, ...(await Promise.all(years.slice(1).map(ask)))], sort, query);
  }

  /** Pagefind's sort for the form's (relevance: none): the build's sort key, largest first. */
  function pagefindSort(sort, built) {
    return sort && built.sorts[sort] ? { [built.sorts[sort]]: "desc" } : {};
  }

  // A filter no index has: a search that matches no page, but counts the pages with its words.
  const COUNT_ONLY = { filters: { "dpa-count-only": "" } };

  /** One year's results, or none and `failed` if its index does not load. */
  async function searchYear(year, built, term, options) {
    try {
      const pf = await pagefind(year, built);
      const found = await pf.search(term, options);
      // Pagefind's own search() orders by score (a sort's position, too) once it has every
      // index's results (coupled_search.ts); an index's own search() leaves that to its caller.
      const ordered = [...found.results].sort((a, b) => b.score - a.score);
      const results = ordered.map((result) => withMeta(result, built.meta));
      // Pages with each word, in this year (the index parts are loaded already: no download).
      const counts = [];
      if (term && !/^\s*".*"\s*$/.test(term)) {
        for (const word of term.split(/\s+/).filter(Boolean)) {
          counts.push((await pf.search(word, COUNT_ONLY)).unfilteredResultCount);
        }
      }
      return { year, results, papers: built.papers[year], counts };
    } catch (error) {
      return { year, results: [], failed: true };
    }
  }

  /** A Pagefind result whose data() is its record(), loaded once. */
  function withMeta(result, meta) {
    let data = null;
    const load = () => (data = data || result.data().then((d) => record(d, meta)));
    return { score: result.score, data: load };
  }

  /**
   * A result's URL, excerpt and meta, the meta by what a result shows (title, authors, day,
   * upvotes) rather than by the build's keys for them (dpa-search.json's meta).
   */
  function record(data, meta) {
    const stored = data.meta || {};
    const named = Object.entries(meta).map(([what, key]) => [what, stored[key]]);
    return { url: data.url, excerpt: data.excerpt, meta: Object.fromEntries(named) };
  }

  /** The years' results as one list (see hits); an error if no year's index loaded. */
  function mergeYears(found, sort, query) {
    if (found.length && found.every((f) => f.failed)) throw new Error("no index loaded");
    const merged = hits(found.filter((f) => !f.failed), sort, query);
    merged.failed = found.filter((f) => f.failed).map((f) => f.year);
    return merged;
  }

  /**
   * Each year's results' weight for ranking them together. Pagefind weighs a word by how rare
   * it is among the papers of the index searched, so a query whose papers are a little rarer
   * in one year would rank that year's papers above all others. Scaling each year's scores by
   * the sum of the query's words' rarity in all years searched over their sum in that year (per
   * word, as Pagefind weighs each) puts them back in about the order one index of every paper
   * gives (BENCHMARKS.md, Search).
   */
  function weights(found) {
    const rarity = (papers, matched) => Math.log((papers - matched + 0.5) / (matched + 0.5) + 1);
    const papers = found.reduce((sum, f) => sum + (f.papers || 0), 0);
    const words = Math.max(0, ...found.map((f) => (f.counts || []).length));
    const all = [];
    for (let i = 0; i < words; i += 1) all.push(found.reduce((sum, f) => sum + ((f.counts || [])[i] || 0), 0));
    const overall = all.reduce((sum, n) => sum + (n ? rarity(papers, n) : 0), 0);
    const weight = new Map();
    for (const f of found) {
      const own = (f.counts || []).reduce((sum, n) => sum + (n ? rarity(f.papers || 0, n) : 0), 0);
      const scale = found.length > 1 && own > 0 && f.papers ? overall / own : 1;
      for (const result of f.results) weight.set(result, scale);
    }
    return weight;
  }

  /** Comparable text: lower case, words only. */
  function plain(text) {
    return (text || "").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }

  /**
   * A paper whose title is the query goes first. Pagefind nearly always ranks it first in its
   * year, but scores from different years' indexes are not quite comparable (a word weighs
   * more in a year where fewer papers have it), so another year's near match can outscore it.
   * The top few of each year are checked; they are nearly always among the results shown.
   */
  async function titleFirst(found, order, query) {
    const wanted = plain(query);
    if (!wanted) return;
    const tops = found.flatMap((f) => f.results.slice(0, TITLE_CHECKED));
    const data = await Promise.all(tops.map((r) => r.data()));
    const exact = tops.filter((r, i) => plain((data[i].meta || {}).title) === wanted);
    if (!exact.length) return;
    const rest = order.filter((r) => !exact.includes(r));
    order.splice(0, order.length, ...exact.sort((a, b) => b.score - a.score), ...rest);
  }

  /**
   * Several years' results as one list: `total`, and `take(start, count)`, which loads the
   * records (about 2 KB each) of only the results asked for.
   */
  function hits(found, sort, query) {
    const total = found.reduce((sum, f) => sum + f.results.length, 0);
    return { total, take: sort === "upvotes" ? mostUpvoted(found) : inOrder(found, sort, query) };
  }

  /** take() for relevance and newest. */
  function inOrder(found, sort, query) {
    // Newest: the years are newest first and each is sorted. Relevance: Pagefind's scores,
    // as its own mergeIndex compares them; a stable sort keeps newer years first on a tie.
    const order = found.flatMap((f) => f.results);
    if (!sort) {
      const weight = weights(found);
      order.sort((a, b) => b.score * weight.get(b) - a.score * weight.get(a));
    }
    const ready = sort ? Promise.resolve() : titleFirst(found, order, query);
    ready.catch(() => {}); // reported by take(), if anyone takes
    return async (start, count) => {
      // The records asked for load while the titles are compared, not after: an exact title
      // moved first is among those compared, and at most one record loads that is not shown.
      for (const r of order.slice(start, start + count)) r.data().catch(() => {});
      await ready;
      return Promise.all(order.slice(start, start + count).map((r) => r.data()));
    };
  }

  /** take() for most upvoted: the counts are in the records, so they are merged as loaded. */
  function mostUpvoted(found) {
    const heads = found.map((f) => ({ results: f.results, next: 0, data: null }));
    const order = [];
    let queue = Promise.resolve();
    async function fill(count) {
      while (order.length < count && (await takeMostUpvoted(heads, order)));
    }
    return (start, count) => {
      const taken = queue.then(() => fill(start + count)).then(() => order.slice(start, start + count));
      queue = taken.catch(() => {}); // one record that failed to load does not stop the next
      return taken;
    };
  }

  /**
   * Each year comes sorted: load the next record of every year and move the most upvoted (a
   * newer year's on a tie) to `order`. False when every year's results are taken.
   */
  async function takeMostUpvoted(heads, order) {
    const open = heads.filter((h) => h.next < h.results.length);
    if (!open.length) return false;
    for (const h of open) h.data = h.data || h.results[h.next].data();
    const data = await Promise.all(open.map((h) => h.data));
    const votes = (d) => Number((d.meta || {}).upvotes) || 0;
    let best = 0;
    for (let i = 1; i < open.length; i += 1) if (votes(data[i]) > votes(data[best])) best = i;
    order.push(data[best]);
    open[best].next += 1;
    open[best].data = null;
    return true;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** The excerpt as nodes: its text, with Pagefind's <mark> kept and nothing else. */
  function excerpt(html) {
    // Pagefind returns HTML; rebuilding it from text and <mark> only means that no markup
    // that was ever in a paper's text can become live markup here. A template is inert.
    const template = document.createElement("template");
    template.innerHTML = html;
    const out = document.createDocumentFragment();
    (function walk(node, into) {
      for (const child of node.childNodes) {
        if (child.nodeType === Node.TEXT_NODE) into.append(child.textContent);
        else if (child.nodeName === "MARK") into.append(el("mark", "", child.textContent));
        else walk(child, into);
      }
    })(template.content, out);
    return out;
  }

  /** One result: title, a few authors, list day, upvotes, highlighted excerpt. */
  function hit(data) {
    const link = el("a", "dpa-hit");
    link.href = data.url;
    const meta = data.meta || {};
    const about = [meta.authors, meta.day, plural(Number(meta.upvotes || 0), "upvote")];
    const title = el("span", "dpa-hit__title", meta.title || data.url);
    title.title = title.textContent; // the whole title, where a long one is cut short
    link.append(title);
    link.append(el("span", "dpa-hit__meta", about.filter(Boolean).join(" · ")));
    const text = el("span", "dpa-hit__excerpt");
    text.append(excerpt(data.excerpt || ""));
    link.append(text);
    return link;
  }

  function plural(count, word) {
    return `${count.toLocaleString("en")} ${word}${count === 1 ? "" : "s"}`;
  }

  /* The header box: results as you type; Enter without a chosen result opens /search/. */

  function setupBox(form) {
    const box = {
      form,
      input: form.querySelector("input[name=q]"),
      list: form.querySelector("[role=listbox]"),
      asked: 0, // the number of the newest search: older ones' results are not shown
      timer: 0,
      active: -1, // the chosen result, -1 for none
    };
    box.input.addEventListener("focus", () => boxFocused(box));
    box.input.addEventListener("input", () => boxTyped(box));
    box.input.addEventListener("keydown", (event) => boxKey(box, event));
    // Keep the focus in the box while a result is clicked, so the list stays until the click.
    box.list.addEventListener("mousedown", (event) => event.preventDefault());
    form.addEventListener("focusout", (event) => {
      if (!form.contains(event.relatedTarget)) openBox(box, false);
    });
  }

  function boxOptions(box) {
    return Array.from(box.list.querySelectorAll("[role=option]"));
  }

  function openBox(box, on) {
    box.list.hidden = !on;
    box.input.setAttribute("aria-expanded", on ? "true" : "false");
    if (!on) chooseOption(box, -1);
  }

  function chooseOption(box, index) {
    const all = boxOptions(box);
    box.active = index;
    all.forEach((option, i) => option.setAttribute("aria-selected", i === index ? "true" : "false"));
    if (all[index]) {
      box.input.setAttribute("aria-activedescendant", all[index].id);
      all[index].scrollIntoView({ block: "nearest" });
    } else {
      box.input.removeAttribute("aria-activedescendant");
    }
  }

  function boxNote(box, text) {
    box.list.replaceChildren(el("p", "dpa-sbox__note", text));
    openBox(box, true);
  }

  function boxFocused(box) {
    warmUp(); // while the reader types
    if (box.input.value.trim() && box.list.childElementCount) openBox(box, true);
  }

  function boxTyped(box) {
    chooseOption(box, -1); // the chosen result belonged to the words before
    clearTimeout(box.timer);
    box.timer = setTimeout(() => searchBox(box), 120);
  }

  function boxKey(box, event) {
    const count = boxOptions(box).length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!count || box.list.hidden) return;
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      // Positions -1 (the box itself) to count - 1, round and round.
      chooseOption(box, ((box.active + 1 + step + count + 1) % (count + 1)) - 1);
    } else if (event.key === "Enter" && box.active >= 0 && !box.list.hidden) {
      event.preventDefault();
      location.href = boxOptions(box)[box.active].href;
    } else if (event.key === "Escape") {
      if (!box.list.hidden) openBox(box, false);
      else box.input.blur();
    }
  }

  async function searchBox(box) {
    const query = box.input.value.trim();
    const mine = ++box.asked;
    if (!query) return openBox(box, false);
    try {
      // The newest year's results first; all years' when they are in, unless the reader
      // has meanwhile chosen one of the first (typing clears a choice).
      const early = (found) => showBoxResults(box, found, query, mine, false);
      const found = await searchYears(query, {}, "", "", early, () => mine !== box.asked);
      if (found) await showBoxResults(box, found, query, mine, true);
    } catch (error) {
      if (mine === box.asked) boxNote(box, NO_INDEX);
    }
  }

  /**
   * Show the first results of a search, unless a newer one has begun, or unless `final`
   * (every year's, replacing the newest year's) and the reader has chosen one meanwhile.
   */
  async function showBoxResults(box, found, query, mine, final) {
    const data = await found.take(0, BOX_RESULTS); // a choice can be made while this loads
    if (mine !== box.asked || (final && box.active >= 0)) return;
    if (!data.length) return boxNote(box, `No papers match “${query}”.`);
    const all = el("a", "dpa-sbox__all", `All ${plural(found.total, "result")} for “${query}” →`);
    all.href = `${box.form.action}?${new URLSearchParams({ q: query })}`;
    const options = data.map((d, i) => {
      const option = hit(d);
      option.id = `dpa-sbox-opt-${i}`;
      option.setAttribute("role", "option");
      return option;
    });
    box.list.replaceChildren(...options, all);
    openBox(box, true);
    chooseOption(box, -1);
  }

  /* The /search/ page: query, filters and sort live in the URL, so a search can be shared. */

  function setupPage(form) {
    const page = {
      form,
      fields: form.elements,
      status: document.getElementById("dpa-search-status"),
      list: document.getElementById("dpa-search-results"),
      more: document.getElementById("dpa-search-more"),
      asked: 0, // the number of the newest search: older ones' results are not shown
      timer: 0,
      results: { total: 0, take: async () => [] }, // on screen, or being put there
      shown: 0,
      showing: 0, // the search (its number) whose results the list shows
    };
    readURL(page);
    searchPage(page);
    fillSelects(page); // from dpa-search.json, which the search loads anyway
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearTimeout(page.timer);
      searchPage(page);
    });
    page.fields.q.addEventListener("input", () => {
      clearTimeout(page.timer);
      page.timer = setTimeout(() => searchPage(page), 200);
    });
    for (const name of ["sort", ...SELECTS, "code"]) {
      page.fields[name].addEventListener("change", () => searchPage(page));
    }
    page.more.addEventListener("click", () => showMore(page));
    window.addEventListener("popstate", () => {
      readURL(page);
      searchPage(page);
    });
  }

  function hasOption(select, value) {
    return Array.from(select.options).some((o) => o.value === value);
  }

  /** Set a select to a value, adding it as an option if it has none (yet) for it. */
  function setSelect(select, value) {
    if (value && !hasOption(select, value)) select.append(new Option(value, value));
    select.value = value;
  }

  /** The form as the URL says. */
  function readURL(page) {
    const params = new URLSearchParams(location.search);
    const fields = page.fields;
    fields.q.value = params.get("q") || "";
    const sort = params.get("sort") || "";
    fields.sort.value = hasOption(fields.sort, sort) ? sort : "";
    fields.code.checked = params.get("code") === "1";
    // Options arrive with dpa-search.json; a value from the URL stays selectable until then.
    for (const name of SELECTS) setSelect(fields[name], params.get(name) || "");
  }

  /** The URL as the form says (replacing this history entry); its parameters. */
  function writeURL(page) {
    const params = new URLSearchParams();
    for (const name of ["q", "sort", ...SELECTS]) {
      const value = page.fields[name].value.trim();
      if (value) params.set(name, value);
    }
    if (page.fields.code.checked) params.set("code", "1");
    const query = params.toString();
    history.replaceState(null, "", query ? `?${query}` : location.pathname);
    return params;
  }

  /** Each select's options from dpa-search.json, keeping what is chosen. */
  async function fillSelects(page) {
    let built;
    try {
      built = await manifest();
    } catch (error) {
      return; // the selects keep what the URL asked for; searching still works
    }
    for (const name of SELECTS) {
      const select = page.fields[name];
      const chosen = select.value;
      const options = choices(name, built).map((v) => new Option(v, v));
      select.replaceChildren(select.options[0], ...options);
      setSelect(select, chosen);
    }
  }

  /** A select's values in dpa-search.json: the years, or its Pagefind filter's values. */
  function choices(name, built) {
    return (name === "year" ? built.year : built[built.filters[name]]) || [];
  }

  /** What the form asks for: words, sort, and the URL parameter of each filter chosen. */
  function formSearch(fields) {
    const chosen = {};
    for (const name of SELECTS) if (fields[name].value) chosen[name] = fields[name].value;
    if (fields.code.checked) chosen.code = true;
    return { query: fields.q.value.trim(), sort: fields.sort.value, chosen };
  }

  /** Pagefind's filters for the chosen ones (not the year); `code` asks for has_code. */
  function pagefindFilters(chosen, built) {
    const filters = {};
    for (const [name, value] of Object.entries(chosen)) {
      filters[built.filters[name]] = name === "code" ? built.has_code : value;
    }
    return filters;
  }

  async function searchPage(page) {
    const params = writeURL(page);
    const { query, sort, chosen } = formSearch(page.fields);
    const mine = ++page.asked;
    if (!query && !sort && !Object.keys(chosen).length) return clearPage(page);
    const said = (count) => (query ? `${plural(count, "paper")} for “${query}”` : plural(count, "paper"));
    page.status.textContent = "Searching…";
    searchWorker(); // its script loads while dpa-search.json does
    try {
      const { year, ...filtered } = chosen; // a year is an index, not a filter
      const filters = pagefindFilters(filtered, await manifest());
      const early = async (found, newest) => {
        if (!(await showPageResults(page, found, mine, false))) return;
        page.status.textContent = `${said(found.total)} in ${newest}; searching earlier years…`;
        announce(page, params, false);
      };
      const found = await searchYears(query, filters, sort, year, early, () => mine !== page.asked);
      if (!found || !(await showPageResults(page, found, mine, true))) return;
      const missing = found.failed.length ? ` (${found.failed.join(", ")} could not be searched)` : "";
      page.status.textContent = said(found.total) + missing;
      announce(page, params, true);
    } catch (error) {
      if (mine === page.asked) page.status.textContent = NO_INDEX;
    }
  }

  function clearPage(page) {
    page.results = { total: 0, take: async () => [] };
    page.showing = 0;
    page.list.replaceChildren();
    page.more.hidden = true;
    page.status.textContent = "Type words from a title, authors, abstract, keywords, organization or arXiv category.";
  }

  /** Tell whoever listens (tests, bench/search_bench.py) which search is on screen. */
  function announce(page, params, final) {
    const detail = { search: params.toString(), final };
    page.form.dispatchEvent(new CustomEvent(SHOWN, { bubbles: true, detail }));
  }

  function resultItem(data) {
    const li = el("li", "dpa-search__result");
    li.append(hit(data));
    return li;
  }

  /** Items for results, reusing those the list shows already for the same search (`mine`). */
  function resultItems(page, data, mine) {
    const shown = new Map();
    if (page.showing === mine) {
      for (const li of page.list.children) shown.set(li.firstChild.getAttribute("href"), li);
    }
    return data.map((d) => {
      const li = shown.get(d.url);
      shown.delete(d.url); // once
      return li || resultItem(d);
    });
  }

  /**
   * Put a search's first page of results on screen; false if something newer came first.
   * "More results" waits for every year's (`final`): the newest year's alone would be paged
   * in an order that every year's results then replace.
   */
  async function showPageResults(page, found, mine, final) {
    const data = await found.take(0, PAGE_RESULTS);
    if (mine !== page.asked) return false; // the newest year's are shown before every year's
    page.results = found;
    page.shown = data.length;
    // Every year's results keep the items of the newest year's that stay on this page.
    page.list.replaceChildren(...resultItems(page, data, mine));
    page.showing = mine;
    page.more.hidden = !final || page.shown >= found.total;
    return true;
  }

  async function showMore(page) {
    const from = page.results;
    page.more.disabled = true; // a second click would ask for the same results again
    try {
      const data = await from.take(page.shown, PAGE_RESULTS);
      if (from !== page.results) return; // another search (or every year's results) came meanwhile
      page.list.append(...data.map(resultItem));
      page.shown += data.length;
      page.more.hidden = page.shown >= from.total;
    } catch (error) {
      // The button stays: the reader may try again.
    } finally {
      page.more.disabled = false;
    }
  }

  /* "/" focuses search, as in Material's own search, unless the reader is typing somewhere. */

  function isTyping(target) {
    return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function slashFocusesSearch(event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (isTyping(event.target)) return;
    const input = document.getElementById("dpa-search-q") || document.getElementById("dpa-sbox-q");
    if (!input) return;
    event.preventDefault();
    input.focus();
    input.select();
  }

  document.addEventListener("keydown", slashFocusesSearch);
  document.querySelectorAll("form[data-dpa-sbox]").forEach(setupBox);
  const searchForm = document.getElementById("dpa-search");
  if (searchForm) setupPage(searchForm);
})();

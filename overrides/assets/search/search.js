/* Search for the Daily Papers Archive: the box in the header of every page and the /search/
   page, on Pagefind's JavaScript API. Pagefind is loaded only when the box gets focus or on
   /search/, so reading a page costs only this file. */
(function () {
  "use strict";

  // This file is <site root>/assets/search/search.js, so the URL the page loaded it from gives
  // the site root wherever the site is served: a host's root, a sub-path, localhost.
  const script = document.currentScript;
  const root = new URL("../../", script ? script.src : location.href);

  const BOX_RESULTS = 6;
  const PAGE_RESULTS = 10; // each shown result downloads its record (about 2 KB)
  const SORTS = { newest: { date: "desc" }, upvotes: { upvotes: "desc" } };
  const TITLE_CHECKED = 3; // results of each year whose titles are compared with the query
  // Words of the query in a paper's title count four times Pagefind's default (5): titles are
  // the best summary of a paper, and with the default an exact title could rank 12th of 22 in
  // its year behind titles sharing most of its words (30,000 sample papers). JSON, so that
  // bench/search_bench.py ranks its comparison index the same way.
  const RANKING = {"metaWeights": {"title": 20}};
  // URL parameter -> Pagefind filter (generator/search.py writes the filters), except `year`,
  // which chooses the year's index to search instead.
  const FILTERS = { year: "year", topic: "topic", org: "organization", code: "code" };
  const HAS_CODE = "yes";

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

  /** pagefind/dpa-search.json: the years that have an index, newest first, and filter values. */
  function manifest() {
    if (!listing) {
      listing = fetch(new URL("pagefind/dpa-search.json", root)).then((response) => {
        if (!response.ok) throw new Error(`dpa-search.json: HTTP ${response.status}`);
        return response.json();
      });
      listing.catch(() => { listing = null; }); // try again on the next search
    }
    return listing;
  }

  const loaded = new Map(); // year -> its Pagefind, loading or loaded

  /** The Pagefind API of one year's index (pagefind/<year>/), loaded and set up once. */
  function pagefind(year) {
    if (!loaded.has(year)) {
      // Each year's bundle has its own pagefind.js: separate modules, so separate indexes
      // (Pagefind's mergeIndex would wait for every year before showing anything).
      const loading = import(new URL(`pagefind/${year}/pagefind.js`, root).href).then(async (pf) => {
        // Records hold site-root-relative URLs ("/2026/05/29/#2605.29801"); Pagefind puts
        // baseUrl in front of them. noWorker: Pagefind's web worker was no faster (2.3 s
        // against 1.8 s to rank 7,000 of 30,000 papers, BENCHMARKS.md) and is a 41 KB script
        // more to download before the first result.
        await pf.options({ baseUrl: root.pathname, excerptLength: 24, noWorker: true, ranking: RANKING });
        await pf.init();
        return pf;
      });
      loading.catch(() => loaded.delete(year));
      loaded.set(year, loading);
    }
    return loaded.get(year);
  }

  /** Start loading what a first search needs: the list of years and the newest year's index. */
  function warmUp() {
    manifest().then((m) => m.year.length && pagefind(m.year[0])).catch(() => {});
  }

  /**
   * Search the newest year first, then the others at once (only `year` when it is given).
   * `early` gets the newest year's hits, if it has any, and older years wait until it has put
   * them on screen: the first results cost one year's index, the same size however old the
   * archive, and nothing else competes for the connection meanwhile. A year whose index does
   * not load is left out (hits.failed names it) rather than failing the others; null when
   * `stale()` says a newer search has begun.
   */
  async function searchYears(query, filters, sort, year, early, stale) {
    const term = query ? terms(query) : null; // no words but a filter or a sort: all that pass
    const { year: all, papers } = await manifest();
    const years = year ? all.filter((y) => y === year) : all;
    const ask = async (y) => {
      try {
        const found = await (await pagefind(y)).search(term, { filters, sort: SORTS[sort] || {} });
        return { year: y, results: found.results, matched: found.unfilteredResultCount, papers: papers[y] };
      } catch (error) {
        return { year: y, results: [], failed: true };
      }
    };
    const merged = (found) => {
      if (found.length && found.every((f) => f.failed)) throw new Error("no index loaded");
      const all = hits(found.filter((f) => !f.failed), sort, query);
      all.failed = found.filter((f) => f.failed).map((f) => f.year);
      return all;
    };
    if (!years.length) return merged([]);
    const newest = await ask(years[0]);
    if (early && years.length > 1 && newest.results.length) await early(merged([newest]), years[0]);
    if (stale && stale()) return null;
    return merged([newest, ...(await Promise.all(years.slice(1).map(ask)))]);
  }

  /**
   * Each year's results' weight for ranking them together. Pagefind weighs a word by how rare
   * it is among the papers of the index searched, so a query whose papers are a little rarer
   * in one year would rank that year's papers above all others. Scaling each year's scores by
   * the query's rarity in all years searched over its rarity in that year puts them back in
   * about the order one index of every paper gives (BENCHMARKS.md, Search).
   */
  function weights(found) {
    const rarity = (papers, matched) => Math.log((papers - matched + 0.5) / (matched + 0.5) + 1);
    const papers = found.reduce((sum, f) => sum + (f.papers || 0), 0);
    const matched = found.reduce((sum, f) => sum + (f.matched || 0), 0);
    const weight = new Map();
    for (const f of found) {
      const own = rarity(f.papers || 0, f.matched || 0);
      const scale = found.length > 1 && own > 0 && f.papers ? rarity(papers, matched) / own : 1;
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
    if (sort !== "upvotes") {
      // Newest: the years are newest first and each is sorted. Relevance: Pagefind's scores,
      // as its own mergeIndex compares them; a stable sort keeps newer years first on a tie.
      const order = found.flatMap((f) => f.results);
      if (!sort) {
        const weight = weights(found);
        order.sort((a, b) => b.score * weight.get(b) - a.score * weight.get(a));
      }
      const ready = sort ? Promise.resolve() : titleFirst(found, order, query);
      ready.catch(() => {}); // reported by take(), if anyone takes
      return {
        total,
        take: async (start, count) => {
          await ready;
          return Promise.all(order.slice(start, start + count).map((r) => r.data()));
        },
      };
    }
    // Most upvoted: each year comes sorted, but the counts are in the records, so the merge
    // reads the next record of every year and takes the largest (a newer year on a tie).
    const heads = found.map((f) => ({ results: f.results, next: 0, data: null }));
    const order = [];
    const votes = (data) => Number((data.meta || {}).upvotes) || 0;
    async function fill(count) {
      while (order.length < count) {
        const open = heads.filter((h) => h.next < h.results.length);
        if (!open.length) return;
        for (const h of open) h.data = h.data || h.results[h.next].data();
        const data = await Promise.all(open.map((h) => h.data));
        let best = 0;
        for (let i = 1; i < open.length; i += 1) if (votes(data[i]) > votes(data[best])) best = i;
        order.push(data[best]);
        open[best].next += 1;
        open[best].data = null;
      }
    }
    let queue = Promise.resolve();
    return {
      total,
      take(start, count) {
        const taken = queue.then(() => fill(start + count)).then(() => order.slice(start, start + count));
        queue = taken.catch(() => {}); // one record that failed to load does not stop the next
        return taken;
      },
    };
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
    link.append(el("span", "dpa-hit__title", meta.title || data.url));
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
    const input = form.querySelector("input[name=q]");
    const list = form.querySelector("[role=listbox]");
    let asked = 0;
    let timer = 0;
    let active = -1;

    const options = () => Array.from(list.querySelectorAll("[role=option]"));
    function open(on) {
      list.hidden = !on;
      input.setAttribute("aria-expanded", on ? "true" : "false");
      if (!on) choose(-1);
    }
    function choose(index) {
      const all = options();
      active = index;
      all.forEach((option, i) => option.setAttribute("aria-selected", i === index ? "true" : "false"));
      if (all[index]) {
        input.setAttribute("aria-activedescendant", all[index].id);
        all[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function note(text) {
      list.replaceChildren(el("p", "dpa-sbox__note", text));
      open(true);
    }

    /**
     * Show the first results of a search, unless a newer one has begun, or unless `final`
     * (every year's, replacing the newest year's) and the reader has chosen one meanwhile.
     */
    async function show(found, query, mine, final) {
      const data = await found.take(0, BOX_RESULTS); // a choice can be made while this loads
      if (mine !== asked || (final && active >= 0)) return;
      if (!data.length) return note(`No papers match “${query}”.`);
      const all = el("a", "dpa-sbox__all", `All ${plural(found.total, "result")} for “${query}” →`);
      all.href = `${form.action}?${new URLSearchParams({ q: query })}`;
      list.replaceChildren(...data.map((d, i) => {
        const option = hit(d);
        option.id = `dpa-sbox-opt-${i}`;
        option.setAttribute("role", "option");
        return option;
      }), all);
      open(true);
      choose(-1);
    }

    async function run() {
      const query = input.value.trim();
      const mine = ++asked;
      if (!query) return open(false);
      try {
        // The newest year's results first; all years' when they are in, unless the reader
        // has meanwhile chosen one of the first (typing clears a choice).
        const early = (found) => show(found, query, mine, false);
        const found = await searchYears(query, {}, "", "", early, () => mine !== asked);
        if (found) await show(found, query, mine, true);
      } catch (error) {
        if (mine === asked) note("Search could not load its index. Try again later.");
      }
    }

    input.addEventListener("focus", () => {
      warmUp(); // while the reader types
      if (input.value.trim() && list.childElementCount) open(true);
    });
    input.addEventListener("input", () => {
      choose(-1); // the chosen result belonged to the words before
      clearTimeout(timer);
      timer = setTimeout(run, 120);
    });
    input.addEventListener("keydown", (event) => {
      const count = options().length;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!count || list.hidden) return;
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        // Positions -1 (the box itself) to count - 1, round and round.
        choose(((active + 1 + step + count + 1) % (count + 1)) - 1);
      } else if (event.key === "Enter" && active >= 0 && !list.hidden) {
        event.preventDefault();
        location.href = options()[active].href;
      } else if (event.key === "Escape") {
        if (!list.hidden) open(false);
        else input.blur();
      }
    });
    // Keep the focus in the box while a result is clicked, so the list stays until the click.
    list.addEventListener("mousedown", (event) => event.preventDefault());
    form.addEventListener("focusout", (event) => {
      if (!form.contains(event.relatedTarget)) open(false);
    });
  }

  /* The /search/ page: query, filters and sort live in the URL, so a search can be shared. */
  function setupPage(form) {
    const status = document.getElementById("dpa-search-status");
    const list = document.getElementById("dpa-search-results");
    const more = document.getElementById("dpa-search-more");
    const fields = form.elements;
    let asked = 0;
    let timer = 0;
    let results = { total: 0, take: async () => [] };
    let shown = 0;
    let marked = false;

    function fromURL() {
      const params = new URLSearchParams(location.search);
      fields.q.value = params.get("q") || "";
      fields.sort.value = SORTS[params.get("sort")] ? params.get("sort") : "";
      fields.code.checked = params.get("code") === "1";
      for (const name of ["year", "topic", "org"]) {
        const value = params.get(name) || "";
        // Options arrive with dpa-search.json; keep a value from the URL selectable until then.
        if (value && !Array.from(fields[name].options).some((o) => o.value === value)) {
          fields[name].append(new Option(value, value));
        }
        fields[name].value = value;
      }
    }

    function toURL() {
      const params = new URLSearchParams();
      for (const name of ["q", "sort", "year", "topic", "org"]) {
        const value = fields[name].value.trim();
        if (value) params.set(name, value);
      }
      if (fields.code.checked) params.set("code", "1");
      const query = params.toString();
      history.replaceState(null, "", query ? `?${query}` : location.pathname);
      return params;
    }

    async function loadFilterValues() {
      try {
        const values = await manifest();
        for (const [name, key] of Object.entries(FILTERS)) {
          const select = fields[name];
          if (!select || select.tagName !== "SELECT") continue;
          const chosen = select.value;
          select.replaceChildren(select.options[0], ...(values[key] || []).map((v) => new Option(v, v)));
          if (chosen && !Array.from(select.options).some((o) => o.value === chosen)) {
            select.append(new Option(chosen, chosen));
          }
          select.value = chosen;
        }
      } catch (error) {
        // The selects keep what the URL asked for; searching still works.
      }
    }

    function item(data) {
      const li = el("li", "dpa-search__result");
      li.append(hit(data));
      return li;
    }

    async function showMore() {
      const from = results;
      more.disabled = true; // a second click would ask for the same results again
      try {
        const data = await from.take(shown, PAGE_RESULTS);
        if (from !== results) return; // another search (or every year's results) came meanwhile
        list.append(...data.map(item));
        shown += data.length;
        more.hidden = shown >= from.total;
      } catch (error) {
        // The button stays: the reader may try again.
      } finally {
        more.disabled = false;
      }
    }

    /**
     * Put a search's first page of results on screen; false if something newer came first.
     * "More results" waits for every year's (`final`): the newest year's alone would be paged
     * in an order that every year's results then replace.
     */
    async function show(found, mine, final) {
      const data = await found.take(0, PAGE_RESULTS);
      if (mine !== asked) return false; // the newest year's are shown before every year's
      results = found;
      shown = data.length;
      list.replaceChildren(...data.map(item));
      more.hidden = !final || shown >= found.total;
      if (!marked) performance.mark("dpa-search-results"); // bench/: the first results
      marked = true;
      return true;
    }

    async function run() {
      const params = toURL();
      const query = fields.q.value.trim();
      const filters = {};
      for (const [name, key] of Object.entries(FILTERS)) {
        const value = name === "code" ? (fields.code.checked ? HAS_CODE : "") : fields[name].value;
        if (value) filters[key] = value;
      }
      const { year, ...others } = filters; // a year is an index of its own, not a filter
      const sort = SORTS[fields.sort.value] ? fields.sort.value : "";
      const mine = ++asked;
      if (!query && !Object.keys(filters).length && !sort) {
        results = { total: 0, take: async () => [] };
        list.replaceChildren();
        more.hidden = true;
        status.textContent = "Type words from a title, authors, abstract, keywords, organization or arXiv category.";
        return;
      }
      const said = (count) => (query ? `${plural(count, "paper")} for “${query}”` : plural(count, "paper"));
      status.textContent = "Searching…";
      try {
        const first = async (found, newest) => {
          if (await show(found, mine, false)) {
            status.textContent = `${said(found.total)} in ${newest}; searching earlier years…`;
          }
        };
        const found = await searchYears(query, others, sort, year, first, () => mine !== asked);
        if (!found || !(await show(found, mine, true))) return;
        const missing = found.failed.length ? ` (${found.failed.join(", ")} could not be searched)` : "";
        status.textContent = said(found.total) + missing;
        // For tests and bench/search_bench.py: which search is on screen, and since when.
        document.documentElement.dataset.dpaSearch = params.toString();
        performance.mark("dpa-search-all");
      } catch (error) {
        if (mine === asked) status.textContent = "Search could not load its index. Try again later.";
      }
    }

    fromURL();
    run();
    loadFilterValues(); // from dpa-search.json, which the search loads anyway
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearTimeout(timer);
      run();
    });
    fields.q.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(run, 200);
    });
    for (const name of ["sort", "year", "topic", "org", "code"]) {
      fields[name].addEventListener("change", run);
    }
    more.addEventListener("click", () => showMore());
    window.addEventListener("popstate", () => {
      fromURL();
      run();
    });
  }

  // "/" focuses search, as in Material's own search, unless the reader is typing somewhere.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const target = event.target;
    if (target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    const input = document.getElementById("dpa-search-q") || document.getElementById("dpa-sbox-q");
    if (!input) return;
    event.preventDefault();
    input.focus();
    input.select();
  });

  document.querySelectorAll("form[data-dpa-sbox]").forEach(setupBox);
  const page = document.getElementById("dpa-search");
  if (page) setupPage(page);
})();

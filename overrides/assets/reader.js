/* Reader tools: Save, Cite, the saved page, watch and mute, new since the last visit, keys.
   Kept in localStorage under the site's path, sent nowhere. Every control is made here:
   without this script, or its storage, each page is as complete. */
(function () {
  "use strict";
  const html = document.documentElement;
  try {
    start();
  } finally {
    html.classList.remove("dpa-wait"); // main.html's snippet hid the lists until now
  }

  function start() {
    const script = document.currentScript;
    // Paths from generator/urls.py, on the script tag; this is <root>/assets/reader.js.
    const root = new URL("../", script.src);
    const pattern = (name) => script.dataset[name] || "";
    const ARXIV = "https://arxiv.org/abs/";
    const V = 1; // the stored shape's version
    const KEY = root.pathname + "dpa-"; // + rules, saved, seen (main.html reads KEY + "rules")
    const NAMES = { rules: "watch and mute lists", saved: "saved papers", seen: "papers seen" };
    const WORD = /[\p{L}\p{N}_]+/gu; // Python's \w, as generator/topics.Words splits
    const DAY = /^\d{4}-\d\d-\d\d$/;
    const ID = /^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?\/\d{7})$/;
    const VISIT_GAP = 30 * 60e3; // a longer pause starts a new visit
    const SEEN_MAX = 6000; // ids remembered as seen (about 65 KB)
    const locked = new Set(); // stores that could not be read nor set aside: never written

    // ---- The store: every call may throw; what cannot be read is set aside, never lost.

    const attempt = (f, otherwise) => {
      try {
        return f();
      } catch (error) {
        return otherwise;
      }
    };
    // Off, refused or full: then only what needs no storage.
    const storage = attempt(() => {
      localStorage.setItem(KEY + "probe", "1");
      localStorage.removeItem(KEY + "probe");
      return localStorage;
    }, null);
    const raw = (key) => attempt(() => storage.getItem(key), null);
    const put = (key, text) => attempt(() => (storage.setItem(key, text), true), false);

    const strings = (list) => Array.isArray(list) && list.every((s) => typeof s === "string");
    const SHAPES = {
      rules: (v) => strings(v.watch) && strings(v.mute),
      saved: (v) => Array.isArray(v.papers) && v.papers.every(isRecord),
      seen: (v) => typeof v.ids === "string" && typeof v.fresh === "string" && v.at > 0,
    };
    const EMPTY = {
      rules: () => ({ watch: [], mute: [] }),
      saved: () => ({ papers: [] }),
      seen: () => ({ ids: "", fresh: "", at: 0, day: "", since: "" }),
    };

    function load(name) {
      const key = KEY + name;
      const text = storage && !locked.has(name) ? raw(key) : null;
      if (text === null) return EMPTY[name]();
      const value = attempt(() => JSON.parse(text), null);
      if (value && typeof value === "object" && value.v === V && SHAPES[name](value)) return value;
      if (value && value.v > V) {
        locked.add(name); // written by a newer version of this script: left for it
        return EMPTY[name]();
      }
      const backup = `${key}.unreadable-${new Date().toISOString().slice(0, 19)}`;
      locked.add(name);
      if (put(backup, text)) {
        attempt(() => (storage.removeItem(key), locked.delete(name)));
        notice(`Your saved settings (${NAMES[name]}) could not be read; a copy was kept as “${backup}”.`);
      } else {
        notice(`Your saved settings (${NAMES[name]}) could not be read; they were left as they are.`);
      }
      return EMPTY[name]();
    }

    function save(name, value) {
      if (!storage || locked.has(name)) return false;
      if (put(KEY + name, JSON.stringify({ ...value, v: V }))) return true;
      notice("Your browser would not keep this change: its storage for this site is full or off.");
      return false;
    }

    // ---- Small DOM helpers: text always as text.

    function el(tag, attrs, ...children) {
      const node = document.createElement(tag);
      for (const [name, value] of Object.entries(attrs || {})) {
        if (name === "on") node.addEventListener(tag === "input" ? "change" : "click", value);
        else if (value !== null && value !== undefined) node.setAttribute(name, value);
      }
      node.append(...children.filter((c) => c !== null && c !== undefined));
      return node;
    }

    const button = (label, on, attrs) => el("button", { type: "button", class: "dpa-btn", on, ...attrs }, ...[].concat(label));
    const hidden = (text) => el("span", { class: "dpa-vh" }, text);
    let notices = null;

    function notice(text) {
      if (!notices) {
        notices = el("div", { class: "dpa-notices", role: "status" });
        (document.querySelector(".md-content__inner") || document.body).prepend(notices);
      }
      notices.append(el("p", { class: "dpa-notice" }, text));
    }

    let toastTimer = 0;
    const toastBox = el("div", { class: "dpa-toast", role: "status" });
    document.body.append(toastBox);
    function toast(text) {
      toastBox.textContent = text;
      clearTimeout(toastTimer);
      toastTimer = setTimeout(() => (toastBox.textContent = ""), 4000);
    }

    /** A modal dialog with a Close button; removed once closed. */
    function dialog(title, ...content) {
      const id = "dpa-d" + Math.random().toString(36).slice(2);
      const box = el("dialog", { class: "dpa-dialog", "aria-labelledby": id },
        el("h2", { id }, title), ...content,
        el("p", { class: "dpa-row" }, button("Close", () => box.close())));
      box.addEventListener("close", () => box.remove());
      document.body.append(box);
      box.showModal();
      return box;
    }

    // ---- Papers: day page sections, and list items linking to a permalink.

    /** A URL's path below the site root ("2025/06/09/"), or null elsewhere. */
    function below(href) {
      const url = new URL(href, location.href);
      if (url.origin !== root.origin || !url.pathname.startsWith(root.pathname)) return null;
      return url.pathname.slice(root.pathname.length).replace(/index\.html$/, "");
    }

    /** "2025-06-09" for a day page's path, or null. */
    function dayOf(path) {
      const m = /^(\d{4})\/(\d\d)\/(\d\d)\/$/.exec(path || "");
      return m && `${m[1]}-${m[2]}-${m[3]}`;
    }

    const here = below(location.href);
    const today = dayOf(here);
    const papers = [];
    if (today) {
      for (const s of document.querySelectorAll("section.dpa-paper[id]")) {
        const box = s.querySelector(".dpa-authors");
        let authors = "";
        if (box) {
          const copy = box.cloneNode(true);
          copy.querySelectorAll("summary").forEach((x) => x.replaceWith(", "));
          authors = copy.textContent;
        }
        const org = s.querySelector('.dpa-meta a[href^="https://huggingface.co/"]');
        papers.push({
          el: s, id: s.id, day: today, link: here + "#" + s.id, title: s.querySelector("h2 a"),
          fields: [...s.querySelectorAll("h2 a, .dpa-summary, .dpa-abstract")],
          authors: authors.split(",").map((a) => a.trim()).filter(Boolean),
          org: org ? decodeURIComponent(new URL(org.href).pathname.slice(1)).toLowerCase() : "",
          topics: (s.dataset.topics || "").split(" "),
        });
      }
    }
    for (const li of document.querySelectorAll("ol.dpa-list > li")) {
      const a = li.querySelector("a");
      const url = a && new URL(a.href);
      const path = url && below(url.href.split("#")[0]);
      const id = url && decodeURIComponent(url.hash.slice(1));
      if (!dayOf(path) || !ID.test(id)) continue;
      const by = li.querySelector(".dpa-by");
      papers.push({
        el: li, id, day: dayOf(path), link: path + "#" + id, title: a,
        fields: [a, ...li.querySelectorAll(".dpa-gist")],
        authors: by ? by.textContent.replace(/ \+\d+$/, "").split(",").map((x) => x.trim()) : [],
        org: "",
        topics: (li.dataset.topics || "").split(" "),
      });
    }

    // ---- Records: from the day's JSON, else what the page shows.

    const fetched = new Map();
    function dayFile(which, day) {
      const [y, m, d] = day.split("-");
      const url = new URL(pattern(which).replace("YYYY", y).replace("MM", m).replace("DD", d), location.href);
      if (!fetched.has(url.href)) {
        const loading = fetch(url).then((r) => (r.ok ? (which === "dayBib" ? r.text() : r.json()) : null));
        fetched.set(url.href, loading.catch(() => null));
      }
      return fetched.get(url.href);
    }

    const linkable = (u) => typeof u === "string" && /^https?:\/\/[^\s"'<>]+$/.test(u);

    // Null when the data cannot be had or is not in data.py's shape.
    async function fullRecord(id, day, link) {
      const data = await dayFile("dayData", day);
      return attempt(() => record(data, id, day, link), null);
    }

    function record(data, id, day, link) {
      const p = data && Array.isArray(data.papers) && data.papers.find((x) => x && x.id === id);
      if (!p) return null;
      const arxiv = p.arxiv || {};
      const record = {
        id, title: String(p.title), authors: (p.authors || []).map(String), day, link,
        published: DAY.test(p.published) ? p.published : undefined,
        category: arxiv.primary_category || (arxiv.categories || [])[0] || undefined,
        github: linkable(p.github) ? p.github : undefined,
        project: linkable(p.project_page) ? p.project_page : undefined,
        saved: Date.now(),
      };
      return isRecord(record) ? record : null;
    }

    function pageRecord(p) {
      const title = p.title.textContent.replace(/\s+/g, " ").trim();
      return { id: p.id, title, authors: p.authors, day: p.day, link: p.link, saved: Date.now(), incomplete: true };
    }

    function isRecord(r) {
      const optional = (v, test) => v === undefined || test(v);
      const str = (v) => typeof v === "string";
      const inside = (link) => attempt(() => /^[^/#?:][^?:]*#./.test(link) && new URL(link, root).href.startsWith(root.href), false);
      return !!r && typeof r === "object" && ID.test(r.id) && str(r.title) && r.title.length > 0 &&
        strings(r.authors) && DAY.test(r.day) && str(r.link) && inside(r.link) && r.saved > 0 &&
        optional(r.published, (v) => DAY.test(v)) && optional(r.category, str) &&
        optional(r.github, linkable) && optional(r.project, linkable) && optional(r.incomplete, (v) => v === true);
    }

    // ---- Citations: BibTeX as generator/citations.py writes the days' .bib files, and RIS.
    // The same rules as there (tests/test_reader_browser.py compares the two).

    const WS = "[\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+"; // str.split()'s
    const spaces = (t) => String(t).split(new RegExp(WS)).filter(Boolean).join(" ");
    const MATH = /(?<![\\$])\$(?=\S)([^$\n]{1,200}?)(?<=\S)\$(?![\p{Nd}$])/gu;
    const ESCAPES = { "\\": "\\textbackslash{}", "{": "\\textbraceleft{}", "}": "\\textbraceright{}", "~": "\\textasciitilde{}", "^": "\\textasciicircum{}" };
    const escapeText = (t) => t.replace(/[\\{}~^&%$#_]/g, (c) => ESCAPES[c] || "\\" + c);
    const SYMBOLS = new Set([...",;:! {}|%&#_$"].map((c) => "\\" + c));
    const COMMANDS = new Set(`alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu
      xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta
      Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega
      mathcal mathbf mathbb mathrm mathit mathsf mathtt mathfrak mathscr boldsymbol bm
      text textbf textit textrm textsf texttt textsc emph operatorname
      frac dfrac tfrac sqrt sum prod int oint lim limsup liminf sup inf log ln exp sin cos tan
      min max arg det dim ker mod bmod pmod gcd Pr
      leq geq le ge neq ne ll gg approx sim simeq cong equiv propto times cdot div pm mp ast
      star circ bullet oplus otimes odot in notin ni subset subseteq supset supseteq cup cap
      setminus emptyset varnothing forall exists nabla partial infty ell hbar Re Im
      to rightarrow leftarrow Rightarrow Leftarrow leftrightarrow Leftrightarrow mapsto
      longrightarrow longleftarrow uparrow downarrow
      ldots cdots dots vdots ddots hat tilde bar vec dot ddot widehat widetilde overline
      underline overrightarrow left right big Big bigl bigr Bigl Bigr langle rangle lfloor
      rfloor lceil rceil mid parallel perp top bot quad qquad prime vert Vert lvert rvert
      lVert rVert textstyle displaystyle scriptstyle`.split(/\s+/));
    const STOPWORDS = new Set(`a an the and or but nor of for to in on at by with from into onto over under via as
      is are was were be been being it its this that these those we our you your do does did
      can could should would will how what when where which who whom why all any not no vs
      than then so if towards toward through within without about after before between`.split(/\s+/));

    /** Math kept as it is, or null when it is not plainly safe to keep (as _safe_math). */
    function escapeMath(latex) {
      let depth = 0;
      for (const c of latex) {
        depth += (c === "{") - (c === "}");
        if (depth < 0) return null;
      }
      if (depth || latex.includes("^^")) return null; // ^^5c is TeX's other backslash
      for (const t of latex.match(/\\[A-Za-z]+|\\.|\\$|[%#&]/gu) || []) {
        if (t[0] !== "\\" || ([...t].length > 2 ? !COMMANDS.has(t.slice(1)) : !SYMBOLS.has(t))) return null;
      }
      return latex;
    }

    /** Text as LaTeX for a BibTeX field: escaped, its safe $...$ math kept. */
    function latex(text) {
      text = spaces(text);
      if (!text.includes("$")) return escapeText(text);
      let out = "", at = 0;
      for (const m of text.matchAll(MATH)) {
        const math = escapeMath(m[1]);
        if (math === null) continue;
        out += escapeText(text.slice(at, m.index)) + "$" + math + "$";
        at = m.index + m[0].length;
      }
      return out + escapeText(text.slice(at));
    }

    const ascii = (w) => w.normalize("NFKD").replace(/[^\0-\x7f]/g, "").toLowerCase().replace(/[^a-z0-9]/g, "");

    function year(r) {
      if (r.published) return Number(r.published.slice(0, 4));
      const m = /^(?:[a-z.-]+(?:\.[A-Z]{2})?\/)?(\d{2})(\d{2})/.exec(r.id);
      return m ? (Number(m[1]) >= 91 ? 1900 : 2000) + Number(m[1]) : null;
    }

    function citeKey(r) {
      const names = (r.authors[0] || "").split(",")[0].split(new RegExp(WS)).filter(Boolean);
      const last = names.length ? ascii(names[names.length - 1]) : "";
      const title = r.title.replace(MATH, " ").replace(/\\[A-Za-z]+/g, " ");
      const words = title.split(new RegExp(WS)).map(ascii).filter((w) => w && !STOPWORDS.has(w)).slice(0, 2);
      return `${last || "anon"}${year(r) || ""}${words.join("")}`;
    }

    function bibtex(r, key) {
      const title = latex(r.title);
      const fields = [["title", "{" + (title.startsWith("\\") ? "{}" : "") + title + "}"]];
      const authors = r.authors.filter((a) => spaces(a)).map((a) => {
        const name = escapeText(spaces(a)).replace(/(?<!\S)and(?!\S)/gi, "{$&}");
        return name.includes(",") ? "{" + name + "}" : name;
      });
      if (authors.length) fields.push(["author", authors.join(" and ")]);
      if (year(r)) fields.push(["year", String(year(r))]);
      fields.push(["eprint", escapeText(r.id)], ["archivePrefix", "arXiv"]);
      if (r.category) fields.push(["primaryClass", escapeText(r.category)]);
      fields.push(["url", escapeText(ARXIV + r.id)]);
      return `@misc{${key || citeKey(r)},\n${fields.map(([k, v]) => `  ${k}={${v}},\n`).join("")}}\n`;
    }

    /** Several entries, their keys made unique as citations.unique_keys does: a, b, ... */
    function bibtexAll(records) {
      const used = new Set();
      const suffix = (n) => {
        let letters = "";
        for (n += 1; n; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(97 + ((n - 1) % 26)) + letters;
        return letters;
      };
      return records.map((r) => {
        const base = citeKey(r);
        let key = base;
        for (let n = 0; used.has(key); n++) key = base + suffix(n);
        used.add(key);
        return bibtex(r, key);
      }).join("\n");
    }

    function ris(r) {
      const line = (tag, value) => `${tag}  - ${String(value).replace(/\s+/g, " ").trim()}\n`;
      let text = line("TY", "UNPB") + line("TI", r.title) + r.authors.map((a) => line("AU", a)).join("");
      if (year(r)) text += line("PY", year(r));
      if (r.published) text += line("DA", r.published.replace(/-/g, "/"));
      text += line("UR", ARXIV + r.id) + line("AN", "arXiv:" + r.id) + line("DB", "arXiv");
      if (r.category) text += line("KW", r.category);
      for (const u of [r.github, r.project]) if (u) text += line("UR", u);
      return text + "ER  - \n";
    }

    /** A paper's BibTeX: the day's .bib file's entry, else built from its record. */
    async function entry(p) {
      const bib = await dayFile("dayBib", p.day);
      const mark = new RegExp(`^  eprint=\\{${p.id.replace(/[.]/g, "\\.")}\\},$`, "m");
      const found = bib && bib.split(/\n(?=@)/).find((e) => mark.test(e));
      if (found) return found.trim() + "\n";
      const saved = load("saved").papers.find((r) => r.id === p.id);
      return bibtex((await fullRecord(p.id, p.day, p.link)) || saved || pageRecord(p));
    }

    async function cite(p) {
      const text = await entry(p);
      try {
        await navigator.clipboard.writeText(text);
        toast(`BibTeX entry copied: ${p.id}`);
      } catch (error) {
        const area = el("textarea", { class: "dpa-cite-text", rows: 9, readonly: "", "aria-label": "BibTeX entry" }, text);
        dialog("Cite this paper", el("p", {}, "Copy this BibTeX entry (Ctrl+C or ⌘C):"), area);
        area.select();
      }
    }

    // ---- Save and Cite on every paper.

    const savedIds = () => new Set(load("saved").papers.map((r) => r.id));
    function pressed(id, on) {
      for (const p of papers) if (p.id === id && p.save) p.save.setAttribute("aria-pressed", on);
    }

    async function toggleSave(p) {
      const data = load("saved");
      if (data.papers.some((r) => r.id === p.id)) {
        data.papers = data.papers.filter((r) => r.id !== p.id);
        if (save("saved", data)) pressed(p.id, false);
        return;
      }
      data.papers.unshift(pageRecord(p)); // kept at once; completed when the day's data comes
      if (!save("saved", data)) return;
      pressed(p.id, true);
      const full = await fullRecord(p.id, p.day, p.link);
      const now = load("saved");
      const at = now.papers.findIndex((r) => r.id === p.id);
      if (full && at >= 0) {
        now.papers[at] = { ...full, saved: now.papers[at].saved };
        save("saved", now);
      }
    }

    const mine = storage ? savedIds() : new Set();
    for (const p of papers) {
      const name = hidden(" " + p.title.textContent);
      // A list item's empty slot has the buttons' size (reader.css): filling it moves nothing.
      const tools = p.el.querySelector(":scope > .dpa-tools") || el("span", { class: "dpa-tools" });
      if (storage) {
        p.save = button(["Save", name.cloneNode(true)], () => toggleSave(p), { class: "dpa-btn dpa-save", "aria-pressed": mine.has(p.id) });
        tools.append(p.save);
      }
      tools.append(button(["Cite", name], () => cite(p)));
      if (tools.parentElement) continue;
      const links = p.el.querySelector(".dpa-links");
      if (links) links.append(" ", tools);
      else (p.el.querySelector(".dpa-votes") || p.title).after(" ", tools);
    }

    // ---- Watch and mute: the same whole-word rules as content/topics.yml's words.

    /** Text as generator/topics.Words sees it: lower-case words, and the set of them. */
    function words(text) {
      const tokens = String(text).toLowerCase().match(WORD) || [];
      return { tokens: new Set(tokens), text: " " + tokens.join(" ") + " " };
    }

    /** A phrase as topics.topic_from_checked makes it: its words, or one pattern with a *. */
    function phrase(text) {
      const p = String(text).trim().toLowerCase();
      if (!p.includes("*")) return p.match(WORD) || [];
      return /^\*?[\p{L}\p{N}_]+\*?$/u.test(p) ? [p] : []; // as in topics.yml: * at a word's ends only
    }

    function wild(pattern, token) {
      const core = pattern.replace(/^\*+|\*+$/g, "");
      if (pattern.startsWith("*") && pattern.endsWith("*")) return token.includes(core);
      return pattern.startsWith("*") ? token.endsWith(core) : token.startsWith(core);
    }

    /** Whether the words hold the phrase (topics.Words.has). */
    function has(w, ph) {
      if (!ph.length) return false;
      if (ph[0].includes("*")) return [...w.tokens].some((t) => wild(ph[0], t));
      if (!ph.every((t) => w.tokens.has(t))) return false;
      return ph.length === 1 || w.text.includes(" " + ph.join(" ") + " ");
    }
    // For the tests: the matcher, and the BibTeX of a paper of a day's JSON.
    window.dpaReader = Object.freeze({
      matches: (text, term) => has(words(text), phrase(term)),
      bibtex: (data, id) => bibtex(record(data, id, "2000-01-01", "x/#" + id)),
    });

    /** The regular expression that finds a phrase in text, to mark it. */
    function finder(ph) {
      const w = "[\\p{L}\\p{N}_]";
      const quote = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
      let body = ph.map(quote).join(`[^\\p{L}\\p{N}_]+`);
      if (ph[0].includes("*")) {
        const core = ph[0].replace(/^\*+|\*+$/g, "");
        if (!core) return null;
        body = (ph[0].startsWith("*") ? w + "*" : "") + quote(core) + (ph[0].endsWith("*") ? w + "*" : "");
      }
      return `(?<!${w})${body}(?!${w})`;
    }

    /** A watch or mute term as a test: words, author:, org:, topic:. */
    function rule(term) {
      const m = /^(author|org|topic):\s*(.+)$/i.exec(term.trim());
      const kind = m ? m[1].toLowerCase() : "words";
      const value = m ? m[2].trim() : term;
      const ph = phrase(value);
      if (kind === "org") return { test: (p) => p.org === value.toLowerCase() };
      if (kind === "topic") return { test: (p) => p.topics.includes(value.toLowerCase()) }; // data-topics, from topics.yml
      if (!ph.length) return null;
      if (kind === "author") return { test: (p) => p.authors.some((a) => has(words(a), ph)) };
      const find = finder(ph);
      return { find, test: (p) => has(p.words || (p.words = words(p.fields.map(ownText).join(" "))), ph) };
    }

    function ownText(node) {
      const copy = node.cloneNode(true);
      copy.querySelectorAll(".dpa-tools, strong:first-child, math").forEach((x) => x.remove());
      return copy.textContent;
    }

    /** <mark> what the expression finds in the paper's fields, text node by text node. */
    function highlight(p, re) {
      for (const field of p.fields) {
        const walk = document.createTreeWalker(field, NodeFilter.SHOW_TEXT);
        const nodes = [];
        while (walk.nextNode()) nodes.push(walk.currentNode);
        for (let node of nodes) {
          if (node.parentElement.closest("math, mark, .dpa-tools, .dpa-summary > strong")) continue;
          const hits = [...node.data.matchAll(re)].filter((h) => h[0]);
          let at = 0;
          for (const h of hits) {
            const found = node.splitText(h.index - at);
            node = found.splitText(h[0].length);
            at = h.index + h[0].length;
            const mark = el("mark", { class: "dpa-mk" });
            found.replaceWith(mark);
            mark.append(found);
          }
        }
      }
    }

    function badge(p, text) {
      p.title.after(" ", el("span", { class: "dpa-badge" }, text));
    }

    function fold(p) {
      p.el.classList.add("dpa-muted");
      const toggle = button("Muted · show", () => {
        const open = p.el.classList.toggle("dpa-open");
        toggle.setAttribute("aria-expanded", open);
        toggle.firstChild.data = open ? "Muted · hide" : "Muted · show";
      }, { class: "dpa-btn dpa-unmute", "aria-expanded": "false" });
      toggle.append(hidden(" " + p.title.textContent));
      (p.el.querySelector("h2") || p.el).prepend(toggle);
    }

    function rulesNow() {
      const rules = load("rules");
      return [rules.watch.map(rule).filter(Boolean), rules.mute.map(rule).filter(Boolean)];
    }

    /** Mark watched papers, fold muted ones: [watched, muted count]. */
    function mark(list, watch, mute) {
      const watched = [];
      let muted = 0;
      for (const p of list) {
        const hits = watch.filter((r) => r.test(p));
        if (hits.length) {
          p.el.classList.add("dpa-watched");
          badge(p, "Watched");
          const finds = hits.map((r) => r.find).filter(Boolean);
          if (finds.length) highlight(p, new RegExp(finds.join("|"), "giu"));
          watched.push(p);
        } else if (mute.some((r) => r.test(p))) {
          fold(p);
          muted += 1;
        }
      }
      return [watched, muted];
    }

    function applyRules() {
      const [watch, mute] = rulesNow();
      if (!watch.length && !mute.length) return;
      const [watched, muted] = mark(papers, watch, mute);
      const head = document.querySelector(".dpa-head");
      const sections = papers.filter((p) => p.el.matches("section"));
      if (today && head && sections.length) {
        // "3 of 19 papers match your watch list: <links>" (and how many are muted).
        const mine = watched.filter((p) => sections.includes(p));
        const of = (n) => `${n} of ${sections.length} paper${sections.length === 1 ? "" : "s"}`;
        const line = el("p", { class: "dpa-watchsum" });
        if (watch.length) line.append(`${of(mine.length)} match${sections.length === 1 ? "es" : ""} your watch list${mine.length ? ": " : "."}`);
        mine.forEach((p, i) => line.append(i ? " · " : "", el("a", { href: "#" + p.id }, p.title.textContent)));
        if (muted) line.append(watch.length ? ` (${muted} muted)` : `${of(muted)} muted.`);
        if (line.firstChild) head.after(line);
      }
    }

    // ---- New since the last visit (home and day pages).

    function newSinceLastVisit() {
      const home = document.querySelector("#latest a");
      if (!home && !today) return;
      const seen = load("seen");
      const now = Date.now();
      const first = !seen.at;
      if (now - seen.at > VISIT_GAP) {
        seen.since = seen.day; // the latest day the last visit's home page showed
        seen.fresh = "";
      }
      const ids = new Set(seen.ids.split(" ").filter(Boolean));
      const fresh = new Set(seen.fresh.split(" ").filter(Boolean));
      for (const p of papers) {
        if (first) ids.add(p.id);
        else if (!ids.has(p.id) || fresh.has(p.id)) {
          if (!p.el.querySelector(".dpa-new")) p.title.after(" ", el("span", { class: "dpa-badge dpa-new" }, "New"));
          ids.add(p.id);
          fresh.add(p.id);
        }
      }
      if (home) {
        const days = [home, ...document.querySelectorAll("ul.dpa-days a")];
        const latest = dayOf(below(home.href));
        if (latest > seen.day || !seen.day) seen.day = latest;
        const since = seen.since && days.filter((a) => dayOf(below(a.href)) > seen.since);
        if (since && since.length) {
          const line = el("p", { class: "dpa-since" }, `${since.length === days.length ? "At least " : ""}${since.length} list day${since.length === 1 ? "" : "s"} since your last visit: `);
          since.forEach((a, i) => line.append(i ? " · " : "", el("a", { href: a.getAttribute("href") }, a.textContent)));
          document.querySelector(".dpa-head").after(line);
        }
      }
      const list = [...ids];
      seen.ids = list.slice(-SEEN_MAX).join(" ");
      seen.fresh = [...fresh].slice(-500).join(" ");
      seen.at = now;
      save("seen", seen);
    }

    // ---- The panel: watch and mute lists, their file and link, saved papers.

    const lines = (text) => [...new Set(text.split("\n").map((t) => t.trim()).filter(Boolean))].slice(0, 300);

    function download(name, type, text) {
      const a = el("a", { href: URL.createObjectURL(new Blob([text], { type })), download: name });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 5000);
    }

    function shareLink(rules) {
      const q = new URLSearchParams();
      if (rules.watch.length) q.set("watch", rules.watch.join("\n"));
      if (rules.mute.length) q.set("mute", rules.mute.join("\n"));
      return root.href + "#" + q.toString();
    }

    /** Add terms to the lists (or put them instead); how many were new. */
    function addRules(watch, mute, replace) {
      const rules = replace ? EMPTY.rules() : load("rules");
      const before = rules.watch.length + rules.mute.length;
      rules.watch = lines([...rules.watch, ...watch].join("\n"));
      rules.mute = lines([...rules.mute, ...mute].join("\n"));
      return save("rules", rules) ? rules.watch.length + rules.mute.length - before : -1;
    }

    /** A file of rules or saved papers, as exported here, merged into the store. */
    function importFile(input) {
      const file = input.files && input.files[0];
      if (!file) return;
      file.text().then((text) => {
        const data = attempt(() => JSON.parse(text), null);
        input.value = "";
        if (data && data.format === "dpa-rules" && strings(data.watch) && strings(data.mute)) {
          const added = addRules(data.watch, data.mute, false);
          if (added >= 0) toast(`Imported the watch and mute lists: ${added} new term${added === 1 ? "" : "s"}.`);
          if (added >= 0) setTimeout(() => location.reload(), 600);
        } else if (data && data.format === "dpa-saved" && Array.isArray(data.papers)) {
          // Only the known fields are kept, each id once: a file is anyone's.
          const keep = "id title authors day link saved published category github project incomplete".split(" ");
          const good = data.papers.filter(isRecord).map((r) => Object.fromEntries(keep.filter((k) => r[k] !== undefined).map((k) => [k, r[k]])));
          const store = load("saved");
          const known = new Map(store.papers.map((r) => [r.id, r]));
          let added = 0;
          for (const r of good) {
            const have = known.get(r.id);
            if (!have) (added += 1), store.papers.push(r), known.set(r.id, r);
            else if (have.incomplete && !r.incomplete) Object.assign(have, r, { saved: have.saved, incomplete: undefined });
          }
          const skipped = data.papers.length - good.length;
          if (save("saved", store)) {
            toast(`Imported ${added} saved paper${added === 1 ? "" : "s"}${skipped ? `; ${skipped} entr${skipped === 1 ? "y was" : "ies were"} not valid and left out` : ""}.`);
            renderSaved();
          }
        } else {
          toast("That file is not an export of saved papers or watch lists.");
        }
      });
    }

    function panel() {
      const rules = load("rules");
      const area = (id, label, list) => [el("label", { for: id }, label), el("textarea", { id, rows: 4, spellcheck: "false" }, list.join("\n"))];
      const file = el("input", { type: "file", accept: ".json,application/json", hidden: "", on: () => importFile(file) });
      const count = load("saved").papers.length;
      const box = dialog("Watch and mute",
        el("p", {}, "One term a line. Words and phrases match whole words of titles, abstracts and AI summaries, as topics do: “robot” does not find “robotics”, “robot*” does. Also author:Name, org:handle and topic:slug. A paper both watched and muted is shown."),
        ...area("dpa-watch", "Watch", rules.watch), ...area("dpa-mute", "Mute", rules.mute),
        el("p", { class: "dpa-row" },
          button("Apply", () => {
            const fresh = { watch: lines(box.querySelector("#dpa-watch").value), mute: lines(box.querySelector("#dpa-mute").value) };
            if (save("rules", fresh)) location.reload();
          }, { class: "dpa-btn dpa-primary" }),
          button("Export", () => download("watch-and-mute.json", "application/json", JSON.stringify({ format: "dpa-rules", v: V, ...load("rules") }, null, 1))),
          button("Import", () => file.click()), file,
          button("Copy link", () => {
            const link = shareLink(load("rules"));
            navigator.clipboard.writeText(link).then(() => toast("Link copied: it offers your lists to whoever opens it."), () => {
              const out = el("input", { value: link, readonly: "", "aria-label": "Link to your watch and mute lists", class: "dpa-link" });
              box.querySelector(".dpa-row").after(out);
              out.select();
            });
          })),
        el("p", {}, el("a", { href: new URL(pattern("saved"), location.href).href }, `Saved papers (${count})`), " · Press ? for keys."));
      return box;
    }

    /** A shared #watch=...&mute=... link: applied if the reader says so. */
    function offered() {
      if (!/^#(watch|mute)=/.test(location.hash)) return;
      const q = new URLSearchParams(location.hash.slice(1));
      const watch = lines(q.get("watch") || ""), mute = lines(q.get("mute") || "");
      history.replaceState(null, "", location.pathname + location.search);
      const list = (name, terms) => terms.length ? el("p", {}, el("strong", {}, name + ": "), terms.join(" · ")) : null;
      const done = (replace) => () => addRules(watch, mute, replace) >= 0 && location.reload();
      const box = dialog("Use these watch and mute lists?",
        el("p", {}, "A link offers these lists. They are kept in this browser only."),
        list("Watch", watch), list("Mute", mute),
        el("p", { class: "dpa-row" }, button("Add to mine", done(false), { class: "dpa-btn dpa-primary" }), button("Replace mine", done(true))));
      box.querySelector(".dpa-primary").focus();
    }

    // ---- The saved papers page.

    const savedBox = document.getElementById("dpa-saved");
    function renderSaved() {
      if (!savedBox) return;
      if (!storage) {
        savedBox.replaceChildren(el("p", {}, "This browser does not let the site keep anything (its storage is off), so no papers can be saved here."));
        return;
      }
      const list = load("saved").papers.slice().sort((a, b) => b.saved - a.saved);
      const file = el("input", { type: "file", accept: ".json,application/json", id: "dpa-saved-file", on: () => importFile(file) });
      const all = (make) => list.map(make).join("\n");
      const exports = el("p", { class: "dpa-row" },
        button("BibTeX", () => download("saved-papers.bib", "application/x-bibtex", bibtexAll(list))),
        button("RIS", () => download("saved-papers.ris", "application/x-research-info-systems", all(ris))),
        button("JSON", () => download("saved-papers.json", "application/json", JSON.stringify({ format: "dpa-saved", v: V, papers: list }, null, 1))));
      exports.prepend(`Download all ${list.length}: `);
      const items = list.map((r) => {
        const link = new URL(r.link, root);
        const day = new URL(link.pathname, root);
        return el("li", { "data-id": r.id },
          el("a", { href: link.href }, r.title), r.incomplete ? el("span", { class: "dpa-by" }, " (as the page showed it)") : null,
          el("br"), el("span", { class: "dpa-by" }, r.authors.join(", ")), el("br"),
          el("span", { class: "dpa-day" }, "Listed ", el("a", { href: day.href }, r.day), " · ", el("a", { href: ARXIV + r.id }, "arXiv " + r.id),
            ...(r.github ? [" · ", el("a", { href: r.github }, "GitHub")] : []), ...(r.project ? [" · ", el("a", { href: r.project }, "Project page")] : [])),
          " ", button(["Remove", hidden(" " + r.title)], () => {
            const data = load("saved");
            data.papers = data.papers.filter((x) => x.id !== r.id);
            if (save("saved", data)) renderSaved(), toast("Removed: " + r.title), savedBox.querySelector("h2").focus();
          }));
      });
      savedBox.replaceChildren(
        el("h2", { tabindex: "-1" }, `${list.length} saved paper${list.length === 1 ? "" : "s"}`),
        list.length ? el("ol", { class: "dpa-list dpa-saved-list" }, ...items) : el("p", {}, "None yet: each paper on the site has a Save button."),
        list.length ? exports : null,
        el("p", {}, el("label", { for: "dpa-saved-file" }, "Import a JSON export (added to these): "), file));
      // Papers saved without their day's data: completed now if it can be had.
      for (const r of list.filter((x) => x.incomplete).slice(0, 20)) {
        fullRecord(r.id, r.day, r.link).then((full) => {
          const data = load("saved");
          const at = data.papers.findIndex((x) => x.id === r.id && x.incomplete);
          if (full && at >= 0) (data.papers[at] = { ...full, saved: data.papers[at].saved }), save("saved", data) && renderSaved();
        });
      }
    }

    // ---- Keys: j/k papers, [ ] days, b save, o arXiv, c cite, w lists, ? keys.

    const KEYS = [["j", "next paper"], ["k", "previous paper"], ["[", "previous day"], ["]", "next day"],
      ["b", "save or unsave the paper"], ["o", "open the paper on arXiv"], ["c", "copy the paper's BibTeX"],
      ["w", "watch and mute lists"], ["?", "these keys"], ["/", "search"]];
    let current = -1;
    function focusPaper(step) {
      if (!papers.length) return;
      const at = papers.findIndex((p) => p.el.contains(document.activeElement));
      const from = at >= 0 ? at : current;
      current = from < 0 ? (step > 0 ? 0 : papers.length - 1) : Math.min(papers.length - 1, Math.max(0, from + step));
      const target = papers[current].el;
      target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: true });
      target.scrollIntoView({ block: "start", behavior: "instant" });
    }

    function onKey(e) {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      const t = e.target;
      if (t.isContentEditable || (t.closest && t.closest("input, textarea, select, dialog"))) return;
      if (document.querySelector("dialog[open]")) return;
      const paper = papers[papers.findIndex((p) => p.el.contains(document.activeElement))] || papers[current];
      const go = (rel) => document.querySelector(`.dpa-nav a[rel="${rel}"]`);
      const act = {
        j: () => focusPaper(1),
        k: () => focusPaper(-1),
        "[": () => go("prev") && go("prev").click(),
        "]": () => go("next") && go("next").click(),
        b: () => paper && storage && toggleSave(paper),
        o: () => paper && window.open(ARXIV + paper.id, "_blank", "noopener"),
        c: () => paper && cite(paper),
        w: () => storage && panel(),
        "?": () => dialog("Keys", el("dl", { class: "dpa-keys" }, ...KEYS.flatMap(([k, what]) => [el("dt", {}, el("kbd", {}, k)), el("dd", {}, what)]))),
      }[e.key];
      if (!act) return;
      e.preventDefault();
      act();
    }

    // ---- Start.

    document.addEventListener("keydown", onKey);
    if (!storage) {
      renderSaved();
      return;
    }
    const open = button(el("span", { class: "dpa-vh" }, "Saved papers, watch and mute"), panel, { class: "md-header__button md-icon dpa-open", title: "Saved papers, watch and mute (w)" });
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.innerHTML = '<path d="M17 3H7a2 2 0 0 0-2 2v16l7-3 7 3V5a2 2 0 0 0-2-2m0 15-5-2.2L7 18V5h10z"/>';
    open.prepend(svg);
    const bar = document.querySelector(".md-header__inner");
    if (bar) bar.insertBefore(open, bar.querySelector(".dpa-sbox, .md-header__source"));
    applyRules();
    // Search results come later (search.js): marked as they are shown.
    document.addEventListener("dpa-search-shown", () => {
      const [watch, mute] = rulesNow();
      if (!watch.length && !mute.length) return;
      const fresh = [];
      for (const li of document.querySelectorAll("li.dpa-search__result:not([data-dpa-marked])")) {
        li.dataset.dpaMarked = "";
        const a = li.querySelector("a.dpa-hit");
        const title = a && a.querySelector(".dpa-hit__title");
        if (!title) continue;
        const meta = a.querySelector(".dpa-hit__meta");
        fresh.push({
          el: li, id: decodeURIComponent(new URL(a.href).hash.slice(1)), title,
          fields: [title, ...a.querySelectorAll(".dpa-hit__excerpt")],
          authors: meta ? meta.textContent.split(" · ")[0].split(",").map((x) => x.trim()) : [],
          org: "", topics: [],
        });
      }
      mark(fresh, watch, mute);
    });
    newSinceLastVisit();
    renderSaved();
    offered();
    addEventListener("hashchange", offered);
  }
})();

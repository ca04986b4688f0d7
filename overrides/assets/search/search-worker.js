/* Pagefind off the page's main thread: search.js starts this module worker, which loads the
   site's one pagefind.js and WebAssembly (pagefind/, generator/search/shared.py), keeps an
   instance per year's index and answers search.js's requests. Pagefind's WebAssembly search
   and its unzipping of the index run here, so the page stays free to draw and to take input.

   Requests: { id, op, ...args }; answers: { id, value } or { id, error, runtime }, runtime
   being true when pagefind.js or its WebAssembly did not load (search.js then searches on the
   page instead). Ops:
   - runtime { bundles }: load pagefind.js and the WebAssembly (once).
   - load { basePath, settings, metadata }: a year's index, set up once (settings: Pagefind's
     options; metadata: the name of its metadata file as dpa-search.json says, if it does).
   - search { basePath, term, options }: { search, scores, unfiltered }; the results stay
     here, in Pagefind's order, and `data` loads one's record.
   - data { search, index }: { url, excerpt, meta } of one result of a search. */

let bundlesUrl = null;
let runtime = null; // pagefind.js's PagefindInstance
let wasm = null; // its WebAssembly, loaded once for every instance
const years = new Map(); // basePath -> its instance, loading or loaded
const searches = new Map(); // search number -> its results, the newest KEPT searches
const KEPT = 64;
let searched = 0;

class RuntimeError extends Error {}

function instanceClass() {
  if (!bundlesUrl) return Promise.reject(new RuntimeError("no bundles"));
  if (!runtime) {
    runtime = import(new URL("pagefind.js", bundlesUrl).href).then((pf) => {
      if (!pf.DpaPagefindInstance) throw new Error("pagefind.js without PagefindInstance");
      return pf.DpaPagefindInstance;
    });
    runtime.catch(() => { runtime = null; });
  }
  return runtime.catch((error) => { throw new RuntimeError(String(error)); });
}

function webAssembly() {
  if (!wasm) {
    wasm = instanceClass().then((Instance) => {
      return new Instance({ basePath: new URL(bundlesUrl).pathname }).loadWasm("en");
    });
    wasm.catch(() => { wasm = null; });
  }
  return wasm.catch((error) => { throw error instanceof RuntimeError ? error : new RuntimeError(String(error)); });
}

/** A file's bytes; an error if it does not load. */
async function download(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * A year's instance. What Pagefind 1.5.2's init("en", { load_wasm: false }) does (loadEntry,
 * findIndex, loadMeta, init_pagefind, the ranking), except that the index's entry and meta
 * download while pagefind.js and the shared WebAssembly do: init would wait for both first.
 * shared.py shares the runtime only for that pagefind.js, whose internals these are.
 */
function year(basePath, settings, metadata) {
  if (!years.has(basePath)) {
    const loading = (async () => {
      const Instance = instanceClass();
      const ready = webAssembly();
      Instance.catch(() => {}); // both awaited below
      ready.catch(() => {});
      // The metadata file dpa-search.json names downloads beside the entry, not after it: a
      // round trip less on a slow link. The entry still decides which file is the index's.
      const named = metadata ? download(`${basePath}${metadata}`) : null;
      if (named) named.catch(() => {}); // awaited below only if the entry names it too
      // As loadEntry: a fresh entry every visit (it names the meta file of the index deployed).
      const entry = await (await fetch(`${basePath}pagefind-entry.json?ts=${Date.now()}`)).json();
      const languages = entry.languages || {};
      const index = languages.en || Object.values(languages).sort((a, b) => b.page_count - a.page_count)[0];
      if (!index) throw new Error(`${basePath}: no index`);
      const file = `pagefind.${index.hash}.pf_meta`;
      const meta = named && file === metadata ? named : download(`${basePath}${file}`);
      const pf = new (await Instance)({ basePath, ...settings });
      pf.languages = languages;
      pf.loadedVersion = entry.version;
      pf.includeCharacters = entry.include_characters || [];
      pf.loadedLanguage = "en";
      pf.searchMeta = pf.decompress(await meta, "Pagefind metadata");
      await ready;
      pf.raw_ptr = pf.backend.init_pagefind(new Uint8Array(pf.searchMeta));
      if (pf.ranking) await pf.set_ranking(pf.ranking);
      return pf;
    })();
    loading.catch(() => years.delete(basePath)); // tried again on the next search
    years.set(basePath, loading);
  }
  return years.get(basePath);
}

const ops = {
  runtime({ bundles }) {
    bundlesUrl = bundlesUrl || bundles;
    return webAssembly().then(() => true);
  },
  async load({ basePath, settings, metadata }) {
    await year(basePath, settings, metadata);
    return true;
  },
  async search({ basePath, term, options }) {
    const pf = await years.get(basePath);
    if (!pf) throw new Error(`${basePath}: not loaded`);
    const found = await pf.search(term, options);
    const number = ++searched;
    if (found.results.length) {
      searches.set(number, found.results);
      for (const old of searches.keys()) {
        if (searches.size <= KEPT) break;
        searches.delete(old);
      }
    }
    const scores = found.results.map((result) => result.score);
    return { search: number, scores, unfiltered: found.unfilteredResultCount };
  },
  async data({ search, index }) {
    const results = searches.get(search);
    if (!results || !results[index]) throw new Error("a search no longer kept");
    const data = await results[index].data();
    return { url: data.url, excerpt: data.excerpt, meta: data.meta };
  },
};

self.addEventListener("message", async (event) => {
  const { id, op, ...args } = event.data || {};
  try {
    if (!ops[op]) throw new Error(`unknown op ${op}`);
    self.postMessage({ id, value: await ops[op](args) });
  } catch (error) {
    self.postMessage({ id, error: String(error && error.message ? error.message : error), runtime: error instanceof RuntimeError });
  }
});

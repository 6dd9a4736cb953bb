// Search as you type: the search page's only script, and a progressive enhancement. Without
// it (or without JavaScript) the form submits as usual and every page is the same; with it,
// a pause in typing fetches the same /search page and puts its results in place.
(() => {
  "use strict";
  const WAIT_MS = 250;   // a pause this long in typing runs the search
  const SHORTEST = 2;    // no search for fewer characters than this
  const form = document.querySelector("form.search");
  const box = document.getElementById("q");
  const live = document.getElementById("live");
  if (!form || !box || !window.fetch || !window.DOMParser) return;
  let timer = 0;
  let running = null;

  async function run() {
    const query = box.value.trim();
    if (query.length < SHORTEST) return;
    const fields = new URLSearchParams(new FormData(form));
    const url = "/search?" + fields.toString();
    if (running) running.abort();
    running = new AbortController();
    let html;
    try {
      const response = await fetch(url, { signal: running.signal, headers: { Accept: "text/html" } });
      html = await response.text();
    } catch (error) {
      if (error.name === "AbortError") return;
      throw error;
    }
    if (box.value.trim() !== query) return;  // typed on meanwhile: a newer search is coming
    const page = new DOMParser().parseFromString(html, "text/html");
    const fresh = page.querySelector("main");
    const main = document.querySelector("main");
    if (!fresh || !main) return;
    main.replaceWith(document.importNode(fresh, true));
    document.title = page.title;
    history.replaceState(null, "", url);
    const summary = document.getElementById("summary");
    if (live && summary) live.textContent = summary.textContent.replace(/\s+/g, " ").trim();
  }

  box.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, WAIT_MS);
  });
})();

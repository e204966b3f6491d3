// The search page: runs Pagefind (output/pagefind/) in this browser, so no
// server is asked anything. Loaded only on /search/; `?q=words` opens with them,
// `&topic=slug` with that topic chosen (Pagefind's `tag` filter holds tag slugs).
const form = document.querySelector("form.search");
const field = form.querySelector("input[name=q]");
const topic = form.querySelector("select[name=topic]"); // none on a site without tags
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const root = new URL(form.dataset.siteRoot, location.href).pathname;
const PAGE = 10;
// Shown before the rest of a page of results: the best match waits for one
// small download, not ten (several at once can each need a new connection).
const FIRST = 1;
let pagefind = null;
let latest = 0;
let pending = null;
let results = [];
let more = null;

async function start() {
  // On the main thread, under this page's policy (a worker would need its own).
  const module = await import(`${root}pagefind/pagefind.js`);
  await module.options({ baseUrl: root, noWorker: true, excerptLength: 24 });
  await module.init();
  return module;
}

function plural(count) {
  return count === 1 ? "1 result" : `${count.toLocaleString("en")} results`;
}

// Pagefind's excerpt is HTML with <mark> around the matched words: keep the
// marks and the text, and nothing else.
function excerpt(html) {
  const parsed = new DOMParser().parseFromString(html, "text/html").body;
  const paragraph = document.createElement("p");
  paragraph.className = "excerpt";
  for (const node of parsed.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      paragraph.append(mark);
    } else {
      paragraph.append(node.textContent);
    }
  }
  return paragraph;
}

function item(data) {
  const li = document.createElement("li");
  const heading = document.createElement("h2");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  heading.append(link);
  li.append(heading);
  if (data.meta.image) {
    // The article's picture, made 160 px wide for this 64 px square (pictures plugin).
    const picture = document.createElement("img");
    Object.assign(picture, { src: data.meta.image, alt: "", width: 64, height: 64 });
    Object.assign(picture, { className: "thumbnail", loading: "lazy", decoding: "async" });
    li.prepend(picture);
  }
  if (data.meta.date) {
    const date = document.createElement("p");
    date.className = "meta";
    date.textContent = data.meta.date;
    li.append(date);
  }
  li.append(excerpt(data.excerpt));
  return li;
}

// Appends up to `count` more results; false if a newer search started meanwhile.
async function showNext(run, count) {
  const shown = list.children.length;
  const next = await Promise.all(results.slice(shown, shown + count).map((r) => r.data()));
  if (run !== latest) return false;
  list.append(...next.map(item));
  return true;
}

// The first results are painted before the rest are fetched and drawn. On a
// page opened with ?q=, that is when the browser reports their paint as the
// largest (or after 400 ms): a frame can be shown well after its callbacks run.
// Browsers stop reporting it once the reader types, so then one frame is enough.
function afterFirstPaint(opening) {
  if (!opening || !PerformanceObserver.supportedEntryTypes?.includes("largest-contentful-paint")) {
    return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
  }
  return new Promise((resolve) => {
    const observer = new PerformanceObserver((entries) => {
      if (entries.getEntries().some((entry) => list.contains(entry.element))) done();
    });
    const timer = setTimeout(done, 400);
    function done() {
      clearTimeout(timer);
      observer.disconnect();
      resolve();
    }
    observer.observe({ type: "largest-contentful-paint", buffered: true });
  });
}

// Fills the list up to a page of results after the first `from`, then offers more if any are left.
async function fillPage(run, from) {
  if (!(await showNext(run, from + PAGE - list.children.length))) return;
  more.hidden = list.children.length >= results.length;
}

// The address keeps what was asked (a parameter left empty is left out).
function keep(address, name, value) {
  if (value) address.searchParams.set(name, value);
  else address.searchParams.delete(name);
}

// "in the topic “habits”" when one is chosen.
function within(tag) {
  return tag ? ` in the topic “${topic.selectedOptions[0].text}”` : "";
}

async function find(words, opening = false) {
  const run = ++latest;
  const query = words.trim();
  const tag = topic ? topic.value : "";
  const address = new URL(location.href);
  keep(address, "q", query);
  keep(address, "topic", tag);
  history.replaceState(null, "", address);
  if (!query) {
    results = [];
    list.replaceChildren();
    more.hidden = true;
    status.textContent = "";
    return;
  }
  const search = await pagefind.search(query, tag ? { filters: { tag } } : {});
  if (run !== latest) return;
  results = search.results;
  list.replaceChildren();
  more.hidden = true;
  if (!(await showNext(run, FIRST))) return;
  const hint = tag ? "Try another word, or All topics." : "Try another word, or fewer words.";
  status.textContent = results.length
    ? `${plural(results.length)} for “${query}”${within(tag)}.`
    : `Nothing found for “${query}”${within(tag)}. ${hint}`;
  await afterFirstPaint(opening);
  await fillPage(run, 0);
}

function findSoon() {
  clearTimeout(pending);
  pending = setTimeout(() => find(field.value), 120);
}

async function main() {
  more = document.createElement("button");
  more.type = "button";
  more.className = "button more";
  more.textContent = "Show more results";
  more.hidden = true;
  more.addEventListener("click", () => {
    const first = list.children.length;
    fillPage(latest, first).then(() => list.children[first]?.querySelector("a")?.focus());
  });
  list.after(more);
  const params = new URLSearchParams(location.search);
  const asked = params.get("q") || "";
  field.value = asked;
  if (topic) {
    topic.value = params.get("topic") || "";
    if (topic.selectedIndex < 0) topic.value = ""; // a topic the site no longer has
  }
  if ("noIndex" in form.dataset) {
    // The build found nothing to index: ask for no file that is not there.
    status.textContent =
      "Nothing to search yet: no article is published. Once one is, it can be found here.";
    field.disabled = true;
    if (topic) topic.disabled = true;
    return;
  }
  try {
    pagefind = await start();
  } catch (error) {
    status.textContent =
      "Search is not available right now. Every article is listed under All articles and Topics, at the foot of this page.";
    field.disabled = true;
    if (topic) topic.disabled = true;
    console.error(error);
    return;
  }
  field.addEventListener("input", findSoon);
  topic?.addEventListener("change", () => {
    clearTimeout(pending);
    find(field.value);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(pending);
    find(field.value);
  });
  if (asked) find(asked, true);
}

main();

// Newsdesk console: plain JavaScript over the operator API (/v1/ops) and the public feed.
// No build step. Every value from the server goes into the page as text (textContent), never as
// HTML, so a headline cannot inject markup. Writes carry X-Newsdesk-Console: 1, which the ops
// API requires of cookie-authenticated writes (a cross-site page cannot send it).
"use strict";

const CAN_EDIT = document.body.dataset.canEdit === "1";
const DONE = new Set(["finished", "failed", "stopped", "canceled"]);

// --- helpers ----------------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function when(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

function fromNow(epochSeconds) {
  if (!epochSeconds) return "—";
  const seconds = Math.round(epochSeconds - Date.now() / 1000);
  if (Math.abs(seconds) < 60) return seconds >= 0 ? `in ${seconds}s` : `${-seconds}s ago`;
  const minutes = Math.round(seconds / 60);
  return minutes >= 0 ? `in ${minutes} min` : `${-minutes} min ago`;
}

let flashTimer = null;
function flash(message, kind = "info") {
  const box = document.getElementById("flash");
  if (!box) return;
  box.textContent = message;
  box.className = `flash ${kind}`;
  box.hidden = false;
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => { box.hidden = true; }, kind === "error" ? 12000 : 5000);
}

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(method, path, body) {
  const init = {
    method,
    credentials: "same-origin",
    cache: "no-store",
    headers: {"Accept": "application/json", "X-Newsdesk-Console": "1"},
  };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 401) {  // the session ended: log in again, then come back here
    location.href = `/console/login?next=${encodeURIComponent(location.pathname)}`;
    throw new ApiError(401, "your session ended; log in again");
  }
  let data = null;
  if (response.status !== 204) {
    try { data = await response.json(); } catch { data = null; }
  }
  if (!response.ok) {
    throw new ApiError(response.status, (data && data.error) || `HTTP ${response.status}`);
  }
  return data;
}

function guarded(action) {
  // Run a button's action with the button disabled; report errors in the flash area.
  return async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try { await action(button); } catch (error) { flash(error.message, "error"); } finally {
      button.disabled = false;
    }
  };
}

function button(label, action, attrs = {}) {
  return el("button", {type: "button", onclick: guarded(action), ...attrs}, label);
}

// --- jobs the operator queued: followed in a tray until they end --------------------------------

const followed = new Map();

function followJob(job, label, onDone) {
  const tray = document.getElementById("tray");
  const list = document.getElementById("tray-jobs");
  if (!tray || !list || !job) return;
  tray.hidden = false;
  let item = followed.get(job.id);
  if (!item) {
    item = el("li", {"data-job": job.id});
    list.prepend(item);
    followed.set(job.id, item);
  }
  const started = Date.now();
  const show = (status, extra) => {
    item.replaceChildren(el("span", {class: "label"}, label),
      el("span", {class: `status status-${status}`, "data-job-status": status}, status),
      el("span", {class: "extra"}, extra || ""));
  };
  show(job.status);
  const poll = async () => {
    try {
      const view = (await api("GET", `/v1/ops/jobs/${encodeURIComponent(job.id)}`)).job;
      show(view.status, view.error || "");
      if (DONE.has(view.status)) {
        if (onDone) onDone(view);
        return;
      }
    } catch (error) {
      show("unknown", error.message);
      if (error.status === 404) return;  // deleted or expired
    }
    if (Date.now() - started < 10 * 60 * 1000) setTimeout(poll, 700);
  };
  if (!DONE.has(job.status)) setTimeout(poll, 400);
  else if (onDone) onDone(job);
}

async function refresh(body, label, onDone) {
  const {job} = await api("POST", "/v1/ops/refresh", body);
  flash(`Queued: ${label}`);
  followJob(job, label, onDone);
  return job;
}

function wireRefreshAll(onDone) {
  for (const node of document.querySelectorAll("[data-refresh-all]")) {
    node.addEventListener("click", guarded(() => refresh({}, "refresh every source", onDone)));
  }
}

// --- editorial actions, shared by the preview and the story page ------------------------------

async function editorial(method, storyId, what, body) {
  const path = `/v1/ops/stories/${encodeURIComponent(storyId)}/${what}`;
  return api(method, path, body);
}

function storyActions(story, after) {
  // Pin/unpin, hide/unhide, pull/unpull for one story; `after` runs once the request succeeded.
  if (!CAN_EDIT) return [];
  const act = (label, method, what, body, confirmText) => button(label, async () => {
    if (confirmText && !window.confirm(confirmText)) return;
    const result = await editorial(method, story.id, what, body);
    flash(`${label}: ${story.title || story.id}`);
    after(result, label);
  }, {"data-action": `${label.toLowerCase()}`});
  const actions = [];
  if (!story.pulled) {
    actions.push(story.pinned === null || story.pinned === undefined
      ? act("Pin", "PUT", "pin", {order: 0})
      : act("Unpin", "DELETE", "pin"));
    actions.push(story.hidden ? act("Unhide", "DELETE", "hidden") : act("Hide", "PUT", "hidden"));
    actions.push(act("Pull", "POST", "pull", undefined,
      "Pull this story? It leaves the feed now and its thumbnails are deleted."));
  } else {
    actions.push(act("Unpull", "DELETE", "pull"));
  }
  return actions;
}

async function storiesById() {
  const {stories} = await api("GET", "/v1/ops/stories?limit=500");
  return new Map(stories.map((s) => [s.id, s]));
}

// --- the TV preview -------------------------------------------------------------------------------

function poster(card, size) {
  // A 16:9 frame filled with the placeholder colour until the image has loaded, as on the TV.
  const thumb = card.thumbnails[size] || Object.values(card.thumbnails)[0];
  const frame = el("div", {class: "poster"});
  frame.style.backgroundColor = card.placeholderColor;
  if (thumb) {
    const img = el("img", {src: thumb.url, width: thumb.width, height: thumb.height, alt: "",
      loading: "lazy", decoding: "async"});
    img.addEventListener("load", () => frame.classList.add("loaded"));
    frame.append(img);
  }
  return frame;
}

const preview = {
  drawn: null,
  stories: new Map(),
  fastUntil: 0,
  timer: null,

  async load() {
    const meta = document.getElementById("feed-meta");
    let feed = null;
    try {
      const response = await fetch("/v1/feed.json", {cache: "no-cache"});  // revalidates (ETag)
      if (response.status === 503) {
        meta.textContent = "Nothing published yet: refresh the sources and wait for a publish.";
      } else if (!response.ok) {
        meta.textContent = `The feed answered ${response.status}.`;
      } else {
        feed = await response.json();
      }
    } catch (error) {
      meta.textContent = `Could not read the feed: ${error.message}`;
    }
    try { this.stories = await storiesById(); } catch (error) { flash(error.message, "error"); }
    // Redraw only when the feed or a story's flags changed, so scrolling is not reset.
    const flags = JSON.stringify([...this.stories.values()].map(
      (s) => [s.id, s.pinned, s.hidden, s.pulled]));
    const key = `${feed ? feed.version : "none"} ${flags}`;
    if (key !== this.drawn) {
      this.drawn = key;
      if (feed) {
        meta.textContent = `${feed.provider} · feed version ${feed.version} · generated ` +
          `${when(feed.generatedAt)} · ${feed.rows.length} rows`;
        document.getElementById("screen").dataset.version = String(feed.version);
        this.draw(feed);
      }
      this.drawOffAir();
    }
    this.schedule();
  },

  schedule() {
    clearTimeout(this.timer);
    const delay = Date.now() < this.fastUntil ? 1000 : 15000;
    this.timer = setTimeout(() => this.load(), delay);
  },

  soon() {
    // After an action a publish follows in seconds: poll the feed quickly for a minute.
    this.fastUntil = Date.now() + 60000;
    this.schedule();
  },

  draw(feed) {
    drawBreaking(feed.breaking || null);
    const rows = document.getElementById("rows");
    rows.replaceChildren(...feed.rows.map((row) => el("section",
      {class: "row", "data-row": row.id},
      el("h2", {}, row.title),
      el("div", {class: "cards"}, row.items.map((card) => this.card(card))))));
    const top = feed.rows[0] ? feed.rows[0].items : [];
    document.getElementById("crawl").textContent = top.map((c) => c.ticker).join("   •   ");
  },

  card(card) {
    const state = this.stories.get(card.id) || {id: card.id, title: card.title, pinned: null};
    const link = el("a", {href: `/console/stories/${card.id}`, class: "card-link"},
      poster(card, "fhd"),
      el("h3", {class: "headline"}, card.title),
      el("p", {class: "ticker"}, card.ticker));
    return el("article", {class: "card", "data-story": card.id, tabindex: -1},
      state.pinned !== null && state.pinned !== undefined
        ? el("span", {class: "badge"}, "Pinned") : null,
      card.updatedAt ? el("span", {class: "badge badge-updated", title: when(card.updatedAt)},
        "Updated") : null,
      link,
      el("div", {class: "actions"}, storyActions(state, (result) => this.acted(card.id, result))));
  },

  acted(storyId, result) {
    const node = document.querySelector(`[data-story="${storyId}"]`);
    if (node) node.classList.add("pending");
    if (result && result.publish && result.publish !== "already queued") {
      followJob({id: result.publish, status: "queued"}, "publish feed", () => this.load());
    }
    this.soon();
  },

  drawOffAir() {
    const panel = document.getElementById("off-air-panel");
    const list = document.getElementById("off-air");
    const off = [...this.stories.values()].filter((s) => s.hidden || s.pulled);
    panel.hidden = off.length === 0;
    list.replaceChildren(...off.map((s) => el("li", {"data-story": s.id},
      el("span", {class: "status"}, s.pulled ? "pulled" : "hidden"), " ",
      el("a", {href: `/console/stories/${s.id}`}, s.title), " ",
      el("span", {class: "actions"}, storyActions(s, (result) => this.acted(s.id, result))))));
  },

  start() {
    wireRefreshAll(() => this.soon());
    wireBreaking(() => this.load());
    this.load();
  },
};

// --- the breaking news alert: the banner as the TV shows it, raise and clear --------------------

let breakingTimer = null;
function drawBreaking(alert) {
  // Shown until expiresAt, then hidden here as on the TV, without waiting for a new feed.
  const banner = document.getElementById("breaking");
  const state = document.getElementById("breaking-state");
  const clear = document.querySelector('[data-action="clear-alert"]');
  clearTimeout(breakingTimer);
  const left = alert ? Date.parse(alert.expiresAt) - Date.now() : 0;
  const live = Boolean(alert) && left > 0;
  banner.hidden = !live;
  document.getElementById("breaking-banner-text").textContent = live ? alert.text : "";
  if (clear) clear.hidden = !live;
  if (state) {
    state.textContent = live ? `On air until ${when(alert.expiresAt)}` +
      (alert.storyId ? ` · opens story ${alert.storyId}` : "") : "No breaking alert.";
  }
  if (live) breakingTimer = setTimeout(() => drawBreaking(null), Math.min(left, 2 ** 31 - 1));
}

function wireBreaking(reload) {
  const form = document.getElementById("breaking-form");
  if (!form) return;
  const submit = form.querySelector('[data-action="raise-alert"]');
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {text: form.elements.text.value.trim()};
    const story = form.elements.story.value.trim();
    if (story) body.story = story;
    const minutes = form.elements.expiresInMinutes.value.trim();
    if (minutes) body.expiresInMinutes = Number(minutes);
    submit.disabled = true;
    try {
      const {alert} = await api("PUT", "/v1/ops/breaking", body);
      flash(`Breaking alert on air: ${alert.text}`);
      form.elements.text.value = "";
      await reload();
    } catch (error) { flash(error.message, "error"); } finally { submit.disabled = false; }
  });
  form.querySelector('[data-action="clear-alert"]').addEventListener("click", guarded(async () => {
    await api("DELETE", "/v1/ops/breaking");
    flash("Breaking alert cleared");
    await reload();
  }));
}

// --- a story's detail view ----------------------------------------------------------------------

const story = {
  async load() {
    const id = document.body.dataset.story;
    const detail = document.getElementById("detail");
    const state = document.getElementById("story-state");
    let ops = null;
    try { ops = (await storiesById()).get(id) || null; } catch (error) { flash(error.message, "error"); }
    const response = await fetch(`/v1/articles/${id}.json`, {cache: "no-cache"});
    if (response.ok) {
      const doc = await response.json();
      const card = doc.card;
      detail.replaceChildren(
        poster(card, "hero"),
        el("div", {class: "detail-text"},
          el("p", {class: "kicker"}, `${card.category} · ${when(card.publishedAt)} · ` +
            `${doc.readingTimeMinutes} min read`),
          el("h1", {}, card.title),
          doc.byline ? el("p", {class: "byline"}, doc.byline) : null,
          el("p", {class: "summary"}, card.summary),
          el("p", {class: "ticker"}, card.ticker),
          doc.paragraphs.map((p) => el("p", {}, p)),
          el("p", {class: "meta"}, `Source: ${doc.source}`,
            doc.canonicalUrl ? [" · ", el("a", {href: doc.canonicalUrl, rel: "noreferrer",
              target: "_blank"}, "original")] : null),
          el("p", {class: "tags"}, card.tags.map((t) => el("span", {class: "tag"}, t))),
          doc.alsoFrom ? el("p", {class: "meta also-from"}, "Also from: ",
            doc.alsoFrom.flatMap((v, i) => [i ? ", " : "",
              el("a", {href: `/console/stories/${v.id}`}, v.source)])) : null));
    } else {
      detail.replaceChildren(el("p", {class: "meta"},
        response.status === 404 ? "Not on air: this story is hidden, pulled or not ready yet."
          : `The detail answered ${response.status}.`));
    }
    if (!ops) {
      state.textContent = "This story is not among the 500 most recent ones.";
      return;
    }
    document.title = `${ops.title} · Newsdesk`;
    const flags = [ops.status, ops.pinned !== null ? `pinned (${ops.pinned})` : null,
      ops.hidden ? "hidden" : null, ops.pulled ? "pulled" : null].filter(Boolean);
    state.textContent = `${ops.title} — ${flags.join(", ")} · source ${ops.source}` +
      (ops.error ? ` · error: ${ops.error}` : "");
    const actions = storyActions(ops, (result) => {
      if (result && result.publish && result.publish !== "already queued") {
        followJob({id: result.publish, status: "queued"}, "publish feed", () => this.load());
      }
      setTimeout(() => this.load(), 300);
    });
    if (CAN_EDIT) {
      actions.push(button("Process again", async () => {
        await refresh({story: id}, `process ${ops.title}`, () => this.load());
      }));
    }
    document.getElementById("story-actions").replaceChildren(...actions);
    drawVersions(id, () => this.load()).catch((error) => flash(error.message, "error"));
  },
  start() { this.load(); },
};

// --- sources ------------------------------------------------------------------------------------

function health(source) {
  const h = source.health;
  if (source.enabled === false) return ["disabled", "off"];
  if (h.consecutiveFailures > 0) return [`failing (${h.consecutiveFailures})`, "bad"];
  if (!h.lastSuccess) return ["never refreshed", "warn"];
  if (h.failedStories > 0) return [`${h.failedStories} stor${h.failedStories === 1 ? "y" : "ies"} failed`, "warn"];
  return ["healthy", "ok"];
}

const sourcesPage = {
  async load() {
    const {sources} = await api("GET", "/v1/ops/sources");
    const body = document.querySelector("#sources tbody");
    body.replaceChildren(...sources.map((s) => {
      const [label, kind] = health(s);
      return el("tr", {"data-source": s.id},
        el("td", {}, el("strong", {}, s.id), el("div", {class: "meta"}, s.url || s.path || "")),
        el("td", {}, s.kind),
        el("td", {}, s.category),
        el("td", {}, el("span", {class: `health health-${kind}`}, label)),
        el("td", {}, when(s.health.lastSuccess),
          s.health.lastResult ? el("div", {class: "meta"}, String(s.health.lastResult)) : null),
        el("td", {}, s.health.lastError
          ? [el("div", {}, s.health.lastError), el("div", {class: "meta"}, when(s.health.lastErrorAt))]
          : s.health.failedStories && s.health.lastStoryError
            ? [el("div", {}, s.health.lastStoryError),
              el("div", {class: "meta"}, when(s.health.lastStoryErrorAt))]
            : "—"),
        el("td", {}, fromNow(s.health.nextPoll)),
        el("td", {class: "actions"}, CAN_EDIT ? [
          button("Refresh", () => refresh({source: s.id}, `refresh ${s.id}`, () => this.load()),
            {"data-refresh": s.id}),
          button("Edit", async () => sourceForm.edit(s), {"data-action": "edit"}),
          button(s.enabled === false ? "Enable" : "Disable", async () => {
            await api("PATCH", `/v1/ops/sources/${encodeURIComponent(s.id)}`,
              {enabled: s.enabled === false});
            flash(`${s.enabled === false ? "Enabled" : "Disabled"} ${s.id}`);
            await this.load();
          }, {"data-action": s.enabled === false ? "enable" : "disable"}),
          button("Delete", async () => {
            if (!window.confirm(`Delete the source ${s.id}? Its stories stay until they age out.`)) return;
            await api("DELETE", `/v1/ops/sources/${encodeURIComponent(s.id)}`);
            flash(`Deleted ${s.id}`);
            await this.load();
          }, {"data-action": "delete"}),
        ] : null));
    }));
  },
  start() {
    wireRefreshAll(() => this.load());
    sourceForm.start(() => this.load());
    this.load().catch((error) => flash(error.message, "error"));
    setInterval(() => this.load().catch(() => {}), 15000);
  },
};

// --- add, edit and try a source: refusals shown next to the field they name -------------------

function showFieldErrors(form, general, message) {
  // The API names each field first ("url: ...; interval: ..."); others go in the general box.
  for (const node of form.querySelectorAll("[data-error-for]")) node.textContent = "";
  for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  general.hidden = true;
  if (!message) return;
  const rest = [];
  for (const part of message.split("; ")) {
    const match = /^([A-Za-z_]+)(?:\/[^:]*)?: (.*)$/s.exec(part);
    const slot = match && form.querySelector(`[data-error-for="${match[1]}"]`);
    if (slot) {
      slot.textContent = match[2];
      const input = form.elements[match[1]];
      if (input) input.setAttribute("aria-invalid", "true");
    } else {
      rest.push(part);
    }
  }
  if (rest.length) {
    general.textContent = rest.join("; ");
    general.hidden = false;
  }
}

const sourceForm = {
  editing: null,
  form: null,

  body() {
    const f = this.form.elements;
    const body = {};
    for (const name of ["id", "kind", "url", "path", "category"]) {
      const value = f[name].value.trim();
      if (value) body[name] = value;
    }
    if (f.interval.value.trim()) body.interval = Number(f.interval.value);
    body.enabled = f.enabled.checked;
    return body;
  },

  edit(source) {
    const f = this.form.elements;
    this.editing = source.id;
    for (const name of ["id", "kind", "url", "path", "category"]) f[name].value = source[name] || "";
    f.interval.value = source.interval || 300;
    f.enabled.checked = source.enabled !== false;
    f.id.readOnly = true;
    f.kind.disabled = true;
    document.getElementById("source-form-title").textContent = `Edit ${source.id}`;
    this.form.querySelector('[data-action="cancel-edit"]').hidden = false;
    showFieldErrors(this.form, document.getElementById("source-form-error"), null);
    f.url.focus();
  },

  reset() {
    this.editing = null;
    this.form.reset();
    this.form.elements.id.readOnly = false;
    this.form.elements.kind.disabled = false;
    document.getElementById("source-form-title").textContent = "Add a source";
    this.form.querySelector('[data-action="cancel-edit"]').hidden = true;
  },

  async tryIt() {
    const results = document.getElementById("try-results");
    const general = document.getElementById("source-form-error");
    const body = this.body();
    if (this.editing) Object.assign(body, {id: this.editing, kind: this.form.elements.kind.value});
    try {
      const found = await api("POST", "/v1/ops/sources/try", body);
      showFieldErrors(this.form, general, null);
      document.getElementById("try-meta").textContent =
        `${found.found} entr${found.found === 1 ? "y" : "ies"} found, ${found.skipped} skipped; ` +
        `the first ${found.entries.length} as stories:`;
      document.getElementById("try-entries").replaceChildren(...found.entries.map((e) =>
        el("li", {"data-entry": ""},
          el("strong", {class: "try-title"}, e.title),
          e.error ? el("p", {class: "error"}, e.error) : [
            el("p", {class: "try-summary"}, e.summary),
            el("p", {class: "meta try-ticker"}, `Ticker: ${e.ticker}`),
            el("p", {class: "meta try-image"}, `Image: ${e.image || "none (a title card)"}`),
          ])));
      results.hidden = false;
    } catch (error) {
      results.hidden = true;
      showFieldErrors(this.form, general, error.message);
    }
  },

  async save(reload) {
    const general = document.getElementById("source-form-error");
    const body = this.body();
    try {
      if (this.editing) {
        const {id, kind, ...changes} = body;
        await api("PATCH", `/v1/ops/sources/${encodeURIComponent(this.editing)}`, changes);
        flash(`Saved ${this.editing}`);
      } else {
        await api("POST", "/v1/ops/sources", body);
        flash(`Added ${body.id}`);
      }
      showFieldErrors(this.form, general, null);
      document.getElementById("try-results").hidden = true;
      this.reset();
      await reload();
    } catch (error) {
      showFieldErrors(this.form, general, error.message);
    }
  },

  async start(reload) {
    this.form = document.getElementById("source-form");
    if (!this.form) return;
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.save(reload);
    });
    this.form.querySelector('[data-action="try-source"]').addEventListener("click",
      guarded(() => this.tryIt()));
    this.form.querySelector('[data-action="cancel-edit"]').addEventListener("click", () => this.reset());
    try {
      const {categories} = await api("GET", "/v1/ops/categories");
      document.getElementById("category-ids").replaceChildren(
        ...categories.map((c) => el("option", {value: c.id}, c.title)));
    } catch (error) { flash(error.message, "error"); }
  },
};

// --- stories: search every recent story, on air or not ------------------------------------------

const storiesPage = {
  async load(query) {
    const path = query ? `/v1/ops/stories?limit=200&q=${encodeURIComponent(query)}`
      : "/v1/ops/stories?limit=100";
    const {stories} = await api("GET", path);
    document.getElementById("story-count").textContent = query
      ? `${stories.length} stor${stories.length === 1 ? "y matches" : "ies match"} “${query}”`
      : `The ${stories.length} most recent stories`;
    document.querySelector("#stories tbody").replaceChildren(...stories.map((s) =>
      el("tr", {"data-story": s.id},
        el("td", {}, el("a", {href: `/console/stories/${s.id}`}, s.title),
          el("div", {class: "meta"}, s.id)),
        el("td", {}, s.status), el("td", {}, s.category), el("td", {}, s.source),
        el("td", {}, when(s.publishedAt)),
        el("td", {}, [s.pinned !== null ? "pinned" : null, s.hidden ? "hidden" : null,
          s.pulled ? "pulled" : null].filter(Boolean).join(", ") || "—"))));
  },
  start() {
    const form = document.getElementById("story-search");
    const input = document.getElementById("story-query");
    const initial = new URLSearchParams(location.search).get("q") || "";
    input.value = initial;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const query = input.value.trim();
      history.replaceState(null, "", query ? `?q=${encodeURIComponent(query)}` : location.pathname);
      this.load(query).catch((error) => flash(error.message, "error"));
    });
    this.load(initial).catch((error) => flash(error.message, "error"));
  },
};

// --- a story's versions from other sources, and splitting a wrong match -------------------------

async function drawVersions(storyId, reload) {
  const list = document.getElementById("versions");
  const state = document.getElementById("versions-state");
  if (!list) return;
  const found = await api("GET", `/v1/ops/stories/${encodeURIComponent(storyId)}/versions`);
  state.textContent = found.versions.length === 0
    ? "No other source carries this story."
    : found.leader === storyId ? "This version leads: the feed shows it, the others are its “also from”."
      : "Another version leads: the feed shows that one instead of this.";
  list.replaceChildren(...found.versions.map((v) => el("li", {"data-version": v.id},
    v.leads ? el("span", {class: "leads"}, "leads") : null,
    el("a", {href: `/console/stories/${v.id}`}, v.title),
    el("span", {class: "meta"}, `from ${v.source}`),
    CAN_EDIT ? button("Split", async () => {
      if (!window.confirm("Not the same story? Each gets its own card again.")) return;
      const result = await api("POST", `/v1/ops/stories/${encodeURIComponent(v.id)}/split`);
      flash(`Split: ${v.title}`);
      if (result.publish && result.publish !== "already queued") {
        followJob({id: result.publish, status: "queued"}, "publish feed", reload);
      }
      await drawVersions(storyId, reload);
    }, {"data-action": "split"}) : null)));
}

// --- jobs -----------------------------------------------------------------------------------------

function retryJob(job, after) {
  return button("Retry", async () => {
    const {job: view} = await api("POST", `/v1/ops/jobs/${encodeURIComponent(job.id)}/retry`);
    followJob(view, `retry ${job.description || job.id}`, after);
    await after();
  }, {"data-retry": job.id});
}

function deleteJob(job, after) {
  return button("Delete", async () => {
    if (!window.confirm("Delete this job?")) return;
    await api("DELETE", `/v1/ops/jobs/${encodeURIComponent(job.id)}`);
    await after();
  }, {"data-delete": job.id});
}

const jobsPage = {
  status: new URLSearchParams(location.search).get("status") || "failed",

  async load() {
    const [{jobs}, overview, {queues, workers}] = await Promise.all([
      api("GET", `/v1/ops/jobs?status=${encodeURIComponent(this.status)}&limit=200`),
      api("GET", "/v1/ops/status"),
      api("GET", "/v1/ops/queues"),
    ]);
    document.getElementById("overview").textContent =
      `Feed version ${overview.feed.version ?? "none"} · ${workers.length} worker(s)`;
    this.drawQueues(queues);
    this.drawWorkers(workers);
    for (const tab of document.querySelectorAll("[data-status]")) {
      tab.setAttribute("aria-pressed", String(tab.dataset.status === this.status));
    }
    const body = document.querySelector("#jobs tbody");
    if (!jobs.length) {
      body.replaceChildren(el("tr", {}, el("td", {colspan: 7, class: "meta"},
        `No ${this.status} jobs.`)));
      return;
    }
    const again = () => this.load();
    body.replaceChildren(...jobs.map((job) => el("tr", {"data-job": job.id},
      el("td", {}, el("a", {href: `/console/jobs/${encodeURIComponent(job.id)}`},
        job.description || job.id), el("div", {class: "meta"}, job.id)),
      el("td", {}, job.queue),
      el("td", {}, el("span", {class: `status status-${job.status}`}, job.status)),
      el("td", {}, when(job.enqueuedAt)),
      el("td", {}, job.seconds !== undefined ? `${job.seconds}s` : "—"),
      el("td", {class: "result"}, job.error ||
        (job.result !== undefined ? JSON.stringify(job.result).slice(0, 200) : "")),
      el("td", {}, CAN_EDIT ? [
        job.status === "failed" ? retryJob(job, again) : null,
        job.status !== "started" ? deleteJob(job, again) : null] : null))));
  },

  drawQueues(queues) {
    document.querySelector("#queues tbody").replaceChildren(...Object.entries(queues).map(
      ([name, q]) => el("tr", {"data-queue": name},
        el("td", {}, el("strong", {}, name)),
        ...["queued", "started", "scheduled", "failed", "finished"].map(
          (state) => el("td", {}, String(q[state]))),
        el("td", {}, CAN_EDIT && q.failed ? button("Retry all failed", async () => {
          if (!window.confirm(`Retry the ${q.failed} failed job(s) of ${name}?`)) return;
          const {requeued} = await api("POST", `/v1/ops/queues/${encodeURIComponent(name)}/retry`);
          flash(`Queued again: ${requeued.length} job(s) of ${name}`);
          await this.load();
        }, {"data-retry-queue": name}) : null))));
  },

  drawWorkers(workers) {
    const body = document.querySelector("#workers tbody");
    if (!workers.length) {
      body.replaceChildren(el("tr", {}, el("td", {colspan: 7, class: "meta"},
        "No worker is running: nothing will be processed.")));
      return;
    }
    body.replaceChildren(...workers.map((w) => el("tr", {"data-worker": w.name},
      el("td", {}, w.name), el("td", {}, w.state), el("td", {}, w.queues.join(", ")),
      el("td", {}, w.currentJob ? el("a", {href: `/console/jobs/${encodeURIComponent(w.currentJob)}`},
        w.currentJob) : "—"),
      el("td", {}, String(w.successfulJobs)), el("td", {}, String(w.failedJobs)),
      el("td", {}, when(w.lastHeartbeat)))));
  },

  start() {
    for (const tab of document.querySelectorAll("[data-status]")) {
      tab.addEventListener("click", () => {
        this.status = tab.dataset.status;
        history.replaceState(null, "", `?status=${this.status}`);
        this.load().catch((error) => flash(error.message, "error"));
      });
    }
    this.load().catch((error) => flash(error.message, "error"));
    setInterval(() => this.load().catch(() => {}), 5000);
  },
};

// --- one job --------------------------------------------------------------------------------------

const jobPage = {
  async load() {
    const id = document.body.dataset.job;
    let job;
    try {
      ({job} = await api("GET", `/v1/ops/jobs/${encodeURIComponent(id)}`));
    } catch (error) {
      document.getElementById("job-fields").replaceChildren(el("dd", {}, error.message));
      document.getElementById("job-actions").replaceChildren();
      return;
    }
    const fields = [["Description", job.description], ["Queue", job.queue],
      ["Status", job.status], ["Enqueued", when(job.enqueuedAt)],
      ["Started", when(job.startedAt)], ["Ended", when(job.endedAt)],
      ["Took", job.seconds !== undefined ? `${job.seconds}s` : "—"],
      ["Error", job.error || "—"],
      ["Result", job.result !== undefined ? JSON.stringify(job.result) : "—"]];
    document.getElementById("job-fields").replaceChildren(...fields.flatMap(
      ([name, value]) => [el("dt", {}, name), el("dd", {}, value ?? "—")]));
    document.getElementById("job-traceback").textContent = job.traceback || "—";
    const again = () => this.load();
    document.getElementById("job-actions").replaceChildren(...(CAN_EDIT ? [
      job.status === "failed" ? retryJob(job, again) : null,
      job.status !== "started" ? deleteJob(job, async () => { location.href = "/console/jobs"; })
        : null] : []).filter(Boolean));
  },
  start() { this.load(); },
};

// --- audit log ----------------------------------------------------------------------------------

const auditPage = {
  async load() {
    const {entries} = await api("GET", "/v1/ops/audit?limit=200");
    document.querySelector("#audit tbody").replaceChildren(...entries.map((entry) => {
      const {at, who, action, target, ...details} = entry;
      const extra = Object.keys(details).length ? JSON.stringify(details) : "";
      return el("tr", {}, el("td", {}, when(at)), el("td", {}, who), el("td", {}, action),
        el("td", {}, target), el("td", {class: "meta"}, extra));
    }));
  },
  start() {
    this.load().catch((error) => flash(error.message, "error"));
    setInterval(() => this.load().catch(() => {}), 15000);
  },
};

const PAGES = {preview, story, stories: storiesPage, sources: sourcesPage, jobs: jobsPage,
  job: jobPage, audit: auditPage};
const current = PAGES[document.body.dataset.page];
if (current) current.start();

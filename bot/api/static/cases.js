// A case's timeline in a dialog: every release of the case, oldest first, with what each
// added. Opened from a case number on a source card, or by a link to `/#case=C19-255700`.
// Release text reaches the page as text nodes only, as in the answers.

import { $, el, humanDate, safeUrl } from "./dom.js";
import { ShownError, errorDetail, getTimeline } from "./api.js";

const CASE_HASH = /^#case=([A-Za-z][0-9]{2}-[0-9]{2,10})$/;
let loading = null; // the AbortController of the timeline being fetched

export function caseLinks(references) {
  const line = el("p", { className: "refs" }, "Case ");
  references.forEach((reference, i) => {
    const link = el("a", {
      className: "case-link",
      href: `#case=${reference}`,
      "aria-label": `Releases of case ${reference}`,
    }, reference);
    link.addEventListener("click", (event) => {
      event.preventDefault();
      history.replaceState(null, "", `#case=${reference}`);
      showCase(reference);
    });
    line.append(i ? ", " : "", link);
  });
  return line;
}

function explainCase(reference, status, detail) {
  if (status === 404) return `No release in the publications mentions ${reference}.`;
  if (status === 503) return `The service is unavailable right now; try again in a moment. (${detail})`;
  return `The case's releases could not be shown (${status}): ${detail}`;
}

export async function showCase(reference) {
  const dialog = $("case-dialog");
  const body = $("case-body");
  if (loading) loading.abort();
  const controller = new AbortController();
  loading = controller;
  $("case-title").textContent = `Case ${reference}`;
  body.replaceChildren(el("p", { className: "case-summary" }, "Loading the case's releases…"));
  body.setAttribute("aria-busy", "true");
  if (!dialog.open) dialog.showModal();
  try {
    const response = await getTimeline(reference, controller.signal);
    if (!response.ok) {
      throw new ShownError(explainCase(reference, response.status, await errorDetail(response)));
    }
    showTimeline(body, await response.json());
  } catch (err) {
    if (err.name === "AbortError") return;
    if (!(err instanceof ShownError)) console.error(err);
    const message = err instanceof ShownError ? err.message
      : "Could not reach the service. Check your connection and try again.";
    body.replaceChildren(el("p", { className: "case-error", role: "alert" }, message));
  } finally {
    if (loading === controller) {
      loading = null;
      body.setAttribute("aria-busy", "false");
    }
  }
}

function showTimeline(body, timeline) {
  const n = timeline.entries.length;
  body.replaceChildren(
    el("p", { className: "case-summary" }, `${n} release${n === 1 ? "" : "s"}, oldest first`),
    el("ol", { className: "case-releases" }, ...timeline.entries.map(releaseItem)),
  );
}

function releaseItem(entry) {
  const url = safeUrl(entry.url) || safeUrl(entry.source);
  const title = url ? el("a", { href: url, rel: "noopener noreferrer", target: "_blank" }, entry.title)
    : el("span", {}, entry.title);
  const meta = el("p", { className: "meta" }, humanDate(entry.published) || "date not given");
  if (entry.issuer) meta.append(" · ", entry.issuer);
  const added = entry.added.length
    ? el("ul", { className: "case-added" }, ...entry.added.map((s) => el("li", { className: "quote" }, s)))
    : el("p", { className: "case-nothing" }, "Adds nothing the earlier releases did not say.");
  return el("li", { className: "case-release" }, el("h3", {}, title), meta, added);
}

export function startCases() {
  const dialog = $("case-dialog");
  dialog.addEventListener("close", () => {
    if (loading) loading.abort();
    if (CASE_HASH.test(location.hash)) history.replaceState(null, "", location.pathname + location.search);
  });
  const linked = CASE_HASH.exec(location.hash);
  if (linked) showCase(linked[1].toUpperCase());
}

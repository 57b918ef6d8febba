// Drawing a turn: the streamed text, then [n] links, the "as of" line and the source cards.

import { $, el, humanDate, safeUrl } from "./dom.js";
import { caseLinks } from "./cases.js";

export function newTurn(id, question) {
  const text = el("div", { className: "answer-text", "aria-live": "polite", "aria-busy": "true" });
  const label = el("p", { className: "answer-label" }, "Answer");
  const answer = el("div", { className: "answer" }, label, text);
  const sources = el("section", { className: "sources", "aria-label": "Sources", hidden: true });
  const item = el(
    "li",
    { className: "turn pending", id: `turn-${id}` },
    el("div", { className: "asked" }, el("p", { className: "asked-label" }, "You asked"),
      el("p", { className: "asked-text" }, question)),
    el("article", { className: "reply" }, answer, sources),
  );
  $("conversation").append(item);
  $("empty").hidden = true;
  item.scrollIntoView({ block: "nearest" });
  return { id, item, text, label, answer, sources, raw: "" };
}

function withCitationLinks(turn, answerText, citations) {
  const known = new Map(citations.map((c) => [c.n, c]));
  const out = document.createDocumentFragment();
  let at = 0;
  for (const match of answerText.matchAll(/\[(\d+(?:\s*,\s*\d+)*)\]/g)) {
    out.append(answerText.slice(at, match.index));
    for (const n of match[1].split(",").map((s) => Number(s.trim()))) {
      const cited = known.get(n);
      if (!cited) {
        out.append(`[${n}]`);
        continue;
      }
      const link = el("a", {
        className: "cite",
        href: `#src-${turn.id}-${n}`,
        "aria-label": `source ${n}: ${cited.title}`,
      }, `[${n}]`);
      link.addEventListener("click", (event) => {
        event.preventDefault();
        const card = $(`src-${turn.id}-${n}`);
        card.focus(); // scrolls it into view, clear of the sticky question box
        history.replaceState(null, "", `#${card.id}`);
      });
      out.append(link);
    }
    at = match.index + match[0].length;
  }
  out.append(answerText.slice(at));
  return out;
}

function sourceCard(turn, c) {
  const url = safeUrl(c.url) || safeUrl(c.source);
  const title = url ? el("a", { href: url, rel: "noopener noreferrer", target: "_blank" }, c.title)
    : el("span", {}, c.title);
  const meta = el("p", { className: "meta" });
  const parts = [c.issuer, humanDate(c.published)].filter(Boolean);
  if (!c.published) parts.push("date not given");
  parts.forEach((part, i) => meta.append(i ? " · " : "", part));
  // Each case number opens the case's timeline (cases.js).
  const refs = c.references && c.references.length ? caseLinks(c.references) : null;
  const where = url ? el("p", { className: "link" }, el("a", { href: url, rel: "noopener noreferrer", target: "_blank", "aria-label": `Open the release: ${c.title}` }, new URL(url).host))
    : el("p", { className: "link" }, `From the file ${String(c.source).split(/[\\/]/).pop()}`);
  return el(
    "li",
    { className: "source", id: `src-${turn.id}-${c.n}`, tabindex: "-1" },
    el("h3", {}, el("span", { className: "num" }, `[${c.n}] `), title),
    meta,
    refs,
    el("blockquote", { className: "quote" }, c.quote),
    where,
  );
}

export function finish(turn, answer) {
  turn.item.classList.remove("pending");
  turn.text.setAttribute("aria-busy", "false");
  if (answer.refused) {
    turn.item.classList.add("refused");
    turn.label.textContent = "Not found in the publications";
    turn.text.replaceChildren(el("p", {}, answer.answer));
    announce("The publications do not answer that question.");
    return;
  }
  turn.text.replaceChildren(el("p", {}, withCitationLinks(turn, answer.answer, answer.citations)));
  if (answer.as_of) {
    turn.answer.append(el("p", { className: "as-of" }, "As of ", humanDate(answer.as_of),
      " (the newest release cited)"));
  }
  const list = el("ol", { className: "source-list" }, ...answer.citations.map((c) => sourceCard(turn, c)));
  turn.sources.replaceChildren(el("h3", { className: "sources-title" }, "Sources"), list);
  turn.sources.hidden = false;
  const n = answer.citations.length;
  announce(`Answer ready, with ${n} source${n === 1 ? "" : "s"}.`);
}

export function fail(turn, message) {
  turn.item.classList.remove("pending");
  turn.item.classList.add("failed");
  turn.text.setAttribute("aria-busy", "false");
  turn.label.textContent = "No answer";
  turn.text.replaceChildren(el("p", {}, message));
  showNotice(message);
}

export function showNotice(message) {
  const notice = $("notice");
  notice.textContent = message;
  notice.hidden = false;
}

export function announce(message) {
  $("status").textContent = message;
}

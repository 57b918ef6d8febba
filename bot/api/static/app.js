// The chat page: asks /ask/stream, shows the answer as it arrives, then its numbered sources.
// Publication text only ever reaches the page through textContent and createElement, never
// as markup, and links only when they are http(s).

import { $, humanDate } from "./dom.js";
import { ShownError, errorDetail, explain, postQuestion } from "./api.js";
import { startCases } from "./cases.js";
import { announce, fail, finish, newTurn, showNotice } from "./render.js";
import { sseEvents } from "./sse.js";

const MAX_HISTORY = 20; // the API refuses longer histories (MAX_HISTORY_TURNS)

const state = { history: [], turns: 0, busy: false, controller: null };

async function ask(question) {
  const body = { question, history: state.history.slice(-MAX_HISTORY) };
  for (const name of ["since", "until"]) if ($(name).value) body[name] = $(name).value;
  const turn = newTurn(++state.turns, question);
  const controller = new AbortController();
  state.controller = controller;
  $("notice").hidden = true;
  announce("Answering…");
  try {
    const response = await postQuestion(body, controller.signal);
    if (!response.ok) throw new ShownError(explain(response.status, await errorDetail(response)));
    let answer = null;
    for await (const { event, data } of sseEvents(response)) {
      const payload = JSON.parse(data);
      if (event === "delta") {
        turn.raw += payload.text;
        turn.text.textContent = turn.raw;
      } else if (event === "done") {
        answer = payload;
      } else if (event === "error") {
        throw new ShownError(explain(payload.status, payload.detail));
      }
    }
    if (!answer) throw new ShownError("The answer was cut off before it finished; try again.");
    finish(turn, answer);
    state.history.push({ role: "user", content: question }, { role: "assistant", content: answer.answer });
    return true;
  } catch (err) {
    if (err.name === "AbortError") {
      turn.item.remove();
      return false;
    }
    const message = err instanceof ShownError ? err.message
      : "Could not reach the service. Check your connection and try again.";
    if (!(err instanceof ShownError)) console.error(err);
    fail(turn, message);
    return false;
  } finally {
    if (state.controller === controller) state.controller = null;
  }
}

async function onSubmit(event) {
  event.preventDefault();
  const box = $("question");
  const question = box.value.trim();
  if (!question) {
    showNotice("Type a question first.");
    box.focus();
    return;
  }
  if (state.busy) {
    announce("Still answering the last question.");
    return;
  }
  state.busy = true;
  box.value = "";
  try {
    const ok = await ask(question);
    if (!ok && !box.value) box.value = question; // keep it to fix or send again
  } finally {
    state.busy = false;
  }
}

function newConversation() {
  if (state.controller) state.controller.abort();
  state.history = [];
  $("conversation").replaceChildren();
  $("empty").hidden = false;
  $("notice").hidden = true;
  announce("New conversation started.");
  $("question").focus();
}

async function showFreshness() {
  try {
    const response = await fetch("/readyz");
    const body = await response.json();
    const line = $("freshness");
    if (!response.ok) {
      line.textContent = "The service is not ready yet.";
      return;
    }
    line.replaceChildren(`${body.publications.toLocaleString("en")} publications`);
    const newest = humanDate(body.newest_published);
    if (newest) line.append(" · newest ", newest);
  } catch {
    $("freshness").textContent = "";
  }
}

function start() {
  $("ask-form").addEventListener("submit", onSubmit);
  $("question").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("ask-form").requestSubmit();
    }
  });
  $("new-conversation").addEventListener("click", newConversation);
  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const choice = event.submitter ? event.submitter.value : "ok";
    if (choice === "ok" && !$("api-key").value.trim()) {
      $("key-error").textContent = "Enter the key, or choose Cancel.";
      $("key-error").hidden = false;
      return;
    }
    $("key-dialog").close(choice);
  });
  showFreshness();
  startCases();
}

document.addEventListener("DOMContentLoaded", start);

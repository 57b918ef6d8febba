// Talking to /ask/stream and /cases: the bearer key (asked for on a 401, kept per tab) and
// error wording.

import { $ } from "./dom.js";

export const KEY_SLOT = "policing-qa.api-key"; // sessionStorage only: gone when the tab closes

export class ShownError extends Error {} // a message meant for the person, shown as it is

export async function errorDetail(response) {
  try {
    const body = await response.json();
    if (typeof body.detail === "string") return body.detail;
    if (Array.isArray(body.detail)) {
      // FastAPI's validation errors: say which field and what is wrong with it.
      return body.detail
        .map((e) => {
          const where = (e.loc || []).filter((p) => p !== "body").join(".");
          const msg = String(e.msg || "invalid").replace(/^Value error, /, "");
          return where ? `${where}: ${msg}` : msg;
        })
        .join("; ");
    }
  } catch {
    // not JSON: fall through to the status text
  }
  return `${response.status} ${response.statusText}`.trim();
}

export function explain(status, detail) {
  if (status === 503) return `The service is unavailable right now; try again in a moment. (${detail})`;
  if (status === 413 || status === 422) return `The question could not be sent: ${detail}`;
  if (status === 401) return `The API key was not accepted: ${detail}`;
  return `The service could not answer (${status}): ${detail}`;
}

export function askForKey(problem) {
  const dialog = $("key-dialog");
  const input = $("api-key");
  const error = $("key-error");
  error.hidden = !problem;
  error.textContent = problem || "";
  input.value = "";
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        const key = dialog.returnValue === "ok" ? input.value.trim() : "";
        input.value = "";
        resolve(key || null);
      },
      { once: true },
    );
    dialog.returnValue = "";
    dialog.showModal();
    input.focus();
  });
}

// Sends a request with the tab's key; on a 401 asks for a key and sends it again.
async function withKey(send, needed) {
  for (;;) {
    const key = sessionStorage.getItem(KEY_SLOT);
    const auth = key ? { Authorization: `Bearer ${key}` } : {};
    let response;
    try {
      response = await send(auth);
    } catch (err) {
      if (err.name === "AbortError") throw err;
      throw new ShownError("Could not reach the service. Check your connection and try again.");
    }
    if (response.status !== 401) return response;
    const detail = await errorDetail(response);
    sessionStorage.removeItem(KEY_SLOT);
    const entered = await askForKey(key ? `That key was not accepted (${detail}). Enter another.` : null);
    if (!entered) throw new ShownError(needed);
    sessionStorage.setItem(KEY_SLOT, entered);
  }
}

export function postQuestion(body, signal) {
  const headers = { "Content-Type": "application/json", Accept: "text/event-stream" };
  return withKey(
    (auth) => fetch("/ask/stream", { method: "POST", headers: { ...headers, ...auth }, body: JSON.stringify(body), signal }),
    "An API key is needed to ask questions. Ask again to enter one.",
  );
}

export function getTimeline(reference, signal) {
  return withKey(
    (auth) => fetch(`/cases/${encodeURIComponent(reference)}`, { headers: { Accept: "application/json", ...auth }, signal }),
    "An API key is needed to see a case's releases. Open the case again to enter one.",
  );
}

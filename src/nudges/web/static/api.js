// Talking to the server: every number the page shows comes from its /api endpoints.

// Every request names this tab's session: a model chosen with "Use it" is this tab's alone.
export async function api(path, body) {
  const headers = {"X-Nudges-Session": sessionId()};
  const options = body === undefined ? {headers} : {
    method: "POST", headers: {...headers, "Content-Type": "application/json"},
    body: JSON.stringify(body),
  };
  const response = await fetch("/api/" + path, options);
  const data = await response.json().catch(() => ({error: response.statusText}));
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

// This tab's training session: an id made up once and kept for the tab's life.
export function sessionId() {
  let id = sessionStorage.getItem("nudges-session");
  if (!id) {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    sessionStorage.setItem("nudges-session", id);
  }
  return id;
}

// Audit: searches the audit log through GET /admin/v1/audit?... . That route comes from a parallel
// change; until the gateway serves it, the page says so instead of failing.
import { api, ApiError } from "../api";
import { h, table, when } from "../dom";
import { errorBox } from "../main";

const FIELDS: [string, string, string][] = [
  ["actor", "Actor (client id or admin)", "text"],
  ["action", "Action", "text"],
  ["outcome", "Outcome", "text"],
  ["since", "Since", "date"],
  ["until", "Until", "date"],
];

export async function auditPage(root: HTMLElement): Promise<void> {
  const results = h("div", { "data-testid": "audit-results" });
  const form = h(
    "form",
    { class: "card grid", "data-testid": "audit-form" },
    ...FIELDS.flatMap(([name, label, type]) => [
      h("label", { for: `a-${name}` }, label),
      h("input", { id: `a-${name}`, name, type }),
    ]),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Search")),
  ) as HTMLFormElement;
  const search = async () => {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      const text = String(value).trim();
      if (!text) continue;
      // Dates become seconds since the epoch (UTC), like every time in the admin API.
      const input = form.elements.namedItem(name) as HTMLInputElement;
      params.set(name, input.type === "date" ? String(Date.parse(text) / 1000 + (name === "until" ? 86399 : 0)) : text);
    }
    results.replaceChildren(h("p", { class: "muted" }, "Searching…"));
    try {
      const answer = await api<any>("GET", `/audit?${params}`);
      const events: any[] = answer.events ?? answer.entries ?? answer.audit ?? [];
      results.replaceChildren(
        events.length
          ? table(
              ["Time", "Actor", "Action", "Target", "Outcome", "Detail"],
              events.map((e) => [
                when(e.time ?? e.at ?? e.recorded_at),
                e.actor ?? "—",
                e.action ?? "—",
                e.target ?? e.resource ?? "—",
                e.outcome ?? "—",
                e.detail ?? e.message ?? "",
              ]),
              "audit-table",
            )
          : h("p", { class: "notice" }, "No audit events match."),
      );
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 405)) {
        results.replaceChildren(
          h(
            "p",
            { class: "notice", "data-testid": "audit-unavailable" },
            "This gateway does not serve the audit log yet (GET /admin/v1/audit answered " +
              `${err.status}). Upgrade the gateway to a version with the audit API.`,
          ),
        );
      } else {
        results.replaceChildren(errorBox(err));
      }
    }
  };
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void search();
  });
  root.append(h("h1", {}, "Audit"), form, results);
  await search();
}

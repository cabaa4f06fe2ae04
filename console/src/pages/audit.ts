// Audit: searches the audit trail through GET /admin/v1/audit (docs/admin-api.md, docs/security.md
// "What is audited"): the answer is a FHIR searchset Bundle of AuditEvents, newest first.
import { api } from "../api";
import { h, table } from "../dom";
import { errorBox } from "../main";

const FIELDS: [string, string, string][] = [
  ["patient", "Patient id", "text"],
  ["client", "Client id or sync job (or development, practice, unauthenticated)", "text"],
  ["interaction", "Interaction (read, search-type, create, ...)", "text"],
  ["outcome", "Outcome (0 success, 4 refused, 8 error)", "text"],
  ["since", "Since", "date"],
  ["until", "Until (that whole day)", "date"],
];

// One table row of an AuditEvent: when, who, what, which entities, outcome, from where.
function row(event: any): string[] {
  const agent = (event.agent ?? [])[0] ?? {};
  const who = agent.who?.identifier?.value ?? agent.who?.display ?? agent.name ?? "—";
  const entities = (event.entity ?? [])
    .map((e: any) => e.what?.reference)
    .filter((r: any) => typeof r === "string")
    .join(", ");
  return [
    event.recorded ?? "—",
    who,
    event.subtype?.[0]?.code ?? event.action ?? "—",
    entities || "—",
    event.outcome ?? "—",
    agent.network?.address ?? "—",
  ];
}

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
    const params = new URLSearchParams({ _count: "100" });
    for (const [name, value] of new FormData(form)) {
      const text = String(value).trim();
      if (text) params.set(name, text); // dates are FHIR dates (YYYY-MM-DD), as the route takes
    }
    results.replaceChildren(h("p", { class: "muted" }, "Searching…"));
    try {
      const bundle = await api<any>("GET", `/audit?${params}`);
      const events: any[] = (bundle.entry ?? []).map((e: any) => e.resource);
      results.replaceChildren(
        events.length
          ? table(
              ["Recorded", "Who", "Interaction", "Entities", "Outcome", "From"],
              events.map(row),
              "audit-table",
            )
          : h("p", { class: "notice" }, "No audit events match."),
        h("p", { class: "muted" }, `${events.length} of ${bundle.total ?? events.length} shown`),
      );
    } catch (err) {
      results.replaceChildren(errorBox(err));
    }
  };
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void search();
  });
  root.append(h("h1", {}, "Audit"), form, results);
  await search();
}

// Partners: the partner endpoints with their health (the last connection test, which the gateway
// keeps, with the server certificate's expiry; last sync; errors),
// and the add/edit form with a Test connection button.
import { api } from "../api";
import { badge, h, table, when } from "../dom";
import { errorBox } from "../main";

export type Check = { outcome: "ok" | "warn" | "fail"; check: string; detail: string };
// The partner's TLS server certificate as a connection test saw it.
type Certificate = { subject: string; issuer?: string; expires: string; expires_at: number; days_left: number };
type TestResult = { endpoint: string; ok: boolean; checked_at: number; checks: Check[]; certificate?: Certificate };
// What the gateway keeps of an endpoint's last connection test (GET /endpoints "health").
type LastCheck = { checked_at: number; ok: boolean; message: string; certificate?: Certificate };
type Health = { last_check?: LastCheck; jobs: { name: string; kind: string; last_run?: { finished_at: number } }[] };

// A certificate expiring within this many days is shown as a warning (the check warns too).
const CERTIFICATE_WARNING_DAYS = 30;

function health(last: LastCheck | undefined): HTMLElement {
  if (!last) return badge("not tested", "none");
  if (!last.ok) return badge("failing", "fail");
  if (last.message) return badge("healthy (warnings)", "warn");
  return badge("healthy", "ok");
}

// The partner server certificate's expiry, as the last connection test saw it.
function certificate(cert: Certificate | undefined): HTMLElement {
  if (!cert || !cert.expires) return h("span", { class: "muted" }, "not seen yet (test the connection)");
  const kind = cert.days_left < 0 ? "fail" : cert.days_left < CERTIFICATE_WARNING_DAYS ? "warn" : "ok";
  const left = cert.days_left < 0 ? "expired" : `${cert.days_left} day(s) left`;
  return h(
    "span",
    { title: `${cert.subject}${cert.issuer ? `, issued by ${cert.issuer}` : ""}` },
    badge(`expires ${cert.expires}`, kind),
    h("div", { class: "muted" }, `${left}; ${cert.subject}`),
  );
}

export async function runTest(name: string): Promise<TestResult> {
  return api<TestResult>("POST", `/endpoints/${encodeURIComponent(name)}/test`);
}

function resultHealth(result: TestResult): HTMLElement {
  if (!result.ok) return badge("failing", "fail");
  if (result.checks.some((c) => c.outcome === "warn")) return badge("healthy (warnings)", "warn");
  return badge("healthy", "ok");
}

export function checksList(result: TestResult): HTMLElement {
  return h(
    "div",
    { "data-testid": "test-result" },
    h("p", {}, "Connection test: ", resultHealth(result)),
    h("p", {}, "Server certificate: ", certificate(result.certificate)),
    h(
      "ul",
      { class: "checks" },
      ...result.checks.map((c) => h("li", {}, badge(c.outcome, c.outcome), ` ${c.check}: ${c.detail}`)),
    ),
  );
}

export async function partnersPage(root: HTMLElement): Promise<void> {
  const [{ endpoints, health: healths }, { jobs }] = await Promise.all([
    api<{ endpoints: any[]; health?: Record<string, Health> }>("GET", "/endpoints"),
    api<{ jobs: any[] }>("GET", "/jobs"),
  ]);
  const formSlot = h("div", { "data-form-slot": true });
  const rows = endpoints.map((e) => {
    const mine = jobs.filter((j) => j.endpoint === e.name);
    const kept = healths?.[e.name];
    const last = kept?.last_check;
    const lastSync = Math.max(0, ...(kept?.jobs ?? mine).map((j) => j.last_run?.finished_at ?? 0));
    const failedRuns = mine.filter((j) => j.last_run && j.last_run.outcome !== "ok").length;
    const failedItems = mine.reduce((n, j) => n + (j.last_run?.failed ?? 0), 0);
    const dead = mine.reduce((n, j) => n + (j.dead_items ?? 0), 0);
    return [
      h("strong", {}, e.name),
      e.base_url,
      h(
        "span",
        { "data-testid": `health-${e.name}` },
        health(last),
        last ? h("div", { class: "muted" }, `tested ${when(last.checked_at)}`) : null,
        last?.message ? h("div", { class: "muted" }, last.message) : null,
      ),
      lastSync ? when(lastSync) : "never",
      `${failedRuns} failed run(s), ${failedItems} failed item(s), ${dead} dead letter(s)`,
      h("span", { "data-testid": `certificate-${e.name}` }, certificate(last?.certificate)),
      h(
        "span",
        {},
        h("button", { type: "button", class: "secondary", onclick: () => showForm(formSlot, e, root) }, "Edit"),
        " ",
        h(
          "button",
          {
            type: "button",
            class: "secondary",
            onclick: async () => {
              try {
                await runTest(e.name);
                await rerender(root);
              } catch (err) {
                formSlot.replaceChildren(errorBox(err));
              }
            },
          },
          "Test",
        ),
      ),
    ];
  });
  root.append(
    h("h1", {}, "Partners"),
    endpoints.length
      ? table(["Endpoint", "FHIR base", "Health", "Last sync", "Errors", "Server certificate", ""], rows, "partners")
      : h("p", { class: "notice", "data-testid": "partners" }, "No partner endpoints yet."),
    h("button", { type: "button", onclick: () => showForm(formSlot, null, root) }, "Add endpoint"),
    formSlot,
  );
}

async function rerender(root: HTMLElement): Promise<void> {
  root.replaceChildren();
  await partnersPage(root);
}

function field(label: string, name: string, value: unknown, attrs: Record<string, string> = {}): HTMLElement[] {
  const id = `f-${name}`;
  return [
    h("label", { for: id }, label),
    h("input", { id, name, value: value === undefined || value === null ? "" : String(value), ...attrs }),
  ];
}

function showForm(slot: HTMLElement, existing: any | null, root: HTMLElement): void {
  const e = existing ?? { auth: { method: "none" }, tls: {} };
  const method = h(
    "select",
    { id: "f-auth.method", name: "auth.method" },
    ...["none", "bearer", "smart"].map((m) =>
      h("option", { value: m, selected: (e.auth?.method ?? "none") === m }, m),
    ),
  ) as HTMLSelectElement;
  const result = h("div");
  const testButton = h("button", { type: "button", class: "secondary", disabled: !existing }, "Test connection") as HTMLButtonElement;
  const form = h(
    "form",
    { class: "card grid", "data-testid": "endpoint-form" },
    h("h2", {}, existing ? `Edit ${e.name}` : "Add endpoint"),
    h("span"),
    ...field("Name", "name", e.name, existing ? { readonly: "readonly" } : { required: "required" }),
    ...field("FHIR base URL", "base_url", e.base_url, { required: "required", placeholder: "https://fhir.partner.example/r4" }),
    ...field("Organization NPI", "organization_npi", e.organization_npi, { required: "required" }),
    ...field("Timeout (seconds)", "timeout_seconds", e.timeout_seconds, { type: "number", min: "1", max: "600" }),
    ...field("CA file", "tls.ca_file", e.tls?.ca_file),
    ...field("Client certificate file", "tls.client_certificate", e.tls?.client_certificate),
    ...field("Client key file", "tls.client_key", e.tls?.client_key),
    h("label", { for: "f-auth.method" }, "Authorization"),
    method,
    ...field("Token file (bearer)", "auth.token_file", e.auth?.token_file),
    ...field("Client id (SMART)", "auth.client_id", e.auth?.client_id),
    ...field("Token URL (SMART)", "auth.token_url", e.auth?.token_url),
    ...field("Private key file (SMART)", "auth.private_key_file", e.auth?.private_key_file),
    ...field("Key id (SMART)", "auth.kid", e.auth?.kid),
    ...field("Scopes (SMART)", "auth.scopes", e.auth?.scopes),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit" }, "Save"),
      testButton,
      h("button", { type: "button", class: "secondary", onclick: () => slot.replaceChildren() }, "Close"),
    ),
  ) as HTMLFormElement;
  testButton.addEventListener("click", async () => {
    testButton.disabled = true;
    result.replaceChildren(h("p", { class: "muted" }, "Testing…"));
    try {
      result.replaceChildren(checksList(await runTest(e.name)));
    } catch (err) {
      result.replaceChildren(errorBox(err));
    } finally {
      testButton.disabled = false;
    }
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = endpointFromForm(new FormData(form));
    try {
      if (existing) await api("PUT", `/endpoints/${encodeURIComponent(e.name)}`, body);
      else await api("POST", "/endpoints", body);
      // Back to the list with the saved endpoint open for a connection test.
      const saved = await api("GET", `/endpoints/${encodeURIComponent(body.name)}`);
      await rerender(root);
      const newSlot = root.querySelector("[data-form-slot]") as HTMLElement | null;
      showForm(newSlot ?? root.appendChild(h("div")), saved, root);
      (root.querySelector("[data-testid=saved]") as HTMLElement | null)?.remove();
      root.append(h("p", { class: "notice", "data-testid": "saved" }, `Saved ${body.name}.`));
    } catch (err) {
      result.replaceChildren(errorBox(err));
    }
  });
  slot.setAttribute("data-form-slot", "");
  slot.replaceChildren(form, result);
}

function endpointFromForm(data: FormData): any {
  const value = (name: string) => String(data.get(name) ?? "").trim();
  const body: any = {
    name: value("name"),
    base_url: value("base_url"),
    organization_npi: value("organization_npi"),
  };
  if (value("timeout_seconds")) body.timeout_seconds = Number(value("timeout_seconds"));
  const tls: any = {};
  for (const k of ["ca_file", "client_certificate", "client_key"]) if (value(`tls.${k}`)) tls[k] = value(`tls.${k}`);
  if (Object.keys(tls).length) body.tls = tls;
  const auth: any = { method: value("auth.method") || "none" };
  const authFields: Record<string, string[]> = {
    none: [],
    bearer: ["token_file"],
    smart: ["client_id", "token_url", "private_key_file", "kid", "scopes"],
  };
  for (const k of authFields[auth.method] ?? []) if (value(`auth.${k}`)) auth[k] = value(`auth.${k}`);
  body.auth = auth;
  return body;
}

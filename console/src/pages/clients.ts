// Clients: the partner EHRs registered for SMART Backend Services, with their key ids.
import { api } from "../api";
import { h, table } from "../dom";

function keyIds(client: any): string {
  const keys: any[] = client.jwks?.keys ?? [];
  const kids = keys.map((k) => `${k.kid ?? "(no kid)"} (${k.kty ?? "?"}${k.alg ? " " + k.alg : ""})`);
  if (client.jwks_file) kids.push(`keys in ${client.jwks_file}`);
  if (client.jwks_url) kids.push(`keys at ${client.jwks_url}`);
  return kids.join(", ") || "—";
}

export async function clientsPage(root: HTMLElement): Promise<void> {
  const { clients } = await api<{ clients: any[] }>("GET", "/clients");
  root.append(
    h("h1", {}, "Clients"),
    h("p", { class: "muted" }, "Partner EHRs that call this gateway's FHIR API with SMART Backend Services tokens."),
    clients.length
      ? table(
          ["Client id", "Name", "Scopes", "Key ids", "Patients"],
          clients.map((c) => [
            h("strong", {}, c.client_id),
            c.name ?? "—",
            c.scopes ?? (Array.isArray(c.allowed_scopes) ? c.allowed_scopes.join(" ") : c.allowed_scopes ?? "—"),
            keyIds(c),
            c.organization_npi ?? c.patients ?? "—",
          ]),
          "clients",
        )
      : h("p", { class: "notice", "data-testid": "clients" }, "No SMART clients registered (development mode has none)."),
  );
}

// Jobs: the sync jobs with schedule, last run and open items; Run now; and a form to add one.
import { api } from "../api";
import { badge, h, table, when } from "../dom";
import { errorBox } from "../main";

function outcome(run: any): HTMLElement {
  if (!run) return badge("never run", "none");
  return badge(run.outcome, run.outcome === "ok" ? "ok" : "fail");
}

export async function jobsPage(root: HTMLElement): Promise<void> {
  const [{ jobs }, { endpoints }] = await Promise.all([
    api<{ jobs: any[] }>("GET", "/jobs"),
    api<{ endpoints: any[] }>("GET", "/endpoints"),
  ]);
  const status = h("div");
  const rerender = async () => {
    root.replaceChildren();
    await jobsPage(root);
  };
  const rows = jobs.map((j) => {
    const r = j.last_run;
    return [
      h("strong", {}, j.name),
      j.kind,
      j.endpoint,
      j.cron ? `cron ${j.cron}` : `every ${j.every}`,
      h("span", {}, outcome(r), r ? h("div", { class: "muted" }, when(r.finished_at), r.message ? ` — ${r.message}` : "") : null),
      h("span", { "data-testid": `counts-${j.name}` }, r ? `sent ${r.sent}, received ${r.received}, failed ${r.failed}` : "—"),
      `${j.pending_items} pending, ${j.dead_items} dead`,
      when(j.next_run_at),
      h(
        "button",
        {
          type: "button",
          "data-testid": `run-${j.name}`,
          onclick: async (e: Event) => {
            (e.target as HTMLButtonElement).disabled = true;
            try {
              await api("POST", `/jobs/${encodeURIComponent(j.name)}/run`);
              status.replaceChildren(h("p", { class: "notice" }, `${j.name} queued; watching for the run to finish…`));
              await waitForRun(j.name, j.runs ?? 0);
              await rerender();
            } catch (err) {
              status.replaceChildren(errorBox(err));
            }
          },
        },
        "Run now",
      ),
    ];
  });
  const form = h(
    "form",
    { class: "card grid", "data-testid": "job-form" },
    h("h2", {}, "Add job"),
    h("span"),
    h("label", { for: "j-name" }, "Name"),
    h("input", { id: "j-name", name: "name", required: true }),
    h("label", { for: "j-kind" }, "Kind"),
    h(
      "select",
      { id: "j-kind", name: "kind" },
      ...["push_care_plans", "pull_referrals", "push_referral_status", "pull_medication_history"].map((k) =>
        h("option", { value: k }, k),
      ),
    ),
    h("label", { for: "j-endpoint" }, "Endpoint"),
    h("select", { id: "j-endpoint", name: "endpoint" }, ...endpoints.map((e) => h("option", { value: e.name }, e.name))),
    h("label", { for: "j-every" }, "Every (90s, 15m, 2h, 1d)"),
    h("input", { id: "j-every", name: "every", placeholder: "1d" }),
    h("label", { for: "j-cron" }, "or cron (UTC)"),
    h("input", { id: "j-cron", name: "cron", placeholder: "0 6 * * *" }),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Add job")),
  ) as HTMLFormElement;
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const body: any = { name: data.get("name"), kind: data.get("kind"), endpoint: data.get("endpoint") };
    if (String(data.get("cron") ?? "").trim()) body.cron = String(data.get("cron")).trim();
    else body.every = String(data.get("every") ?? "").trim() || "1d";
    try {
      await api("POST", "/jobs", body);
      await rerender();
    } catch (err) {
      status.replaceChildren(errorBox(err));
    }
  });
  root.append(
    h("h1", {}, "Jobs"),
    jobs.length
      ? table(["Job", "Kind", "Endpoint", "Schedule", "Last run", "Counts", "Outbox", "Next run", ""], rows, "jobs")
      : h("p", { class: "notice", "data-testid": "jobs" }, "No sync jobs yet."),
    status,
    endpoints.length ? form : h("p", { class: "muted" }, "Add a partner endpoint first to add a job."),
  );
}

// Polls the job until it has recorded more than `runs` runs (up to 60 s): run counts, not start
// times, since two runs can start in the same second.
async function waitForRun(name: string, runs: number): Promise<void> {
  for (let i = 0; i < 120; i++) {
    const job = await api("GET", `/jobs/${encodeURIComponent(name)}`);
    if ((job.runs ?? 0) > runs) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${name} did not finish a run within 60 seconds`);
}

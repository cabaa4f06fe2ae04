// Dead letters: outbox items a job gave up on; retry them (all, or one job's) or discard one.
import { api } from "../api";
import { h, table, when } from "../dom";
import { errorBox } from "../main";

export async function deadLettersPage(root: HTMLElement): Promise<void> {
  const { dead_letters } = await api<{ dead_letters: any[] }>("GET", "/dead-letters");
  const status = h("div");
  const rerender = async () => {
    root.replaceChildren();
    await deadLettersPage(root);
  };
  const act = (fn: () => Promise<unknown>) => async () => {
    try {
      await fn();
      await rerender();
    } catch (err) {
      status.replaceChildren(errorBox(err));
    }
  };
  root.append(
    h("h1", {}, "Dead letters"),
    status,
    dead_letters.length
      ? h(
          "div",
          {},
          table(
            ["Id", "Job", "Item", "Attempts", "Last error", "Updated", ""],
            dead_letters.map((d) => [
              String(d.id),
              d.job,
              d.key,
              String(d.attempts),
              d.last_error ?? "—",
              when(d.updated_at ?? d.last_attempt_at),
              h(
                "span",
                {},
                h("button", { type: "button", class: "secondary", onclick: act(() => api("POST", `/dead-letters/retry?job=${encodeURIComponent(d.job)}`)) }, `Retry ${d.job}`),
                " ",
                h(
                  "button",
                  {
                    type: "button",
                    class: "secondary",
                    onclick: act(async () => {
                      if (confirm(`Discard dead letter ${d.id} for good?`)) await api("DELETE", `/dead-letters/${encodeURIComponent(d.id)}`);
                    }),
                  },
                  "Discard",
                ),
              ),
            ]),
            "dead-letters",
          ),
          h("button", { type: "button", onclick: act(() => api("POST", "/dead-letters/retry")) }, "Retry all"),
        )
      : h("p", { class: "notice", "data-testid": "dead-letters" }, "No dead letters: every outbox item was delivered or is still pending."),
  );
}

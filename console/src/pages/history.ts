// Sync history: sync volume (sent, received) and errors (failed items, failed runs) per day over
// the last 14 days, from GET /admin/v1/sync/history?days=14, drawn as plain SVG bars.
import { api, ApiError } from "../api";
import { h, svg, table } from "../dom";
import { errorBox } from "../main";

const DAYS = 14;
type Row = { day: string; job: string; runs: number; failed_runs: number; sent: number; received: number; failed: number };
type Day = { day: string; sent: number; received: number; failed: number; runs: number; failed_runs: number };

export function byDay(rows: Row[], today: Date, days = DAYS): Day[] {
  const out: Day[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - i));
    out.push({ day: d.toISOString().slice(0, 10), sent: 0, received: 0, failed: 0, runs: 0, failed_runs: 0 });
  }
  for (const r of rows) {
    const slot = out.find((d) => d.day === r.day);
    if (!slot) continue;
    slot.sent += r.sent;
    slot.received += r.received;
    slot.failed += r.failed;
    slot.runs += r.runs;
    slot.failed_runs += r.failed_runs;
  }
  return out;
}

function chart(days: Day[]): SVGElement {
  const width = 840, height = 260, left = 40, bottom = 40, top = 10;
  const plotH = height - bottom - top;
  const slot = (width - left) / days.length;
  const bar = Math.max(4, (slot - 8) / 3);
  const max = Math.max(1, ...days.map((d) => Math.max(d.sent, d.received, d.failed)));
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const parts: SVGElement[] = [];
  for (const tick of [0, 0.5, 1]) {
    const v = Math.round(max * tick);
    parts.push(svg("line", { x1: left, x2: width, y1: y(v), y2: y(v), stroke: "#dde3ea" }));
    parts.push(svg("text", { x: left - 6, y: y(v) + 3, "text-anchor": "end" }, String(v)));
  }
  days.forEach((d, i) => {
    const x0 = left + i * slot + 4;
    const series: [number, string, string][] = [
      [d.sent, "#2f6fa6", "sent"],
      [d.received, "#6fb3f2", "received"],
      [d.failed, "#d9534f", "failed"],
    ];
    series.forEach(([v, colour, name], k) => {
      const r = svg("rect", { x: x0 + k * bar, y: y(v), width: bar - 1, height: top + plotH - y(v), fill: colour });
      r.append(svg("title", {}, `${d.day}: ${v} ${name}`));
      parts.push(r);
    });
    if (d.failed_runs > 0) parts.push(svg("text", { x: x0 + bar, y: top + 10, fill: "#d9534f" }, `${d.failed_runs}✗`));
    parts.push(svg("text", { x: x0 + bar * 1.5, y: height - bottom + 14, "text-anchor": "middle" }, d.day.slice(5)));
  });
  return svg("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": "Sync volume and errors per day", "data-testid": "history-chart" }, ...parts);
}

export async function historyPage(root: HTMLElement): Promise<void> {
  root.append(h("h1", {}, `Sync volume and errors, last ${DAYS} days`));
  let rows: Row[];
  try {
    const answer = await api<{ history: Row[] }>("GET", `/sync/history?days=${DAYS}`);
    rows = answer.history ?? [];
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      root.append(h("p", { class: "notice", "data-testid": "history-unavailable" }, "This gateway does not serve the sync history (GET /admin/v1/sync/history answered 404)."));
      return;
    }
    root.append(errorBox(err));
    return;
  }
  const days = byDay(rows, new Date());
  root.append(
    h(
      "div",
      { class: "legend" },
      h("span", {}, h("span", { class: "swatch sent" }), "sent"),
      h("span", {}, h("span", { class: "swatch received" }), "received"),
      h("span", {}, h("span", { class: "swatch failed" }), "failed items"),
      h("span", {}, "n✗ = failed runs"),
    ),
    h("div", { class: "card" }, chart(days)),
    h("h2", {}, "Per job"),
    rows.length
      ? table(
          ["Day", "Job", "Runs", "Failed runs", "Sent", "Received", "Failed"],
          rows.map((r) => [r.day, r.job, r.runs, r.failed_runs, r.sent, r.received, r.failed]),
          "history-table",
        )
      : h("p", { class: "notice" }, "No sync runs in this period."),
  );
}

// The Duet admin console: a small single-page app over the admin API (/admin/v1). Pages are
// addressed by path under /admin/ (the gateway answers index.html for every page path).
import "./style.css";
import { ApiError, setToken, token, whenUnauthorized } from "./api";
import { h } from "./dom";
import { partnersPage } from "./pages/partners";
import { clientsPage } from "./pages/clients";
import { jobsPage } from "./pages/jobs";
import { deadLettersPage } from "./pages/dead_letters";
import { auditPage } from "./pages/audit";
import { historyPage } from "./pages/history";

type Page = { path: string; title: string; render: (root: HTMLElement) => Promise<void> };

const pages: Page[] = [
  { path: "partners", title: "Partners", render: partnersPage },
  { path: "clients", title: "Clients", render: clientsPage },
  { path: "jobs", title: "Jobs", render: jobsPage },
  { path: "dead-letters", title: "Dead letters", render: deadLettersPage },
  { path: "audit", title: "Audit", render: auditPage },
  { path: "history", title: "Sync history", render: historyPage },
];

const app = document.getElementById("app") as HTMLElement;
const nav = document.getElementById("nav") as HTMLElement;
const logout = document.getElementById("logout") as HTMLButtonElement;

function currentPage(): Page {
  const name = location.pathname.replace(/^\/admin\/?/, "").split("/")[0];
  return pages.find((p) => p.path === name) ?? pages[0];
}

export function navigate(path: string): void {
  history.pushState(null, "", `/admin/${path}`);
  void render();
}

function renderNav(active: Page): void {
  nav.replaceChildren(
    ...pages.map((p) =>
      h(
        "a",
        {
          href: `/admin/${p.path}`,
          class: p === active ? "active" : undefined,
          onclick: (e: Event) => {
            e.preventDefault();
            navigate(p.path);
          },
        },
        p.title,
      ),
    ),
  );
}

function renderLogin(): void {
  const input = h("input", {
    type: "password",
    name: "token",
    autocomplete: "off",
    "aria-label": "Admin token",
    required: true,
  }) as HTMLInputElement;
  app.replaceChildren(
    h(
      "form",
      {
        class: "card login",
        "data-testid": "login",
        onsubmit: (e: Event) => {
          e.preventDefault();
          setToken(input.value.trim());
          void render();
        },
      },
      h("h1", {}, "Sign in"),
      h("p", {}, "Paste the admin token (the contents of auth.admin_token_file)."),
      input,
      h("button", { type: "submit" }, "Sign in"),
    ),
  );
}

let showLogin = false;
whenUnauthorized(() => {
  setToken(null);
  showLogin = true;
});

async function render(): Promise<void> {
  const page = currentPage();
  renderNav(page);
  logout.hidden = token() === null;
  document.title = `${page.title} · Duet admin`;
  const root = h("section", { "data-page": page.path });
  app.replaceChildren(root);
  try {
    await page.render(root);
  } catch (e) {
    if (showLogin) {
      showLogin = false;
      renderLogin();
      return;
    }
    root.append(errorBox(e));
  }
}

export function errorBox(e: unknown): HTMLElement {
  const box = h("div", { class: "error", role: "alert" }, e instanceof Error ? e.message : String(e));
  if (e instanceof ApiError && e.problems.length > 0) {
    box.append(h("ul", {}, ...e.problems.map((p) => h("li", {}, `${p.pointer}: ${p.message}`))));
  }
  return box;
}

logout.addEventListener("click", () => {
  setToken(null);
  renderLogin();
  logout.hidden = true;
});
window.addEventListener("popstate", () => void render());
void render();

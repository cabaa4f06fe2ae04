// End-to-end test of the admin console in headless Chromium (Debian's /usr/bin/chromium) driven by
// playwright-core. run.sh starts the gateways and passes their addresses in the environment:
//   CONSOLE_URL   https://127.0.0.1:PORT/admin/ of the practice gateway
//   PARTNER_URL   https://127.0.0.1:PORT of the partner gateway (mutual TLS)
//   CERTS         the test certificate directory (ca.pem, client.pem, client.key)
//   ADMIN_TOKEN   the admin token (smart mode), or empty in development mode
//   SCREENSHOTS   where a screenshot of every page is saved
//   PRACTICE_URL, PRACTICE_TOKEN  the practice API, for the plan of care recorded mid-test
//   NODE_EXTRA_CA_CERTS  the test CA, so that Node's fetch trusts the gateways
//   CERT_EXPIRES  the partner server certificate's notAfter, "YYYY-MM-DDThh:mm:ssZ"
// Exits 0 when every step passed; otherwise prints the failed step and exits 1.
import { createRequire } from "node:module";
import { mkdirSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "../../console/package.json"));
const { chromium } = require("playwright-core");

const env = (name) => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set (run tests/console/run.sh)`);
  return value;
};
const consoleUrl = env("CONSOLE_URL");
const partnerUrl = env("PARTNER_URL");
const certs = env("CERTS");
const adminToken = process.env.ADMIN_TOKEN ?? "";
const screenshots = env("SCREENSHOTS");
const practiceUrl = env("PRACTICE_URL");
const certExpires = env("CERT_EXPIRES");
const practiceToken = process.env.PRACTICE_TOKEN ?? "";
const fixtures = join(here, "../fixtures/prf");
mkdirSync(screenshots, { recursive: true });

function check(condition, message) {
  if (!condition) throw new Error(message);
}

// launch() gives Chromium a new, empty profile directory of its own (and removes it after).
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
let failed = false;
try {
  // The gateways use the test CA, which Chromium does not know.
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const consoleErrors = [];
  // A 401 before sign-in and a 404 from a route this gateway lacks are logged by Chromium as
  // "Failed to load resource"; the pages handle both, so only other errors count.
  page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && consoleErrors.push(m.text()));
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  const shot = async (name) => page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  const step = (name) => console.log(`console test: ${name}`);

  step("open the console");
  const response = await page.goto(consoleUrl);
  check(response.status() === 200, `GET ${consoleUrl} answered ${response.status()}`);
  const csp = response.headers()["content-security-policy"] ?? "";
  check(csp.includes("default-src 'self'"), `no strict CSP on index.html: '${csp}'`);
  if (adminToken) {
    step("sign in with the admin token");
    await page.getByTestId("login").waitFor();
    await shot("00-sign-in");
    await page.getByLabel("Admin token").fill(adminToken);
    await page.getByRole("button", { name: "Sign in" }).click();
  }
  await page.getByRole("heading", { name: "Partners" }).waitFor();
  await page.getByText("No partner endpoints yet.").waitFor();

  step("add an endpoint through the form");
  await page.getByRole("button", { name: "Add endpoint" }).click();
  const form = page.getByTestId("endpoint-form");
  await form.getByLabel("Name").fill("evim");
  await form.getByLabel("FHIR base URL").fill(`${partnerUrl}/fhir`);
  await form.getByLabel("Organization NPI").fill("1620193841");
  await form.getByLabel("Timeout (seconds)").fill("5");
  await form.getByLabel("CA file").fill(`${certs}/ca.pem`);
  await form.getByLabel("Client certificate file").fill(`${certs}/client.pem`);
  await form.getByLabel("Client key file").fill(`${certs}/client.key`);
  await shot("01-partners-add-endpoint");
  await form.getByRole("button", { name: "Save" }).click();
  await page.getByTestId("saved").waitFor();
  await page.getByTestId("health-evim").getByText("not tested").waitFor();

  step("test the connection against the live partner");
  await page.getByTestId("endpoint-form").getByRole("button", { name: "Test connection" }).click();
  const result = page.getByTestId("test-result");
  await result.waitFor({ timeout: 30000 });
  const resultText = await result.innerText();
  check(/healthy/.test(resultText), `connection test not healthy:\n${resultText}`);
  check(resultText.includes(`expires ${certExpires}`), `the test does not show the expiry ${certExpires}:\n${resultText}`);
  await shot("02-partners-connection-test");

  step("see the endpoint listed as healthy, with its certificate's expiry");
  await page.getByRole("link", { name: "Partners" }).click();
  const health = await page.getByTestId("health-evim").innerText();
  check(/^healthy/.test(health), `partners list says '${health}'`);
  const certificate = await page.getByTestId("certificate-evim").innerText();
  check(certificate.includes(`expires ${certExpires}`), `partners list certificate says '${certificate}'`);
  await shot("03-partners-healthy");

  step("the gateway keeps the health: a new browser session sees it");
  {
    const fresh = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
    const other = await fresh.newPage();
    await other.goto(consoleUrl);
    if (adminToken) {
      await other.getByTestId("login").waitFor();
      await other.getByLabel("Admin token").fill(adminToken);
      await other.getByRole("button", { name: "Sign in" }).click();
    }
    await other.getByRole("heading", { name: "Partners" }).waitFor();
    await other.getByTestId("health-evim").waitFor();
    const kept = await other.getByTestId("health-evim").innerText();
    check(/^healthy/.test(kept), `after a new sign-in the partners list says '${kept}'`);
    const keptCertificate = await other.getByTestId("certificate-evim").innerText();
    check(keptCertificate.includes(`expires ${certExpires}`), `after a new sign-in the certificate says '${keptCertificate}'`);
    await fresh.close();
  }

  step("add a push_care_plans job");
  await page.getByRole("link", { name: "Jobs" }).click();
  await page.getByText("No sync jobs yet.").waitFor();
  const jobForm = page.getByTestId("job-form");
  await jobForm.getByLabel("Name").fill("push-evim");
  await jobForm.getByLabel("Kind").selectOption("push_care_plans");
  await jobForm.getByLabel("Endpoint").selectOption("evim");
  await jobForm.getByLabel("Every (90s, 15m, 2h, 1d)").fill("1d");
  await jobForm.getByRole("button", { name: "Add job" }).click();
  // A new job runs at once; the practice has no plan of care yet, so that run sends nothing.
  const counts = page.getByTestId("counts-push-evim");
  await counts.waitFor();
  for (let i = 0; i < 60 && (await counts.innerText()) === "—"; i++) {
    await page.waitForTimeout(500);
    await page.getByRole("link", { name: "Jobs" }).click();
  }
  const before = await counts.innerText();
  check(/^sent 0,/.test(before), `the first run (no plan of care yet) says '${before}'`);
  await shot("04-jobs-before-run");

  step("the practice records a plan of care");
  const upload = await fetch(`${practiceUrl}/practice/v1/records`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${practiceToken}` },
    body: readFileSync(join(fixtures, "plan_of_care.json")),
  });
  check(upload.status === 200, `uploading the plan of care answered ${upload.status}: ${await upload.text()}`);

  step("run it now and see the counts change");
  await page.getByTestId("run-push-evim").click();
  await page.waitForFunction(
    (old) => {
      const el = document.querySelector("[data-testid=counts-push-evim]");
      return el && el.textContent !== old && /sent \d+/.test(el.textContent);
    },
    before,
    { timeout: 60000 },
  );
  const after = await page.getByTestId("counts-push-evim").innerText();
  const sent = Number(/sent (\d+)/.exec(after)[1]);
  check(sent > 0, `after Run now the counts are '${after}' (were '${before}')`);
  check(/failed 0/.test(after), `the run failed items: '${after}'`);
  await shot("05-jobs-after-run");

  step("the other pages");
  await page.getByRole("link", { name: "Clients" }).click();
  await page.getByRole("heading", { name: "Clients" }).waitFor();
  await shot("06-clients");
  await page.getByRole("link", { name: "Dead letters" }).click();
  await page.getByRole("heading", { name: "Dead letters" }).waitFor();
  await page.getByTestId("dead-letters").waitFor();
  await shot("07-dead-letters");
  await page.getByRole("link", { name: "Audit" }).click();
  await page.getByRole("heading", { name: "Audit" }).waitFor();
  // The audit trail answers: a table of events, or the notice that none match.
  await page.locator("[data-testid=audit-table], [data-testid=audit-results] .notice").first().waitFor();
  await shot("08-audit");
  await page.getByRole("link", { name: "Sync history" }).click();
  await page.locator("[data-testid=history-chart], [data-testid=history-unavailable]").first().waitFor();
  if (await page.getByTestId("history-chart").count()) {
    const table = await page.getByTestId("history-table").innerText();
    check(/push-evim/.test(table), `the history does not list today's run:\n${table}`);
  }
  await shot("09-sync-history");

  step("a page path reloads into the app");
  await page.reload();
  await page.getByRole("heading", { name: /Sync volume/ }).waitFor();
  check(consoleErrors.length === 0, `errors in the browser console:\n${consoleErrors.join("\n")}`);
  console.log(`console test: passed; screenshots in ${screenshots}`);
} catch (e) {
  failed = true;
  console.error(`console test FAILED: ${e.stack ?? e}`);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);

// What every console test shares: a real `steward serve` on a random port
// against a fresh SQLite file, the API to set the scene, and Debian's Chromium
// (never a downloaded browser) whose console errors fail the test.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const ROOT = resolve(import.meta.dirname, "../../../..");
const BINARY = process.env.STEWARD_BINARY ?? join(ROOT, "target/debug/steward");
const SCREENSHOTS = join(ROOT, "target/screenshots");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** Starts `steward serve` with `policy` (a preset name or TOML text) and
 * `args`, more flags of `serve` (`--webhooks-allow-private`). */
export async function startServer(policy = "operations", { args = [] } = {}) {
  assert.ok(existsSync(BINARY), `build Steward first: ${BINARY} is missing`);
  const dir = mkdtempSync(join(tmpdir(), "steward-browser-"));
  let policyArg = policy;
  if (policy.includes("\n")) {
    policyArg = join(dir, "policy.toml");
    writeFileSync(policyArg, policy);
  }
  const child = spawn(BINARY, [
    "serve", "--bind", "127.0.0.1:0", "--signup", "on",
    "--database-url", `sqlite://${join(dir, "steward.db")}`, "--policy", policyArg,
    ...args,
    // Mails go to the log without --smtp-url: the tests read their links there.
  ], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RUST_LOG: "warn,steward::mail=info" } });
  let log = "";
  child.stderr.on("data", (d) => { log += d; });
  const url = await new Promise((ok, fail) => {
    let out = "";
    const timer = setTimeout(() => fail(new Error(`steward did not start:\n${out}\n${log}`)), 20000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/running at (http:\/\/[^\s/]+)\//);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
    child.on("exit", (code) => fail(new Error(`steward exited (${code}):\n${out}\n${log}`)));
  });
  return { url, stop: () => child.kill("SIGTERM"), log: () => log };
}

/** The operations preset with only `admin` counting as an admin, so the last
 * admin rule can bite (the shipped preset counts the owner too). */
export function operationsWithAdminsOnly() {
  const source = readFileSync(join(ROOT, "policies/operations.toml"), "utf8");
  const changed = source.replace('admin_roles = ["admin", "owner"]', 'admin_roles = ["admin"]');
  assert.notEqual(changed, source, "the preset's admin_roles line moved");
  return changed;
}

/** A JSON call to the API; fails the test on an unexpected status. */
export async function api(server, method, path, { token, body, expect = [200, 201, 204] } = {}) {
  const res = await fetch(server.url + path, {
    method,
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(expect.includes(res.status), `${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

export const PASSWORD = "correct horse battery";

/** Signs up `email` with an organization; answers {org, token, userId}. */
export async function signUp(server, email, name, orgName) {
  const made = await api(server, "POST", "/api/v1/signup", {
    body: { email, name, password: PASSWORD, org_name: orgName },
  });
  await proveAddress(server, email);
  const token = await login(server, email);
  return { org: made.org.id, userId: made.account.id, token };
}

/** The newest link to `path` (`/verify-email/`...) in a mail to `email`, as
 * the server's log shows it (no --smtp-url); waits for it to be written. */
export async function mailedLink(server, email, path) {
  for (let i = 0; i < 100; i++) {
    // One chunk per mail: its fields (to=..., then the text with the link).
    const mails = server.log().split("mail written to the log").slice(1);
    const links = mails
      .filter((m) => m.split("\n")[0].includes(` to=${email} `))
      .map((m) => m.match(new RegExp(`${path}[A-Za-z0-9_-]+`)))
      .filter(Boolean);
    if (links.length) return links[links.length - 1][0];
    await new Promise((ok) => setTimeout(ok, 50));
  }
  throw new Error(`no mail to ${email} with a ${path} link in the log:\n${server.log()}`);
}

/** Opens the address link mailed to `email` with the account's password. */
export async function proveAddress(server, email) {
  const link = await mailedLink(server, email, "/verify-email/");
  const token = link.slice("/verify-email/".length);
  await api(server, "POST", `/api/v1/auth/verify-email/${token}`, { body: { password: PASSWORD } });
}

export async function login(server, email) {
  const t = await api(server, "POST", "/api/v1/auth/login", { body: { email, password: PASSWORD } });
  return t.access_token;
}

/** Invites `email` as `role` and accepts (a new account choosing its password,
 * or an existing one signed in); answers the user id. */
export async function addMember(server, org, ownerToken, email, name, role) {
  const inv = await api(server, "POST", `/api/v1/orgs/${org}/invitations`, {
    token: ownerToken, body: { email, name, role },
  });
  const accept = `/api/v1/invitations/${inv.token}/accept`;
  const answer = await api(server, "POST", accept, {
    body: { name, password: PASSWORD }, expect: [200, 401],
  });
  if (answer.error?.reason !== "sign_in_required") {
    // The inviter was shown the link: the new account proves its address.
    await proveAddress(server, email);
    return answer.user_id;
  }
  const member = await api(server, "POST", accept, { token: await login(server, email) });
  return member.user_id;
}

/** Invites `email` as `role`; answers the invitation's link. */
export async function invite(server, org, ownerToken, email, role) {
  const inv = await api(server, "POST", `/api/v1/orgs/${org}/invitations`, {
    token: ownerToken, body: { email, role },
  });
  return inv.accept_url;
}

let browser;

/** A fresh browser context whose page fails the test on any console error. */
export async function openPage(t, viewport = { width: 1280, height: 860 }) {
  browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (!["127.0.0.1", "localhost"].includes(u.hostname) && u.protocol !== "data:") {
      errors.push(`a page called outside the server: ${r.url()}`);
    }
  });
  t.after(async () => {
    await context.close();
  });
  return {
    page,
    context,
    /** Saves the last page and fails on any console error seen but those
     * `expected` (a test that opens an error page on purpose names it). */
    async finish(name, expected = []) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
      const unexpected = errors.filter((e) => !expected.some((x) => x.test(e)));
      assert.deepEqual(unexpected, [], "the browser console had errors");
    },
  };
}

export async function closeBrowser() {
  await browser?.close();
  browser = undefined;
}

/** Signs in through the console's form; lands on the Users page, or on the
 * member's own page for those who do not manage people. */
export async function signIn(page, server, email) {
  await page.goto(server.url + "/sign-in");
  await page.fill("#email", email);
  await page.fill("#password", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/orgs\/[^/]+\/(users|me)/);
}

export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

const AXE = readFileSync(join(import.meta.dirname, "node_modules/axe-core/axe.min.js"), "utf8");

/** axe-core's violations of WCAG 2.1 A and AA on the page as it is, of impact
 * serious or critical. axe runs through the DevTools protocol, so the page's
 * Content-Security-Policy (no inline script) stays as served. */
export async function accessibilityViolations(page) {
  const loaded = await page.evaluate(() => typeof window.axe !== "undefined");
  if (!loaded) await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    resultTypes: ["violations"],
  }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(" ") + " " + (n.failureSummary ?? "").replace(/\s+/g, " ")).join("\n    ")}`);
}

/** Fails with every serious or critical axe-core violation of the page. */
export async function expectAccessible(page, what) {
  const violations = await accessibilityViolations(page);
  assert.deepEqual(violations, [], `${what}: axe-core found violations`);
}

/** Screenshots of the page at desktop and phone width, each checked by
 * axe-core, under target/screenshots/{name}-desktop.png and -phone.png. */
export async function screenshotsAt(page, name, { check = true } = {}) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const before = page.viewportSize();
  for (const [label, size] of [["desktop", DESKTOP], ["phone", PHONE]]) {
    await page.setViewportSize(size);
    // Let the page's resize handlers run before it is judged.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    if (check) await expectAccessible(page, `${name} at ${label} width`);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${label}.png`), fullPage: true });
  }
  if (before) await page.setViewportSize(before);
}

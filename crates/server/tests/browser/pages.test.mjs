// The pages of a member's own access, the organization's settings, the audit
// log in sentences and the roles in words (issue 16), each at desktop and
// phone width.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, signUp, addMember, api, openPage, closeBrowser, PASSWORD } from "./support.mjs";

after(closeBrowser);

const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };

/** Signs in through the form and waits for the organization's first page,
 * whichever it is for this member. */
async function signInAnywhere(page, server, email) {
  await page.goto(server.url + "/sign-in");
  await page.fill("#email", email);
  await page.fill("#password", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/orgs\/[^/]+\/[a-z]+/);
}

/** Opens `path` signed in as `email` at both widths, saving `name`_desktop and
 * `name`_phone; `check` runs on each. */
async function atBothWidths(t, server, email, path, name, check = async () => {}) {
  for (const [width, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
    const { page, finish } = await openPage(t, viewport);
    await signInAnywhere(page, server, email);
    await page.goto(server.url + path);
    await check(page, width);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${path} is ${overflow}px wider than the ${width} screen`);
    await finish(`${name}_${width}`);
  }
}

test("an analyst lands on My access, not a refusal, with what the role lets them do", async (t) => {
  const server = await startServer("analytics");
  t.after(server.stop);
  const acme = await signUp(server, "rita@example.com", "Rita Root", "Acme");
  await addMember(server, acme.org, acme.token, "ann@example.com", "Ann Analyst", "analyst");

  const { page, finish } = await openPage(t, DESKTOP);
  await signInAnywhere(page, server, "ann@example.com");
  assert.match(page.url(), new RegExp(`/orgs/${acme.org}/me$`));
  assert.equal(await page.textContent("h1"), "My access");
  const orgs = await page.textContent("#my-orgs");
  assert.match(orgs, /Acme/);
  assert.match(orgs, /Analyst/);
  const can = await page.locator("#my-permissions li").allTextContents();
  assert.ok(can.some((c) => /view projects/.test(c)), can.join(" | "));
  assert.ok(!can.some((c) => /project:view/.test(c)), "actions in words, not ids");
  assert.match(await page.textContent("#my-role"), /because you hold the role Analyst on the organization Acme/i);
  assert.doesNotMatch(await page.textContent("main"), /This needs members:view/);
  // Making a key is greyed for an analyst, with the reason in words.
  assert.ok(await page.locator("#new-key button[type=submit]").isDisabled());
  assert.match(await page.textContent("#new-key .reason"), /your role does not allow/i);
  await finish("my_access_analyst_desktop");
  await atBothWidths(t, server, "ann@example.com", `/orgs/${acme.org}/me`, "my_access_analyst");
});

test("My access lists the API keys the member made, makes one shown once and revokes it", async (t) => {
  const server = await startServer("operations");
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  await api(server, "POST", `/api/v1/orgs/${acme.org}/api-keys`, {
    token: acme.token, body: { name: "Billing back-end" },
  });
  await atBothWidths(t, server, "olivia@example.com", `/orgs/${acme.org}/me`, "my_access_owner", async (page) => {
    assert.match(await page.textContent("#my-keys"), /Billing back-end/);
  });
  const { page, finish } = await openPage(t, DESKTOP);
  await signInAnywhere(page, server, "olivia@example.com");
  await page.goto(`${server.url}/orgs/${acme.org}/me`);
  await page.fill("#new-key input[name=name]", "Reporting");
  await page.click("#new-key button[type=submit]");
  await page.waitForURL(/\/me/);
  assert.match(await page.textContent("#new-secret"), /stw_key_/);
  assert.match(await page.textContent("#my-keys"), /Reporting/);
  await page.goto(`${server.url}/orgs/${acme.org}/me`);
  assert.equal(await page.locator("#new-secret").count(), 0, "the secret is shown once");
  const row = page.locator("#my-keys tr", { hasText: "Reporting" });
  await row.locator("button", { hasText: "Revoke" }).click();
  await page.waitForURL(/done=revoked/);
  assert.doesNotMatch(await page.textContent("#my-keys"), /Reporting/);
  assert.match(await page.textContent("#my-keys"), /Billing back-end/);
  await finish("my_access_keys_after_revoke");
});

test("the admin sees Delete organization greyed with the reason in words", async (t) => {
  const server = await startServer("systems");
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  await addMember(server, acme.org, acme.token, "adam@example.com", "Adam Admin", "admin");
  await atBothWidths(t, server, "adam@example.com", `/orgs/${acme.org}/settings`, "settings_admin", async (page) => {
    assert.equal(await page.textContent("h1"), "Organization settings");
    assert.match(await page.textContent("#org-facts"), /Acme/);
    assert.match(await page.textContent("#org-facts"), new RegExp(acme.org));
    const button = page.locator("#delete-org-open");
    assert.ok(await button.isDisabled(), "Delete is greyed for an admin");
    assert.match(await page.textContent("#delete-org .reason"), /not permitted|may not|owner/i);
  });
});

test("the owner deletes the organization after typing its name, told first what goes", async (t) => {
  const server = await startServer("systems");
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  await addMember(server, acme.org, acme.token, "adam@example.com", "Adam Admin", "admin");
  await api(server, "POST", `/api/v1/orgs/${acme.org}/invitations`, {
    token: acme.token, body: { email: "ivy@example.com", role: "member" },
  });
  await api(server, "POST", `/api/v1/orgs/${acme.org}/api-keys`, {
    token: acme.token, body: { name: "Billing back-end" },
  });

  await atBothWidths(t, server, "olivia@example.com", `/orgs/${acme.org}/settings`, "settings_owner");
  const { page, finish } = await openPage(t, DESKTOP);
  await signInAnywhere(page, server, "olivia@example.com");
  await page.goto(`${server.url}/orgs/${acme.org}/settings`);
  await page.click("#delete-org-open");
  const dialog = page.locator("#delete-org-dialog");
  assert.ok(await dialog.isVisible());
  const said = await dialog.textContent();
  assert.match(said, /2 members/);
  assert.match(said, /1 invitation/);
  assert.match(said, /1 API key/);
  const confirm = dialog.locator("button[type=submit]");
  // A name typed wrong is refused by the server too, not only by the greyed button.
  await dialog.locator("input[name=confirm_name]").fill("Acme Corp");
  await page.evaluate(() => {
    const b = document.querySelector("#delete-org-dialog button[type=submit]");
    b.disabled = false;
    b.click();
  });
  await page.waitForSelector("#notice");
  assert.match(await page.textContent("#notice"), /type the organization's name exactly/i);
  await api(server, "GET", `/api/v1/orgs/${acme.org}`, { token: acme.token });
  await page.click("#delete-org-open");
  assert.ok(await confirm.isDisabled(), "nothing is deleted before the name is typed");
  await dialog.locator("input[name=confirm_name]").fill("Acm");
  assert.ok(await confirm.isDisabled());
  await dialog.locator("input[name=confirm_name]").fill("Acme");
  assert.ok(await confirm.isEnabled());
  await page.screenshot({ path: "../../../../target/screenshots/settings_delete_dialog_desktop.png" });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: "../../../../target/screenshots/settings_delete_dialog_phone.png" });
  await page.setViewportSize(DESKTOP);
  await confirm.click();
  await page.waitForURL((u) => !u.pathname.includes(acme.org));
  await api(server, "GET", `/api/v1/orgs/${acme.org}`, { token: acme.token, expect: [404, 403] });
  await finish("settings_after_delete");
});

test("an audit row reads as a sentence with the name of a person deleted since", async (t) => {
  const server = await startServer("operations");
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const bob = await addMember(server, acme.org, acme.token, "bob@example.com", "Bob Brown", "viewer");
  await api(server, "PATCH", `/api/v1/orgs/${acme.org}/members/${bob}`, {
    token: acme.token, body: { role: "operator" },
  });
  await api(server, "DELETE", `/api/v1/orgs/${acme.org}/members/${bob}`, { token: acme.token });

  await atBothWidths(t, server, "olivia@example.com", `/orgs/${acme.org}/audit`, "audit", async (page, width) => {
    const sentences = await page.locator("#audit-log .sentence").allTextContents();
    const said = sentences.map((s) => s.replace(/\s+/g, " ").trim());
    assert.ok(said.includes("Olivia Owner changed Bob Brown's role from Viewer to Operator"), said.join(" | "));
    assert.ok(said.some((s) => /^Olivia Owner removed Bob Brown/.test(s)), said.join(" | "));
    const row = page.locator("#audit-log .audit-event", { hasText: "changed Bob Brown's role" });
    assert.ok(await row.locator(".sentence").isVisible(), "the sentence shows at this width");
    await row.locator("details summary").click();
    assert.match(await row.locator("details pre").textContent(), /"previous_role": "viewer"/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the log is ${overflow}px wider than the ${width} screen`);
  });
});

test("the roles page lists each role's summary and its permissions in words, in the policy's order", async (t) => {
  const server = await startServer("analytics");
  t.after(server.stop);
  const acme = await signUp(server, "rita@example.com", "Rita Root", "Acme");
  await atBothWidths(t, server, "rita@example.com", `/orgs/${acme.org}/roles`, "roles", async (page) => {
    const admin = page.locator("#role-administrator");
    assert.match(await admin.textContent(), /team and subscription management/);
    const items = (await admin.locator("li").allTextContents()).map((s) => s.replace(/\s+/g, " ").trim());
    const at = (text) => items.findIndex((i) => i.startsWith(text));
    assert.ok(at("append rows to projects") >= 0, items.join(" | "));
    assert.ok(at("append rows to projects") < at("delete projects"), "policy order, not alphabetical");
    assert.ok(at("delete projects") < at("manage the subscription"), "policy order, not alphabetical");
    assert.ok(!items.some((i) => /project:append_rows/.test(i)), "no raw ids");
  });
});

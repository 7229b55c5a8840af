// Organization > Users in a real browser: the edit panel (seeds 001 and 003),
// invitations, and a console that offers only what the server accepts.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import {
  startServer, signUp, addMember, invite, api, openPage, closeBrowser, signIn,
  operationsWithAdminsOnly,
} from "./support.mjs";

after(closeBrowser);

const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };

async function roleOf(server, org, token, user) {
  return (await api(server, "GET", `/api/v1/orgs/${org}/members/${user}`, { token })).role;
}

/** Whether the focused element is inside `selector`. */
async function focusIsIn(page, selector) {
  return page.evaluate((s) => !!document.activeElement?.closest(s), selector);
}

test("ArrowDown on a focused role changes nothing: the row shows the role and Edit opens the panel", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const vic = await addMember(server, acme.org, acme.token, "vic@example.com", "Vic Viewer", "viewer");
  const { page, finish } = await openPage(t, DESKTOP);
  await signIn(page, server, "olivia@example.com");
  const row = page.locator(`#user-${vic}`);
  assert.equal(await row.locator("select").count(), 0, "the row has no dropdown that commits on change");
  assert.match(await row.locator("td.role").textContent(), /Viewer/);

  await row.locator("[data-edit-user]").focus();
  await page.keyboard.press("Enter");
  const dialog = page.locator("#edit-dialog");
  await dialog.locator("#role").waitFor();
  assert.ok(await dialog.isVisible());
  assert.equal(await dialog.getAttribute("aria-modal"), "true");
  assert.ok(await focusIsIn(page, "#edit-dialog"), "the focus goes into the panel");
  await dialog.locator("#role").focus();
  await page.keyboard.press("ArrowDown");
  await page.waitForTimeout(300);
  assert.equal(await roleOf(server, acme.org, acme.token, vic), "viewer", "nothing changes before Save");
  await finish("users_edit_panel_open");

  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden" });
  assert.equal(await roleOf(server, acme.org, acme.token, vic), "viewer", "Escape leaves nothing changed");
  assert.ok(await focusIsIn(page, `#user-${vic}`), "the focus comes back to the row");
});

test("clicking the row opens the panel; Cancel changes nothing and Save changes the role", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const vic = await addMember(server, acme.org, acme.token, "vic@example.com", "Vic Viewer", "viewer");
  const { page, finish } = await openPage(t, DESKTOP);
  await signIn(page, server, "olivia@example.com");
  const dialog = page.locator("#edit-dialog");
  await page.locator(`#user-${vic} td.role`).click();
  await dialog.locator("#role").waitFor();
  await dialog.locator("#role").selectOption("operator");
  await dialog.locator("text=Cancel").click();
  await dialog.waitFor({ state: "hidden" });
  assert.equal(await roleOf(server, acme.org, acme.token, vic), "viewer", "Cancel leaves nothing changed");

  await page.locator(`#user-${vic} td.role`).click();
  await dialog.locator("#role").waitFor();
  assert.equal(await dialog.locator("#role").inputValue(), "viewer", "the panel opens on the role held, not the one left");
  await dialog.locator("#role").selectOption("admin");
  await dialog.locator("button[type=submit]").click();
  await page.waitForURL(/done=saved/);
  assert.equal(await roleOf(server, acme.org, acme.token, vic), "admin");
  assert.match(await page.locator(`#user-${vic} td.role`).textContent(), /Admin/);
  await finish("users_saved_from_the_panel");
});

test("the invite dialog offers no Owner, only the roles the caller may give, and says why", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  await addMember(server, acme.org, acme.token, "ada@example.com", "Ada Admin", "admin");
  const { page, finish } = await openPage(t, DESKTOP);
  await signIn(page, server, "ada@example.com");
  await page.click("text=Invite user");
  const options = await page.locator("#invite-role option").evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(options, ["admin", "operator", "viewer"]);
  assert.equal(await page.inputValue("#invite-role"), "viewer", "the policy's default role is chosen");
  assert.match(await page.locator("#invite-dialog .reason").textContent(), /Owner.*transfer/i);
  await finish("users_invite_dialog");
});

test("for an admin the owner's panel is read-only and Save is greyed with the reason", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  await addMember(server, acme.org, acme.token, "ada@example.com", "Ada Admin", "admin");
  const { page, finish } = await openPage(t, DESKTOP);
  await signIn(page, server, "ada@example.com");
  const row = page.locator(`#user-${acme.userId}`);
  assert.match(await row.locator(".reason").first().textContent(), /owner cannot be demoted/, "the owner's row says why it cannot be changed");
  const del = row.getByRole("button", { name: "Delete" });
  assert.ok(await del.isDisabled());
  const described = await del.evaluate((b) => document.getElementById(b.getAttribute("aria-describedby"))?.textContent ?? "");
  assert.match(described, /\w/, "the greyed Delete is described by a reason in words");
  await row.locator("[data-edit-user]").click();
  const dialog = page.locator("#edit-dialog");
  await dialog.locator("#name").waitFor();
  assert.ok(await dialog.locator("#name").isDisabled(), "the name is read-only");
  assert.ok(await dialog.locator("#role").isDisabled(), "the role is read-only");
  assert.ok(await dialog.locator("button[type=submit]").isDisabled(), "Save is greyed");
  assert.match(await dialog.locator("#edit-save-reason").textContent(), /above your own role/);
  await finish("users_owner_panel_read_only");
});

test("the last admin's role is greyed in the panel with the seed's reason", async (t) => {
  const server = await startServer(operationsWithAdminsOnly());
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const ada = await addMember(server, acme.org, acme.token, "ada@example.com", "Ada Admin", "admin");
  const { page, finish } = await openPage(t, DESKTOP);
  await signIn(page, server, "olivia@example.com");
  await page.locator(`#user-${ada} [data-edit-user]`).click();
  const dialog = page.locator("#edit-dialog");
  await dialog.locator("#role").waitFor();
  assert.ok(await dialog.locator("#role").isDisabled());
  assert.match(await dialog.locator("#role-reason").textContent(), /only admin: demoting them would leave the organization/);
  assert.ok(!(await dialog.locator("#name").isDisabled()), "the name can still be changed");
  await finish("users_last_admin_role_greyed");
});

test("pending invitations are listed, re-sent with a fresh link to copy, and revoked", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const oldLink = await invite(server, acme.org, acme.token, "nina@example.com", "operator");
  const { page, context, finish } = await openPage(t, DESKTOP);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  await signIn(page, server, "olivia@example.com");
  const row = page.locator("#invitations tr", { hasText: "nina@example.com" });
  const text = await row.textContent();
  assert.match(text, /Operator/);
  assert.match(text, /Olivia Owner/, "who invited");
  assert.match(text, /\d{4}-\d{2}-\d{2}/, "the expiry");
  await finish("users_pending_invitations");

  await row.locator("button", { hasText: "Re-send" }).click();
  await page.locator("#invitation-link").waitFor();
  const fresh = (await page.textContent("#invitation-url")).trim();
  assert.notEqual(fresh, oldLink);
  const listed = await api(server, "GET", `/api/v1/orgs/${acme.org}/invitations`, { token: acme.token });
  assert.equal(listed.items.length, 1, "the old invitation is revoked");
  await page.click("#invitation-link button[data-copy]");
  await page.locator("[data-copy-status]", { hasText: "Copied" }).waitFor();
  assert.equal(await page.getAttribute("[data-copy-status]", "role"), "status");
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), fresh);
  await finish("users_invitation_resent_and_copied");

  await page.locator("#invitations tr", { hasText: "nina@example.com" }).locator("button", { hasText: "Revoke" }).click();
  await page.waitForURL(/done=revoked/);
  assert.equal(await page.locator("#invitations tr", { hasText: "nina@example.com" }).count(), 0);
  const after = await api(server, "GET", `/api/v1/orgs/${acme.org}/invitations`, { token: acme.token });
  assert.equal(after.items.length, 0);
});

test("platform: Organization Administrator is a check box that hides the services section", async (t) => {
  const server = await startServer("platform");
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  await api(server, "POST", `/api/v1/orgs/${acme.org}/objects`, {
    token: acme.token, body: { type: "service", name: "Orchestrator" },
  });
  const uma = await addMember(server, acme.org, acme.token, "uma@example.com", "Uma User", "user");
  const { page, finish } = await openPage(t, DESKTOP);
  await signIn(page, server, "olivia@example.com");
  await page.locator(`#user-${uma} [data-edit-user]`).click();
  const dialog = page.locator("#edit-dialog");
  const box = dialog.getByLabel("Organization Administrator");
  await box.waitFor();
  assert.equal(await dialog.locator("select#role").count(), 0, "no Role dropdown on this preset");
  assert.ok(!(await box.isChecked()));
  assert.ok(await dialog.locator("[data-scopes]").isVisible(), "the services section shows for a User");
  await box.check();
  assert.ok(!(await dialog.locator("[data-scopes]").isVisible()), "ticked, the services section is hidden");
  await finish("users_platform_admin_check_box");
  await dialog.locator("button[type=submit]").click();
  await page.waitForURL(/done=saved/);
  assert.equal(await roleOf(server, acme.org, acme.token, uma), "organization_administrator");

  await page.click("text=Invite user");
  assert.equal(await page.locator("#invite-dialog select[name=role]").count(), 0);
  assert.ok(await page.locator("#invite-dialog").getByLabel("Organization Administrator").isVisible());
  await finish("users_platform_invite_dialog");
});

test("at phone width Edit and Delete stay on screen and Edit opens the panel", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const vic = await addMember(server, acme.org, acme.token, "vic@example.com", "Vic Viewer", "viewer");
  await invite(server, acme.org, acme.token, "nina@example.com", "operator");
  const { page, finish } = await openPage(t, PHONE);
  await signIn(page, server, "olivia@example.com");
  const wrap = await page.locator("#users").locator("xpath=..").boundingBox();
  const right = Math.min(PHONE.width, wrap.x + wrap.width);
  for (const name of ["Edit", "Delete"]) {
    const button = page.locator(`#user-${vic}`).getByRole(name === "Edit" ? "link" : "button", { name });
    const box = await button.boundingBox();
    assert.ok(box, `${name} is shown`);
    assert.ok(box.x >= 0 && box.x + box.width <= right, `${name} is on screen, not clipped: ${JSON.stringify(box)}`);
  }
  await finish("users_phone");
  await page.locator(`#user-${vic}`).getByRole("link", { name: "Edit" }).click();
  await page.locator("#edit-dialog #role").waitFor();
  await finish("users_phone_edit_panel");
  await page.keyboard.press("Escape");
  await page.click("text=Invite user");
  await page.locator("#invite-dialog #invite-email").waitFor();
  await finish("users_phone_invite_dialog");
});

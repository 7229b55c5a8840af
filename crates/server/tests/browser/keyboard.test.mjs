// The console without a mouse: every step here is reached with Tab and
// answered with Enter, Space, arrows or Escape, the way a keyboard-only admin
// works. `tabTo` proves a control is in the tab order by pressing Tab until it
// has the focus; nothing is clicked.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import {
  startServer, signUp, addMember, api, openPage, closeBrowser, PASSWORD, screenshotsAt,
} from "./support.mjs";

after(closeBrowser);

/** Presses Tab (Shift+Tab when `back`) until the focused element matches
 * `selector`; fails when a whole round of the page never reaches it. */
async function tabTo(page, selector, { back = false, limit = 150 } = {}) {
  for (let i = 0; i < limit; i += 1) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
  }
  const at = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120));
  assert.fail(`${selector} was never reached with Tab (focus ended on ${at})`);
}

/** The focused element's open state of the nearest <details> or <dialog>. */
function isOpen(page, selector) {
  return page.$eval(selector, (el) => el.open);
}

test("keyboard only: sign in, change a role in the edit panel, grant a permission, nominate a new owner; Escape closes every menu and dialog", async (t) => {
  const server = await startServer("analytics");
  t.after(server.stop);
  const root = await signUp(server, "root@example.com", "Rita Root", "Acme Analytics");
  const ann = await addMember(server, root.org, root.token, "ann@example.com", "Ann Analyst", "analyst");
  const project = await api(server, "POST", `/api/v1/orgs/${root.org}/objects`, {
    token: root.token, body: { type: "project", name: "Churn study" },
  });
  const { page, finish } = await openPage(t);

  // Sign in: the skip link comes first, then the form.
  await page.goto(server.url + "/sign-in");
  await tabTo(page, "#email");
  await page.keyboard.type("root@example.com");
  await tabTo(page, "#password");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/orgs\/[^/]+\/users/);

  // The skip link is the first stop and lands in the content.
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), "Skip to content");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement.id), "content");

  // Escape closes the organization selector and the user menu, focus back on their button.
  for (const menu of ["#org-selector", "#user-menu"]) {
    await tabTo(page, `${menu} summary`);
    await page.keyboard.press("Enter");
    assert.equal(await isOpen(page, menu), true, `${menu} opens with Enter`);
    await page.keyboard.press("Escape");
    assert.equal(await isOpen(page, menu), false, `Escape closes ${menu}`);
    assert.ok(await page.evaluate((m) => document.activeElement.matches(`${m} summary`), menu));
  }

  // Escape closes the invite dialog and leaves nothing behind.
  await tabTo(page, "[data-dialog-open='invite-dialog']");
  await page.keyboard.press("Enter");
  assert.equal(await isOpen(page, "#invite-dialog"), true);
  await page.keyboard.type("nobody@example.com");
  await page.keyboard.press("Escape");
  assert.equal(await isOpen(page, "#invite-dialog"), false, "Escape closes the invite dialog");

  // Change Ann's role through the edit panel: Enter on Edit, arrows on the
  // role, Escape first (nothing changes), then again and Save.
  const edit = `#user-${ann} [data-edit-user]`;
  await tabTo(page, edit);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#edit-dialog[open] #role");
  await tabTo(page, "#edit-dialog #role");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Escape");
  assert.equal(await isOpen(page, "#edit-dialog"), false, "Escape closes the edit panel");
  assert.ok(await page.evaluate((s) => document.activeElement.matches(s), edit), "focus is back on Edit");
  let member = await api(server, "GET", `/api/v1/orgs/${root.org}/members/${ann}`, { token: root.token });
  assert.equal(member.role, "analyst", "Escape changed nothing");

  await page.keyboard.press("Enter");
  await page.waitForSelector("#edit-dialog[open] #role");
  await tabTo(page, "#edit-dialog #role");
  await page.keyboard.press("ArrowUp"); // one rank up: Internal Analyst
  const chosen = await page.$eval("#edit-dialog #role", (s) => s.value);
  assert.equal(chosen, "internal_analyst", "an arrow chose the next role up, in the policy's order");
  await tabTo(page, "#edit-dialog button[type=submit]");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => !document.querySelector("#edit-dialog[open]"));
  member = await api(server, "GET", `/api/v1/orgs/${root.org}/members/${ann}`, { token: root.token });
  assert.equal(member.role, chosen, "Save changed the role");

  // Grant Ann a permission on the project: Objects, the project's
  // Permissions, Ann's check box with Space, Save with Enter.
  await tabTo(page, "nav.side a[href$='/objects']");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/objects$/);
  await tabTo(page, `a[href$='/objects/${project.id}/permissions']`);
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/permissions/);
  const box = `#permissions tr[data-user="${ann}"] input[data-action='project:download']`;
  await tabTo(page, box);
  await page.keyboard.press("Space");
  await tabTo(page, `#permissions tr[data-user="${ann}"] button[type=submit]`);
  await page.keyboard.press("Enter");
  await page.waitForURL(/done=granted/);
  const check = await api(server, "POST", `/api/v1/orgs/${root.org}/check`, {
    token: root.token, body: { user_id: ann, action: "project:download", object_id: project.id },
  });
  assert.equal(check.allowed, true, "the grant was saved");

  // Nominate Ann as the next owner.
  await tabTo(page, "nav.side a[href$='/ownership']");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/ownership$/);
  await tabTo(page, "#to_user");
  await page.keyboard.type("ann@example.com");
  await tabTo(page, "#nominate");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#pending-nomination");
  assert.match(await page.textContent("#pending-nomination"), /Ann Analyst/);

  await screenshotsAt(page, "keyboard-walk-nominated");
  await finish("keyboard_walk");
});

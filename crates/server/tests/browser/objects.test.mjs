// Issue 16, objects: everything permissions are about, made in the console.
// Creating, editing (rename, move) and deleting objects by the policy's rules,
// a page per object (a project's questions, a system's users), who opens the
// Permissions dialog, and that page paged, searched and usable at phone width.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import {
  startServer, signUp, addMember, api, openPage, closeBrowser, signIn, PASSWORD,
} from "./support.mjs";

after(closeBrowser);

const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };

/** Signs in anyone, straight to `next` (a member who manages nobody would
 * land on their own page, which is another part's). */
async function signInAnyone(page, server, email, next) {
  await page.goto(`${server.url}/sign-in?next=${encodeURIComponent(next)}`);
  await page.fill("#email", email);
  await page.fill("#password", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/orgs\/[^/]+\//);
}

/** Saves the page at desktop and phone width as `name-desktop/phone`. */
async function bothWidths(t, server, email, path, name) {
  for (const [size, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
    const { page, finish } = await openPage(t, viewport);
    await signInAnyone(page, server, email, path);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= viewport.width + 1, `${name} fits ${viewport.width}px (it is ${wide}px wide)`);
    await finish(`${name}-${size}`);
  }
}

/** Every visible control inside `selector` lies within the viewport's width. */
async function allOnScreen(page, selector, width) {
  const boxes = await page.locator(selector).evaluateAll((els) =>
    els.map((e) => { const r = e.getBoundingClientRect(); return [r.left, r.right]; }));
  assert.ok(boxes.length > 0, `no ${selector}`);
  for (const [left, right] of boxes) {
    assert.ok(left >= 0 && right <= width, `a ${selector} is off-screen: ${left}..${right}`);
  }
}

test("an admin of a fresh operations organization creates a site, renames it and deletes it after confirming", async (t) => {
  const server = await startServer("operations");
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  await addMember(server, acme.org, acme.token, "vic@example.com", "Vic Viewer", "viewer");

  const { page, finish } = await openPage(t, DESKTOP);
  await signIn(page, server, "olivia@example.com");
  await page.click("nav.side >> text=Objects");
  await page.click("button[data-dialog-open=new-site]");
  assert.ok(await page.isVisible("#new-site[open]"), "the New site dialog opens");
  await page.fill("#new-name-site", "Rotterdam");
  await page.click("#new-site button[type=submit]");
  await page.waitForURL(/done=created/);
  const row = page.locator("#objects tbody tr", { hasText: "Rotterdam" });
  assert.equal(await row.count(), 1);
  const id = await row.getAttribute("data-object");

  await row.locator("button[data-dialog-open^=edit-]").click();
  await page.fill(`#edit-name-${id}`, "Rotterdam Port");
  await page.click(`#edit-${id} button[type=submit]`);
  await page.waitForURL(/done=saved/);
  assert.ok(await page.isVisible("#objects >> text=Rotterdam Port"));

  await page.locator(`tr[data-object="${id}"] button[data-dialog-open^=delete-]`).click();
  const dialog = page.locator(`#delete-${id}`);
  assert.match(await dialog.textContent(), /Delete site Rotterdam Port\?/);
  await dialog.locator("button[data-dialog-close]").click();
  assert.equal(await page.locator(`#delete-${id}[open]`).count(), 0, "Cancel leaves it");
  await page.locator(`tr[data-object="${id}"] button[data-dialog-open^=delete-]`).click();
  await dialog.locator("button[type=submit]").click();
  await page.waitForURL(/done=deleted/);
  assert.equal(await page.locator(`tr[data-object="${id}"]`).count(), 0);
  // The audit log says it in words, with the name the site had then.
  await page.click("nav.side >> text=Audit log");
  assert.ok(await page.isVisible("#audit >> text=renamed Rotterdam to Rotterdam Port"));
  await finish("objects-created-renamed-deleted");
});

test("the Users page's 'sees nothing until sites are assigned' leads to a site made in the console", async (t) => {
  const server = await startServer("operations");
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const vic = await addMember(server, acme.org, acme.token, "vic@example.com", "Vic Viewer", "viewer");
  const { page, finish } = await openPage(t, DESKTOP);
  await signIn(page, server, "olivia@example.com");
  assert.ok(await page.locator(`#user-${vic} .row-warning`).isVisible());
  // With no site yet, Edit says so and points to where one is made.
  await page.locator(`#user-${vic}`).getByRole("link", { name: "Edit" }).click();
  await page.locator("#edit-dialog").getByRole("link", { name: "create one on the Objects page" }).click();
  await page.waitForURL(/\/objects$/);
  await page.click("button[data-dialog-open=new-site]");
  await page.fill("#new-name-site", "Plant 1");
  await page.click("#new-site button[type=submit]");
  await page.waitForURL(/done=created/);
  const site = await page.locator("#objects tbody tr", { hasText: "Plant 1" }).getAttribute("data-object");
  await page.click("nav.side >> text=Users");
  await page.locator(`#user-${vic}`).getByRole("link", { name: "Edit" }).click();
  await page.selectOption(`select[name="scope_roles:${site}"]`, "viewer");
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/done=saved/);
  assert.equal(await page.locator(`#user-${vic} .row-warning`).count(), 0, "the warning goes");
  await finish("objects-site-ends-the-warning");
});

test("a viewer sees New site greyed with the reason in words", async (t) => {
  const server = await startServer("operations");
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  await addMember(server, acme.org, acme.token, "vic@example.com", "Vic Viewer", "viewer");
  const { page, finish } = await openPage(t, DESKTOP);
  await signInAnyone(page, server, "vic@example.com", `/orgs/${acme.org}/objects`);
  const button = page.locator(".new-objects button", { hasText: "New site" });
  assert.ok(await button.isDisabled());
  assert.match(await page.textContent("#new-why-site"), /your role does not allow this/i);
  await finish("objects-viewer-greyed");
});

/** Analytics: the root "Ada", a project manager, an analyst; Pam's project
 * Churn with a question, and Ada's project Retention. */
async function analytics(server) {
  const acme = await signUp(server, "ada@example.com", "Ada Admin", "Acme");
  const pm = await addMember(server, acme.org, acme.token, "pam@example.com", "Pam Manager", "project_manager");
  await addMember(server, acme.org, acme.token, "ann@example.com", "Ann Analyst", "analyst");
  const pamToken = (await api(server, "POST", "/api/v1/auth/login", {
    body: { email: "pam@example.com", password: PASSWORD } })).access_token;
  const at = (rest) => `/api/v1/orgs/${acme.org}${rest}`;
  const churn = await api(server, "POST", at("/objects"), { token: pamToken, body: { type: "project", name: "Churn" } });
  const question = await api(server, "POST", at("/objects"), {
    token: pamToken, body: { type: "question", name: "Who leaves?", parent_id: churn.id } });
  const retention = await api(server, "POST", at("/objects"), { token: acme.token, body: { type: "project", name: "Retention" } });
  return { acme, pm, at, churn: churn.id, question: question.id, retention: retention.id };
}

test("a question moves to another project from its Edit dialog, and deleting a project names its questions", async (t) => {
  const server = await startServer("analytics");
  t.after(server.stop);
  const a = await analytics(server);
  const { page, finish } = await openPage(t, DESKTOP);
  await signIn(page, server, "ada@example.com");
  await page.goto(`${server.url}/orgs/${a.acme.org}/objects`);
  await page.locator(`#delete-${a.churn}`).evaluate((d) => d.showModal());
  assert.match(await page.locator(`#delete-${a.churn}`).textContent(), /1 question/);
  await page.keyboard.press("Escape");

  await page.locator(`tr[data-object="${a.question}"] button[data-dialog-open^=edit-]`).click();
  await page.selectOption(`#edit-parent-${a.question}`, a.retention);
  await page.click(`#edit-${a.question} button[type=submit]`);
  await page.waitForURL(/done=saved/);
  const moved = await api(server, "GET", a.at(`/objects/${a.question}`), { token: a.acme.token });
  assert.equal(moved.parent_id, a.retention);
  assert.equal(moved.owner_id, a.acme.userId, "it takes its new project's owner");
  await page.goto(`${server.url}/orgs/${a.acme.org}/audit`);
  assert.match(await page.locator("tr[data-type='object.moved'] .sentence").first().textContent(),
    /moved .+ from Churn to Retention/);
  await finish("objects-question-moved");
});

test("a project's page lists its questions; an analyst's Permissions is greyed with the reason and its owner opens it", async (t) => {
  const server = await startServer("analytics");
  t.after(server.stop);
  const a = await analytics(server);
  const path = `/orgs/${a.acme.org}/objects/${a.churn}`;
  {
    const { page, finish } = await openPage(t, DESKTOP);
    await signInAnyone(page, server, "ann@example.com", path);
    assert.ok(await page.isVisible("#children >> text=Who leaves?"));
    const greyed = page.locator(".object-card button", { hasText: "Permissions" });
    assert.ok(await greyed.isDisabled());
    assert.match(await page.textContent("#share-why"), /project:change_permissions/);
    await finish("project-page-analyst");
  }
  {
    const { page, finish } = await openPage(t, DESKTOP);
    await signInAnyone(page, server, "ann@example.com", path);
    const answer = await page.goto(server.url + path + "/permissions");
    assert.equal(answer.status(), 403, "the address typed in is refused as the button is");
    await finish("permissions-refused-to-an-analyst", [/403/]);
  }
  {
    const { page, finish } = await openPage(t, DESKTOP);
    await signInAnyone(page, server, "pam@example.com", path);
    await page.click("#open-permissions");
    await page.waitForURL(/\/permissions$/);
    assert.ok(await page.isVisible("#permissions >> text=Ann Analyst"));
    await finish("project-page-owner-opens-permissions");
  }
  await bothWidths(t, server, "pam@example.com", path, "object-project");
  await bothWidths(t, server, "ada@example.com", `/orgs/${a.acme.org}/objects`, "objects");
});

test("the Permissions page pages and searches members, and its check boxes stay on screen at 390px", async (t) => {
  const server = await startServer("analytics");
  t.after(server.stop);
  const a = await analytics(server);
  for (let i = 0; i < 50; i++) {
    const n = String(i).padStart(2, "0");
    await api(server, "POST", `/api/v1/orgs/${a.acme.org}/invitations`, {
      token: a.acme.token, body: { email: `m${n}@example.com`, name: `Member ${n}`, role: "analyst" } })
      .then((inv) => api(server, "POST", `/api/v1/invitations/${inv.token}/accept`, {
        body: { name: `Member ${n}`, password: PASSWORD } }));
  }
  const path = `/orgs/${a.acme.org}/objects/${a.churn}/permissions`;
  const { page, finish } = await openPage(t, DESKTOP);
  await signIn(page, server, "ada@example.com");
  await page.goto(server.url + path);
  assert.equal(await page.locator("#permissions tbody tr").count(), 50);
  await page.click("a[rel=next]");
  assert.equal(await page.locator("#permissions tbody tr").count(), 3);
  await page.fill("input[name=q]", "m07@EXAMPLE");
  await page.click("form[role=search] button");
  assert.equal(await page.locator("#permissions tbody tr").count(), 1);
  assert.ok(await page.isVisible("#permissions >> text=Member 07"));
  await finish("permissions-paged-and-searched");

  const phone = await openPage(t, PHONE);
  await signIn(phone.page, server, "ada@example.com");
  await phone.page.goto(server.url + path);
  await allOnScreen(phone.page, "#permissions input[type=checkbox]", PHONE.width);
  await allOnScreen(phone.page, "#permissions button", PHONE.width);
  await phone.finish("permissions-phone");
  await bothWidths(t, server, "ada@example.com", path, "permissions");
});

test("a system's page lists its users with their role there; an admin changes one and adds another", async (t) => {
  const server = await startServer("systems");
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const mia = await addMember(server, acme.org, acme.token, "mia@example.com", "Mia Member", "member");
  await addMember(server, acme.org, acme.token, "max@example.com", "Max Member", "member");
  const at = (rest) => `/api/v1/orgs/${acme.org}${rest}`;
  const dms = await api(server, "POST", at("/objects"), { token: acme.token, body: { type: "system", name: "DMS Rotterdam" } });
  await api(server, "PUT", at(`/members/${mia}/scopes/${dms.id}`), { token: acme.token, body: { roles: ["member"] } });

  const path = `/orgs/${acme.org}/objects/${dms.id}`;
  const { page, finish } = await openPage(t, DESKTOP);
  await signIn(page, server, "olivia@example.com");
  await page.goto(server.url + path);
  assert.match(await page.textContent("#scope-title"), /Users of DMS Rotterdam/);
  const row = page.locator(`#scope-members tr[data-user="${mia}"]`);
  assert.ok(await row.isVisible());
  await row.locator("select[name=role]").selectOption("admin");
  await row.locator("button[type=submit]").click();
  await page.waitForURL(/done=role/);
  const after = await api(server, "GET", at(`/members/${mia}`), { token: acme.token });
  assert.deepEqual(after.scopes.find((s) => s.object_id === dms.id).roles, ["admin"]);

  await page.selectOption("#add-scope-member select[name=user_id]", { label: "Max Member (max@example.com)" });
  await page.selectOption("#add-scope-member select[name=role]", "member");
  await page.click("#add-scope-member button[type=submit]");
  await page.waitForURL(/done=role/);
  assert.ok(await page.isVisible("#scope-members >> text=Max Member"));
  await finish("system-users-changed");
  await bothWidths(t, server, "olivia@example.com", path, "object-system");
});

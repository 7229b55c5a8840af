// The console in a real browser: the seeds' screens, driven as people use them.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  startServer, signUp, addMember, invite, api, login, openPage, closeBrowser, signIn,
  operationsWithAdminsOnly, PASSWORD, mailedLink,
} from "./support.mjs";

after(closeBrowser);

test("sign in and switch organization from the header's selector", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const globex = await signUp(server, "gus@example.com", "Gus Globex", "Globex");
  await addMember(server, globex.org, globex.token, "olivia@example.com", "Olivia Owner", "operator");

  const { page, finish } = await openPage(t);
  await signIn(page, server, "olivia@example.com");
  assert.equal(await page.textContent("[data-current-org]"), "Acme");
  await page.click("#org-selector summary");
  await page.click(`#org-selector a[href="/orgs/${globex.org}"]`);
  await page.waitForURL(`**/orgs/${globex.org}/users`);
  assert.equal(await page.textContent("[data-current-org]"), "Globex");
  assert.ok(await page.isVisible("text=Gus Globex"));
  await finish("sign_in_and_switch_organization");
});

test("a wrong password is refused in words", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const { page, finish } = await openPage(t);
  await page.goto(server.url + "/orgs/anything/users");
  await page.waitForURL(/\/sign-in\?next=/);
  await page.fill("#email", "olivia@example.com");
  await page.fill("#password", "not the password");
  await page.click("button[type=submit]");
  assert.match(await page.textContent("#notice"), /Wrong e-mail or password/);
  await finish("wrong_password_is_refused");
});

/** Opens `user`'s edit panel from their row and answers the dialog. */
async function openEditPanel(page, user) {
  await page.locator(`#user-${user} [data-edit-user]`).click();
  const dialog = page.locator("#edit-dialog");
  await dialog.locator("form.edit-user").waitFor();
  return dialog;
}

test("changing a role in the edit panel shows in the audit log as a sentence, Viewer to Admin", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const vic = await addMember(server, acme.org, acme.token, "vic@example.com", "Vic Viewer", "viewer");

  const { page, finish } = await openPage(t);
  await signIn(page, server, "olivia@example.com");
  const row = page.locator(`#user-${vic}`);
  assert.ok(await row.locator(".row-warning").isVisible(), "a viewer without sites is warned about");
  const dialog = await openEditPanel(page, vic);
  await dialog.locator("#role").selectOption("admin");
  await dialog.locator("button[type=submit]").click();
  await page.waitForURL(/done=saved/);
  assert.match(await page.textContent("#notice"), /Saved/);
  assert.match(await page.locator(`#user-${vic} td.role`).textContent(), /Admin/);

  await page.click("nav.side >> text=Audit log");
  await page.waitForURL(/\/audit/);
  const changed = page.locator("tr[data-type='user.role_changed']").first();
  assert.match(await changed.locator(".sentence").textContent(), /Olivia Owner changed Vic Viewer's role from Viewer to Admin/);
  assert.ok(await page.isVisible("#chain-status >> text=Chain verified"));
  // Filtered by who made the change, named by e-mail.
  await page.fill("input[name=actor]", "vic@example.com");
  await page.click("text=Filter");
  assert.equal(await page.locator("tr[data-type='user.role_changed']").count(), 0);
  await page.fill("input[name=actor]", "olivia@example.com");
  await page.selectOption("select[name=type]", "user.role_changed");
  await page.click("text=Filter");
  assert.equal(await page.locator("#audit tbody tr").count(), 1);
  await finish("role_change_in_the_audit_log");
});

test("demoting to viewer warns that they will see nothing until sites are assigned", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const otto = await addMember(server, acme.org, acme.token, "otto@example.com", "Otto Operator", "operator");
  const { page, finish } = await openPage(t);
  await signIn(page, server, "olivia@example.com");
  const dialog = await openEditPanel(page, otto);
  await dialog.locator("#role").selectOption("viewer");
  await dialog.locator("button[type=submit]").click();
  await page.waitForURL(/done=saved/);
  assert.match(await page.locator(`#user-${otto} .row-warning`).textContent(), /Sees nothing until sites are assigned/);
  await finish("demotion_to_viewer_warns_about_sites");
});

test("the last admin's role is greyed out with the reason in words", async (t) => {
  const server = await startServer(operationsWithAdminsOnly());
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const ada = await addMember(server, acme.org, acme.token, "ada@example.com", "Ada Admin", "admin");
  const { page, finish } = await openPage(t);
  await signIn(page, server, "olivia@example.com");
  assert.match(await page.locator(`#user-${ada} td.role .reason`).textContent(), /only admin: demoting them would leave the organization with fewer admins/);
  const dialog = await openEditPanel(page, ada);
  assert.ok(await dialog.locator("#role").isDisabled(), "the last admin's role cannot be changed");
  assert.match(await dialog.locator("#role-reason").textContent(), /only admin: demoting them would leave the organization with fewer admins/);
  await finish("last_admin_dropdown_is_greyed_out");
});

test("an admin who tries to demote the owner gets the server's refusal in words", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  await addMember(server, acme.org, acme.token, "ada@example.com", "Ada Admin", "admin");
  const { page, finish } = await openPage(t);
  await signIn(page, server, "ada@example.com");
  assert.match(await page.locator(`#user-${acme.userId} td.role .reason`).textContent(), /owner cannot be demoted/);
  const dialog = await openEditPanel(page, acme.userId);
  const owner = dialog.locator("#role");
  assert.ok(await owner.isDisabled(), "the owner's role is greyed out for an admin");
  // A page that went stale (or a hand that edited it) sends the change anyway:
  // the server decides, and its reason is what the person reads.
  await dialog.evaluate((d) => {
    const el = d.querySelector("#role");
    el.disabled = false;
    const o = document.createElement("option");
    o.value = "viewer";
    o.textContent = "Viewer";
    el.appendChild(o);
    d.querySelector("button[type=submit]").disabled = false;
  });
  await owner.selectOption("viewer");
  await dialog.locator("button[type=submit]").click();
  const error = page.locator("#edit-error");
  await error.waitFor();
  assert.match(await error.textContent(), /The owner cannot be demoted or removed by someone who is not an owner/);
  assert.equal(await api(server, "GET", `/api/v1/orgs/${acme.org}/members/${acme.userId}`, { token: acme.token }).then((m) => m.role), "owner");
  await finish("admin_cannot_demote_the_owner");
});

test("bulk delete of two users through the confirmation dialog", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const bea = await addMember(server, acme.org, acme.token, "bea@example.com", "Bea Brown", "operator");
  const cal = await addMember(server, acme.org, acme.token, "cal@example.com", "Cal Cole", "viewer");
  const dee = await addMember(server, acme.org, acme.token, "dee@example.com", "Dee Dunn", "viewer");
  const bea_browser = await openPage(t);
  await signIn(bea_browser.page, server, "bea@example.com");
  const { page, finish } = await openPage(t);
  await signIn(page, server, "olivia@example.com");
  assert.ok(await page.locator(`#user-${acme.userId} input[data-select-row]`).isDisabled(), "the owner cannot be selected");
  await page.check(`#user-${bea} input[data-select-row]`);
  await page.check(`#user-${cal} input[data-select-row]`);
  await page.click("button[data-bulk-delete]");
  const dialog = page.locator("#delete-dialog");
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /Bea Brown/);
  assert.match(await dialog.textContent(), /Cal Cole/);
  assert.doesNotMatch(await dialog.textContent(), /Dee Dunn/);
  await page.click("#confirm-delete");
  await page.locator("#deleted").waitFor();
  assert.match(await page.textContent("#notice"), /Deleted 2 users/);
  const members = await api(server, "GET", `/api/v1/orgs/${acme.org}/members`, { token: acme.token });
  assert.deepEqual(members.items.map((m) => m.user_id).sort(), [acme.userId, dee].sort());
  // Bea's open browser is signed out at once: her next page asks her to sign in.
  await bea_browser.page.reload();
  assert.match(bea_browser.page.url(), /\/sign-in\?next=/);
  await finish("bulk_delete_two_users");
});

test("an ownership transfer is nominated by the owner and accepted by the nominee", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const ada = await addMember(server, acme.org, acme.token, "ada@example.com", "Ada Admin", "admin");

  const owner = await openPage(t);
  await signIn(owner.page, server, "olivia@example.com");
  await owner.page.click("nav.side >> text=Transfer ownership");
  await owner.page.fill("#to_user", "ada@example.com");
  await owner.page.click("#nominate");
  await owner.page.locator("#pending-nomination").waitFor();
  assert.match(await owner.page.textContent("#pending-nomination"), /Ada Admin[\s\S]*expires/);

  const nominee = await openPage(t);
  await signIn(nominee.page, server, "ada@example.com");
  const banner = nominee.page.locator("#nomination-banner");
  assert.match(await banner.textContent(), /Olivia Owner has nominated you/);
  await banner.locator("text=Accept").click();
  await nominee.page.waitForURL(/ownership\?done=accepted/);
  assert.equal((await nominee.page.textContent("#owner-name")).trim(), "Ada Admin");

  await owner.page.goto(server.url + `/orgs/${acme.org}/users`);
  const olivia = owner.page.locator(`#user-${acme.userId}`);
  assert.match(await olivia.textContent(), /Admin/);
  await owner.finish("ownership_transfer_owner");
  await nominee.finish("ownership_transfer_nominee");
});

test("a grant in the Permissions dialog, and Make owner moves a project with its questions", async (t) => {
  const server = await startServer("analytics");
  t.after(server.stop);
  const acme = await signUp(server, "root@example.com", "Rita Root", "Acme Analytics");
  const ann = await addMember(server, acme.org, acme.token, "ann@example.com", "Ann Analyst", "analyst");
  const pat = await addMember(server, acme.org, acme.token, "pat@example.com", "Pat Manager", "project_manager");
  const project = await api(server, "POST", `/api/v1/orgs/${acme.org}/objects`, {
    token: acme.token, body: { type: "project", name: "Churn study", owner_id: pat },
  });
  const question = await api(server, "POST", `/api/v1/orgs/${acme.org}/objects`, {
    token: acme.token, body: { type: "question", name: "Why do they leave?", parent_id: project.id },
  });

  const { page, finish } = await openPage(t);
  await signIn(page, server, "root@example.com");
  await page.click("nav.side >> text=Objects");
  await page.locator(`tr[data-object="${project.id}"] >> text=Permissions`).click();
  const annRow = page.locator(`#permissions tr[data-user="${ann}"]`);
  const rootRow = page.locator(`#permissions tr[data-user="${acme.userId}"]`);
  const rootEdit = rootRow.locator("input[data-action='project:edit']");
  assert.ok(await rootEdit.isChecked() && await rootEdit.isDisabled(), "root's actions are ticked and locked");
  assert.match(await rootEdit.getAttribute("title"), /Root account/);

  const edit = annRow.locator("input[data-action='project:edit']");
  assert.ok(!(await edit.isDisabled()) && !(await edit.isChecked()));
  await edit.check();
  await annRow.locator("text=Save").click();
  await page.waitForURL(/done=granted/);
  assert.ok(await page.locator(`#permissions tr[data-user="${ann}"] input[data-action='project:edit']`).isChecked());
  const check = await api(server, "POST", `/api/v1/orgs/${acme.org}/check`, {
    token: acme.token, body: { user_id: ann, action: "project:edit", object_id: project.id },
  });
  assert.deepEqual(check, { allowed: true, reason: `grant@${project.id}` });

  assert.match(await page.textContent("#permissions-dialog"), /questions inside/);
  await page.locator(`#permissions tr[data-user="${ann}"] >> text=Make owner`).click();
  await page.waitForURL(/done=owner/);
  assert.equal((await page.textContent("#object-owner")).trim(), "Ann Analyst");
  const moved = await api(server, "GET", `/api/v1/orgs/${acme.org}/objects/${question.id}`, { token: acme.token });
  assert.equal(moved.owner_id, ann, "the question moved with its project");
  await finish("permissions_dialog_grant_and_make_owner");
});

test("the Why? box answers with the reason, and the matrix lists the roles", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const vic = await addMember(server, acme.org, acme.token, "vic@example.com", "Vic Viewer", "viewer");
  const { page, finish } = await openPage(t);
  await signIn(page, server, "olivia@example.com");
  await page.click("nav.side >> text=Roles & permissions");
  for (const role of ["Owner", "Admin", "Operator", "Viewer"]) assert.match(await page.textContent("#matrix thead"), new RegExp(role));
  await page.fill("input[name=user]", "vic@example.com");
  await page.selectOption("select[name=action]", "members:manage");
  await page.selectOption("select[name=object]", acme.org);
  await page.click("text=Ask");
  assert.match(await page.textContent("#why-answer"), /No: Vic Viewer may not invite users, change their roles and assign their sites \(members:manage\)/);
  await finish("why_box_and_role_matrix");
});

test("an invited person opens the link, joins, and lands in the organization", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const owner = await openPage(t);
  await signIn(owner.page, server, "olivia@example.com");
  await owner.page.click("text=Invite user");
  await owner.page.fill("#invite-email", "nina@example.com");
  await owner.page.fill("#invite-name", "Nina New");
  await owner.page.selectOption("#invite-role", "operator");
  await owner.page.click("#invite-dialog button[type=submit]");
  await owner.page.locator("#invitation-link").waitFor();
  const link = (await owner.page.textContent("#invitation-link code")).trim();
  assert.match(link, /\/invitations\/org_/);

  const invitee = await openPage(t);
  await invitee.page.goto(link);
  await invitee.page.fill("#password", PASSWORD);
  await invitee.page.click("button[type=submit]");
  // The owner saw the link, so the new account proves its address by mail
  // (here, the log) and its password before it signs in (docs/accounts.md).
  await invitee.page.getByText("We sent a link to nina@example.com").waitFor();
  const proof = await mailedLink(server, "nina@example.com", "/verify-email/");
  await invitee.page.goto(server.url + proof);
  await invitee.page.fill("#password", PASSWORD);
  await invitee.page.click("button[type=submit]");
  await invitee.page.waitForURL(/\/orgs\/[^/]+\/users/);
  assert.equal(await invitee.page.textContent("[data-current-org]"), "Acme");
  assert.match(await invitee.page.textContent("#user-menu summary"), /Nina New/);
  await owner.finish("invitation_link_shown_once");
  await invitee.finish("invitee_joined");
});

test("someone who already has an account signs in from the invitation and comes back to join", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const globex = await signUp(server, "gus@example.com", "Gus Globex", "Globex");
  const link = await invite(server, globex.org, globex.token, "olivia@example.com", "operator");

  const { page, finish } = await openPage(t);
  await page.goto(link);
  assert.equal(await page.locator("#password").count(), 0, "the join page asks for no password");
  await page.click("text=Sign in to join");
  await page.waitForURL(/\/sign-in\?next=/);
  await page.fill("#email", "olivia@example.com");
  await page.fill("#password", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForURL(link);
  await page.click("button:has-text(\"Join Globex\")");
  await page.waitForURL(`**/orgs/${globex.org}/users`);
  assert.equal(await page.textContent("[data-current-org]"), "Globex");
  await finish("existing_account_joined_after_sign_in");
});

test("the edit panel renames a viewer and assigns a site, and the warning goes", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const vic = await addMember(server, acme.org, acme.token, "vic@example.com", "Vic Viewer", "viewer");
  const site = await api(server, "POST", `/api/v1/orgs/${acme.org}/objects`, {
    token: acme.token, body: { type: "site", name: "Plant 1" },
  });
  const { page, finish } = await openPage(t);
  await signIn(page, server, "olivia@example.com");
  await page.locator(`#user-${vic}`).getByRole("link", { name: "Edit" }).click();
  assert.ok(await page.locator("#email").isDisabled(), "an e-mail is shown, never edited");
  await page.fill("#name", "Victoria Viewer");
  await page.selectOption(`select[name="scope_roles:${site.id}"]`, "viewer");
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/done=saved/);
  const row = page.locator(`#user-${vic}`);
  assert.match(await row.textContent(), /Victoria Viewer/);
  assert.match(await row.locator(".scopes").textContent(), /Plant 1: viewer/);
  assert.equal(await row.locator(".row-warning").count(), 0);
  await finish("edit_panel_assigns_a_site");
});

test("the Users page reads on a phone", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  await addMember(server, acme.org, acme.token, "vic@example.com", "Vic Viewer", "viewer");
  const { page, finish } = await openPage(t, { width: 390, height: 844 });
  await signIn(page, server, "olivia@example.com");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  await finish("users_page_on_a_phone");
});

test("a CSV import is previewed line by line, refused whole on one bad line, and applied once clean", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const vic = await addMember(server, acme.org, acme.token, "vic@example.com", "Vic Viewer", "viewer");
  const dir = mkdtempSync(join(tmpdir(), "steward-import-"));
  const bad = join(dir, "bad.csv");
  writeFileSync(bad, "email,name,role\nvic@example.com,Vic Viewer,operator\nolivia@example.com,Olivia Owner,viewer\n");
  const good = join(dir, "good.csv");
  writeFileSync(good, "email,name,role\nvic@example.com,Vic Viewer,operator\nnew@example.com,Nora New,viewer\n");

  const { page, finish } = await openPage(t);
  await signIn(page, server, "olivia@example.com");
  await page.click("text=Import CSV");
  await page.setInputFiles("#file", bad);
  await page.click("#preview-button");
  await page.locator("#import-errors").waitFor();
  assert.match(await page.textContent("#import-errors"), /3[\s\S]*olivia@example.com/);
  assert.equal(await page.locator("#confirm-import").count(), 0, "a refused file cannot be confirmed");

  await page.setInputFiles("#file", good);
  await page.click("#preview-button");
  await page.locator("#import-changes").waitFor();
  assert.match(await page.textContent("#import-changes"), /Viewer → Operator/);
  assert.match(await page.textContent("#import-changes"), /Invite as Viewer/);
  assert.equal(await api(server, "GET", `/api/v1/orgs/${acme.org}/members/${vic}`, { token: acme.token }).then((m) => m.role), "viewer", "a preview changes nothing");
  await page.click("#confirm-import");
  await page.locator("#import-links").waitFor();
  assert.match(await page.textContent("#import-links"), /new@example.com[\s\S]*\/invitations\//);
  const after = await api(server, "GET", `/api/v1/orgs/${acme.org}/members/${vic}`, { token: acme.token });
  assert.equal(after.role, "operator");
  await finish("csv_import_preview_and_apply");
});

test("the Export buttons download the whole audit log and member list, compressed on the way", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  await addMember(server, acme.org, acme.token, "vic@example.com", "Vic Viewer", "viewer");
  // More events than one page of the streamed export (1,000).
  for (let batch = 0; batch < 21; batch++) {
    await Promise.all(Array.from({ length: 50 }, (_, i) => api(server, "POST", `/api/v1/orgs/${acme.org}/objects`, {
      token: acme.token, body: { type: "site", name: `Site ${batch * 50 + i}` },
    })));
  }
  const chain = await api(server, "GET", `/api/v1/orgs/${acme.org}/audit/verify`, { token: acme.token });
  assert.ok(chain.events > 1050, `${chain.events} events`);

  const { page, finish } = await openPage(t);
  await signIn(page, server, "olivia@example.com");
  const saved = async (button) => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.click(button)]);
    assert.equal(await download.failure(), null, `${button}: the download broke off`);
    return readFileSync(await download.path(), "utf8");
  };

  await page.click("nav.side >> text=Audit log");
  const csv = await saved("text=Export CSV");
  const rows = csv.trimEnd().split("\r\n");
  assert.equal(rows[0], "id,seq,at,at_unix,type,actor_id,target_id,data,hash,prev_hash");
  assert.equal(rows.length, chain.events + 1, "one row per event, and the header");
  assert.match(rows.at(-1), new RegExp(`^${chain.events},${chain.events},`));

  const jsonl = await saved("text=Export JSON lines");
  const events = jsonl.trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.equal(events.length, chain.events);
  assert.deepEqual(events.map((e) => e.seq), Array.from({ length: chain.events }, (_, i) => i + 1));

  await page.click("nav.side >> text=Users");
  const members = await saved("text=Export CSV");
  assert.match(members, /^email,name,role,scopes\r\n/);
  assert.match(members, /olivia@example.com/);
  assert.match(members, /vic@example.com,Vic Viewer,viewer,/);

  // The same files fetched by the page: the browser asked for compression and
  // the server sent it (a download's headers are not shown to the test).
  for (const [path, file] of [
    [`/orgs/${acme.org}/audit/export?format=csv`, csv],
    [`/orgs/${acme.org}/audit/export?format=jsonl`, jsonl],
    [`/orgs/${acme.org}/users/export`, members],
  ]) {
    const fetched = await page.evaluate(async (url) => {
      const r = await fetch(url);
      return { encoding: r.headers.get("content-encoding"), text: await r.text() };
    }, path);
    assert.equal(fetched.encoding, "gzip", path);
    assert.equal(fetched.text, file, path);
  }
  await finish("exports_download_whole");
});

test("a service a user was not added to is not found in their console, Permissions dialog included", async (t) => {
  const server = await startServer("platform");
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  await addMember(server, acme.org, acme.token, "uma@example.com", "Uma User", "user");
  const sam = await addMember(server, acme.org, acme.token, "sam@example.com", "Sam User", "user");
  const secret = await api(server, "POST", `/api/v1/orgs/${acme.org}/objects`, {
    token: acme.token, body: { type: "service", name: "Secret Service" },
  });
  await api(server, "PUT", `/api/v1/orgs/${acme.org}/members/${sam}/scopes/${secret.id}`, {
    token: acme.token, body: { roles: ["service_user"] },
  });

  const { page, finish } = await openPage(t);
  await signIn(page, server, "uma@example.com");
  assert.ok(await page.isVisible("text=Sam User"));
  assert.doesNotMatch(await page.textContent("main"), /Secret Service/);
  await page.click("nav.side >> text=Objects");
  assert.doesNotMatch(await page.textContent("main"), /Secret Service/);
  const answer = await page.goto(server.url + `/orgs/${acme.org}/objects/${secret.id}/permissions`);
  assert.equal(answer.status(), 404);
  assert.match(await page.title(), /Not found/);
  assert.doesNotMatch(await page.content(), /Secret Service/);
  await finish("hidden_service_not_found", [/status of 404/]);
});

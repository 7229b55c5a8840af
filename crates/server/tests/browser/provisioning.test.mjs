// The Provisioning page in a real browser: the base URL, a token made and shown
// once, a directory group mapped to a role, the "On deprovision" choice, the
// last requests; readable and
// reachable at phone width, and accessible (axe-core) at both widths.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, signUp, api, openPage, closeBrowser, signIn, screenshotsAt } from "./support.mjs";

after(closeBrowser);

async function scim(server, org, secret, method, path, body) {
  const res = await fetch(`${server.url}/scim/v2/${org}${path}`, {
    method,
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/scim+json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

test("an owner makes a SCIM token, maps a directory group and sees the requests", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const made = await api(server, "POST", `/api/v1/orgs/${acme.org}/scim-tokens`, {
    token: acme.token, body: { name: "Okta" },
  });
  const ann = await scim(server, acme.org, made.key, "POST", "/Users", {
    userName: "ann@example.com", name: { givenName: "Ann", familyName: "Lee" },
  });
  assert.equal(ann.status, 201);
  const group = await scim(server, acme.org, made.key, "POST", "/Groups", {
    displayName: "Engineering", members: [{ value: ann.body.id }],
  });
  assert.equal(group.status, 201);

  const { page, finish } = await openPage(t);
  await signIn(page, server, "olivia@example.com");
  await page.goto(`${server.url}/orgs/${acme.org}/provisioning`);
  assert.equal(await page.textContent("#scim-base-url"), made.base_url);
  assert.ok(await page.isVisible("#scim-request-list >> text=POST /scim/v2/"));

  await page.fill("#scim-token-name", "Entra ID");
  await page.click("#make-scim-token");
  await page.waitForSelector("#new-scim-token");
  assert.match(await page.textContent("#new-scim-token code"), /^stw_key_/);

  await page.selectOption(`#mapping-${group.body.id}`, { label: "Operator" });
  await page.click(`#scim-group-list form[action$="/groups/${group.body.id}/mapping"] button`);
  await page.waitForURL(/done=mapped/);
  const member = await api(server, "GET", `/api/v1/orgs/${acme.org}/members/${ann.body.id}`, { token: acme.token });
  assert.equal(member.role, "operator");

  // On deprovision: the radio choice, by keyboard, saved.
  assert.ok(await page.isChecked("#deprovision-remove"));
  await page.focus("#deprovision-remove");
  await page.keyboard.press("ArrowDown");
  assert.ok(await page.isChecked("#deprovision-suspend"));
  await page.click("#save-deprovision");
  await page.waitForURL(/done=deprovision/);
  assert.ok(await page.isChecked("#deprovision-suspend"));
  const settings = await api(server, "GET", `/api/v1/orgs/${acme.org}/scim-settings`, { token: acme.token });
  assert.equal(settings.on_deprovision, "suspend");

  await screenshotsAt(page, "provisioning");
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at phone width`);
  await finish("provisioning");
});

// The Webhooks page in a real browser, against a receiver this test runs on
// 127.0.0.1 (the server is started with --webhooks-allow-private): bad input
// refused beside its field with nothing saved, an endpoint added with its
// secret shown once, a change delivered and seen in the log, redelivered with
// the same webhook-id, turned off, deleted after a confirm dialog; axe-core on
// every state at desktop and phone width; and one path by keyboard only.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import {
  startServer, signUp, api, openPage, closeBrowser, signIn, screenshotsAt, expectAccessible,
} from "./support.mjs";

after(closeBrowser);

/** An HTTP receiver on 127.0.0.1 that answers 204 and keeps what it got. */
async function startReceiver(t) {
  const got = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => { body += d; });
    req.on("end", () => {
      got.push({ id: req.headers["webhook-id"], signature: req.headers["webhook-signature"], body: JSON.parse(body) });
      res.writeHead(204).end();
    });
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  t.after(() => new Promise((ok) => server.close(ok)));
  return { url: `http://127.0.0.1:${server.address().port}/steward`, got };
}

/** Waits until `check()` holds (the courier works in the background). */
async function eventually(what, check) {
  for (let i = 0; i < 200; i += 1) {
    if (await check()) return;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  assert.fail(`never happened: ${what}`);
}

async function endpoints(server, acme) {
  return (await api(server, "GET", `/api/v1/orgs/${acme.org}/webhooks`, { token: acme.token })).items;
}

async function noSidewaysScroll(page, what) {
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${what} scrolls sideways by ${overflow}px at phone width`);
  await page.setViewportSize({ width: 1280, height: 860 });
}

test("an owner adds an endpoint, sees a change delivered, redelivers it, turns it off and deletes it", async (t) => {
  const server = await startServer("operations", { args: ["--webhooks-allow-private"] });
  t.after(server.stop);
  const receiver = await startReceiver(t);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const { page, context, finish } = await openPage(t);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  await signIn(page, server, "olivia@example.com");

  // The navigation leads there.
  await page.click("nav.side >> text=Webhooks");
  await page.waitForURL(new RegExp(`/orgs/${acme.org}/settings/webhooks$`));
  assert.ok(await page.isVisible("#no-webhooks"));
  await screenshotsAt(page, "webhooks-empty");

  // A URL that is not http(s): the API's reason beside the field, nothing saved.
  await page.fill("#webhook-url", "ftp://hooks.example.com/in");
  await page.click("#add-webhook");
  await page.waitForSelector("#webhook-url-error");
  assert.match(await page.textContent("#webhook-url-error"), /http:\/\/ or https:\/\//);
  assert.equal(await page.getAttribute("#webhook-url", "aria-invalid"), "true");
  assert.equal(await page.inputValue("#webhook-url"), "ftp://hooks.example.com/in", "the form keeps what was typed");
  assert.deepEqual(await endpoints(server, acme), []);
  await screenshotsAt(page, "webhooks-refused-url");

  // "Only the types I choose" with none ticked: said beside the choice, nothing saved.
  await page.fill("#webhook-url", receiver.url);
  await page.check("#webhook-events-some");
  await page.click("#add-webhook");
  await page.waitForSelector("#webhook-events-error");
  assert.match(await page.textContent("#webhook-events-error"), /at least one event type/);
  assert.deepEqual(await endpoints(server, acme), []);

  // Added: two types chosen, the secret shown once. The list of types shows
  // only while "Only the types I choose" is chosen.
  await page.check("#webhook-events-all");
  assert.equal(await page.isVisible("#webhook-event-types"), false);
  await page.check("#webhook-events-some");
  await page.check("input[value='member.invited']");
  await page.check("input[value='webhook.configured']");
  await page.click("#add-webhook");
  await page.waitForSelector("#webhook-secret");
  const secret = (await page.textContent("#webhook-secret")).trim();
  assert.match(secret, /^whsec_/);
  await page.click("#copy-webhook-secret");
  await page.waitForSelector("#webhook-secret-card [data-copy-status]:has-text('Copied')");
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
  const [made] = await endpoints(server, acme);
  assert.equal(made.url, receiver.url);
  assert.deepEqual(made.event_types, ["member.invited", "webhook.configured"]);
  assert.equal(made.secret, undefined, "the API never shows the secret again");
  await screenshotsAt(page, "webhooks-secret-shown");
  const listUrl = `${server.url}/orgs/${acme.org}/settings/webhooks`;
  await page.goto(listUrl);
  assert.equal(await page.$("#webhook-secret"), null, "the secret is shown once");

  // Its own configuration, then an invitation: both delivered, in order.
  await api(server, "POST", `/api/v1/orgs/${acme.org}/invitations`, {
    token: acme.token, body: { email: "ann@example.com", role: "viewer" },
  });
  await eventually("two deliveries", () => receiver.got.length >= 2);
  assert.deepEqual(receiver.got.map((g) => g.body.type), ["webhook.configured", "member.invited"]);

  // The list says it; the log shows both, newest first.
  await page.goto(listUrl);
  const card = `#webhook-${made.id}`;
  assert.match(await page.textContent(`${card} [data-webhook-state]`), /On/);
  await eventually("the last delivery on the card", async () => {
    await page.reload();
    return /member\.invited.*delivered/s.test(await page.textContent(`${card} [data-webhook-last]`));
  });
  await screenshotsAt(page, "webhooks-list");
  await noSidewaysScroll(page, "the Webhooks page");
  await page.click(`${card} a.button:has-text('Delivery log')`);
  await page.waitForURL(new RegExp(`/settings/webhooks/${made.id}$`));
  const rows = await page.$$eval("#webhook-deliveries tbody tr", (trs) => trs.map((tr) => tr.innerText));
  assert.equal(rows.length, 2, rows.join(" | "));
  assert.match(rows[0], /member\.invited[\s\S]*delivered[\s\S]*HTTP 204/);
  assert.match(rows[1], /webhook\.configured/);
  await screenshotsAt(page, "webhooks-log");
  await noSidewaysScroll(page, "the delivery log");

  // Redeliver the invitation: sent again with the same webhook-id.
  const invited = receiver.got[1];
  await page.click("#webhook-deliveries tbody tr:first-child button:has-text('Redeliver')");
  await page.waitForURL(/done=redelivered/);
  assert.match(await page.textContent("#notice"), /sent again/);
  await eventually("the redelivery", () => receiver.got.length >= 3);
  assert.equal(receiver.got[2].id, invited.id);
  assert.equal(receiver.got[2].body.data.seq, invited.body.data.seq);
  await expectAccessible(page, "the log after a redelivery");

  // A new secret, shown once, unlike the first.
  await page.click("text=← All webhooks");
  await page.click(`${card} button:has-text('Rotate secret')`);
  await page.waitForSelector("#webhook-secret");
  const rotated = (await page.textContent("#webhook-secret")).trim();
  assert.match(rotated, /^whsec_/);
  assert.notEqual(rotated, secret);
  await page.goto(listUrl);

  // Turned off: the page and the API say so.
  await page.click(`${card} [data-webhook-toggle]`);
  await page.waitForURL(/done=disabled/);
  assert.match(await page.textContent(`${card} [data-webhook-state]`), /Off/);
  assert.equal((await endpoints(server, acme))[0].enabled, false);
  await screenshotsAt(page, "webhooks-off");

  // Deleted, after the confirm dialog (Cancel first changes nothing).
  await page.click(`${card} [data-dialog-open]`);
  const dialog = `#delete-webhook-${made.id}`;
  await page.waitForSelector(`${dialog}[open]`);
  await expectAccessible(page, "the delete dialog");
  await page.click(`${dialog} [data-dialog-close]`);
  assert.equal(await page.$eval(dialog, (d) => d.open), false);
  assert.equal((await endpoints(server, acme)).length, 1);
  await page.click(`${card} [data-dialog-open]`);
  await page.click(`${dialog} button[type=submit]`);
  await page.waitForURL(/done=deleted/);
  assert.ok(await page.isVisible("#no-webhooks"));
  assert.deepEqual(await endpoints(server, acme), []);
  await screenshotsAt(page, "webhooks-deleted");
  await finish("webhooks");
});

/** Presses Tab until the focused element matches `selector`. */
async function tabTo(page, selector, limit = 200) {
  for (let i = 0; i < limit; i += 1) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press("Tab");
  }
  const at = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120));
  assert.fail(`${selector} was never reached with Tab (focus ended on ${at})`);
}

test("keyboard only: an endpoint is added, its log opened and a delete dialog closed with Escape", async (t) => {
  const server = await startServer("operations", { args: ["--webhooks-allow-private"] });
  t.after(server.stop);
  const receiver = await startReceiver(t);
  const acme = await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const { page, finish } = await openPage(t);
  await signIn(page, server, "olivia@example.com");

  await tabTo(page, "nav.side a[href$='/settings/webhooks']");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/settings\/webhooks$/);
  await tabTo(page, "#webhook-url");
  await page.keyboard.type(receiver.url);
  // Every type: the radio is reached with Tab, already chosen.
  await tabTo(page, "#webhook-events-all");
  assert.ok(await page.isChecked("#webhook-events-all"));
  await tabTo(page, "#add-webhook");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#webhook-secret");
  const [made] = await endpoints(server, acme);
  assert.deepEqual(made.event_types, []);
  await eventually("its own configuration delivered", () => receiver.got.length >= 1);

  // Escape closes the delete dialog; the endpoint stays.
  await tabTo(page, `#webhook-${made.id} [data-dialog-open]`);
  await page.keyboard.press("Enter");
  await page.waitForSelector(`#delete-webhook-${made.id}[open]`);
  await page.keyboard.press("Escape");
  assert.equal(await page.$eval(`#delete-webhook-${made.id}`, (d) => d.open), false);
  assert.equal((await endpoints(server, acme)).length, 1);

  // The log, then Redeliver by Enter.
  await tabTo(page, `#webhook-${made.id} a.button`);
  await page.keyboard.press("Enter");
  await page.waitForURL(new RegExp(`/settings/webhooks/${made.id}$`));
  await tabTo(page, "#webhook-deliveries button");
  await page.keyboard.press("Enter");
  await page.waitForURL(/done=redelivered/);
  await eventually("the redelivery", () => receiver.got.length >= 2);
  assert.equal(receiver.got[1].id, receiver.got[0].id);
  await expectAccessible(page, "the log, by keyboard");
  await finish("webhooks-keyboard");
});

// Every console page, for every organization role of every preset: signed in
// as that role, each section the navigation offers is opened, checked by
// axe-core (WCAG 2.1 A and AA, no violation of impact serious or critical) and
// saved at desktop and phone width under target/screenshots/walk-*.png.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import {
  startServer, signUp, addMember, api, openPage, closeBrowser, signIn, screenshotsAt,
  expectAccessible, DESKTOP, PHONE, mailedLink, PASSWORD,
} from "./support.mjs";

after(closeBrowser);

/** Each preset: its organization roles below the signer-up's, and the objects
 * an organization of it holds, so that object pages have something to show. */
const PRESETS = {
  systems: {
    roles: ["admin", "member"],
    objects: [{ type: "system", name: "Brussels DMS" }],
  },
  operations: {
    roles: ["admin", "operator", "viewer"],
    objects: [{ type: "site", name: "Ghent plant" }],
  },
  analytics: {
    roles: ["full_data_access", "project_manager", "internal_analyst", "analyst", "external_topic_assignment"],
    objects: [{ type: "project", name: "Churn study" }, { type: "dashboard", name: "Sales" }],
  },
  platform: {
    roles: ["organization_administrator", "user"],
    objects: [{ type: "service", name: "Orchestrator" }],
  },
};

/** The sections the navigation offers on the page shown, as paths. */
async function sections(page) {
  return page.$$eval("nav.side a", (links) => links.map((a) => new URL(a.href).pathname));
}

/** The name a path gets in a screenshot's file name. */
function slug(path) {
  return path.split("/").slice(3).join("-") || "home";
}

for (const [preset, { roles, objects }] of Object.entries(PRESETS)) {
  test(`every console page of the ${preset} preset passes axe-core for each of its roles, at desktop and phone width`, async (t) => {
    const server = await startServer(preset);
    t.after(server.stop);
    const owner = await signUp(server, `owner@${preset}.example`, "Olive Owner", `${preset} Inc`);
    for (const body of objects) {
      await api(server, "POST", `/api/v1/orgs/${owner.org}/objects`, { token: owner.token, body });
    }
    const people = [{ role: "owner", email: `owner@${preset}.example` }];
    for (const role of roles) {
      const email = `${role}@${preset}.example`;
      await addMember(server, owner.org, owner.token, email, `${role.replace(/_/g, " ")} person`, role);
      people.push({ role, email });
    }

    let pages = 0;
    for (const { role, email } of people) {
      const { page, context, finish } = await openPage(t, DESKTOP);
      await signIn(page, server, email);
      const landing = new URL(page.url()).pathname;
      const visit = await sections(page);
      assert.ok(visit.length > 0, `${role} has a navigation`);
      for (const path of visit.filter((p) => !process.env.WALK_SKIP || !new RegExp(process.env.WALK_SKIP).test(p))) {
        const response = await page.goto(server.url + path);
        assert.ok(response.ok(), `${role}: the navigation offers ${path}, which answers ${response.status()}`);
        await screenshotsAt(page, `walk-${preset}-${role}-${slug(path)}`);
        pages += 1;
        if (path.endsWith("/objects")) {
          // The first object's page and its Permissions page, where offered.
          const inside = await page.$$eval("main a[href*='/objects/']", (links) => [...new Set(
            links.map((a) => new URL(a.href).pathname).filter((p) => /\/objects\/[^/]+(\/permissions)?$/.test(p)))]);
          for (const kind of [/\/objects\/[^/]+$/, /\/permissions$/]) {
            const first = inside.find((p) => kind.test(p));
            if (!first) continue;
            const answer = await page.goto(server.url + first);
            assert.ok(answer.ok(), `${role}: the Objects page links ${first}, which answers ${answer.status()}`);
            await screenshotsAt(page, `walk-${preset}-${role}-${slug(first)}`);
            pages += 1;
          }
        }
      }
      // The header's menus, opened, pass too.
      await page.goto(server.url + landing);
      await page.click("#org-selector summary");
      await expectAccessible(page, `${role}: the organization selector, open`);
      await page.keyboard.press("Escape");
      assert.equal(await page.$eval("#org-selector", (d) => d.open), false, "Escape closes the selector");
      await finish(`walk-${preset}-${role}-last`);
      await context.close();
    }
    t.diagnostic(`${preset}: ${pages} pages checked at ${DESKTOP.width} and ${PHONE.width} px`);
  });
}

test("the pages outside an organization pass axe-core at desktop and phone width", async (t) => {
  const server = await startServer("operations");
  t.after(server.stop);
  const { page, finish } = await openPage(t, DESKTOP);
  for (const path of ["/sign-in", "/sign-up", "/password-reset"]) {
    await page.goto(server.url + path);
    await screenshotsAt(page, `walk-plain${path.replace("/", "-")}`);
  }
  await page.goto(server.url + "/sign-in");
  await page.fill("#email", "nobody@example.com");
  await page.fill("#password", "not the password");
  await page.click("button[type=submit]");
  await page.waitForSelector(".notice.error, .error");
  await screenshotsAt(page, "walk-plain-sign-in-refused");
  // The mailed links' pages, and the account page.
  await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  await api(server, "POST", "/api/v1/auth/password-reset", {
    body: { email: "olivia@example.com" }, expect: [202],
  });
  await page.goto(server.url + await mailedLink(server, "olivia@example.com", "/password-reset/"));
  await screenshotsAt(page, "walk-plain-password-reset-link");
  await api(server, "POST", "/api/v1/signup", {
    body: { email: "sam@example.com", name: "Sam", password: PASSWORD, org_name: "Samco" },
  });
  await page.goto(server.url + await mailedLink(server, "sam@example.com", "/verify-email/"));
  await screenshotsAt(page, "walk-plain-verify-email");
  await signIn(page, server, "olivia@example.com");
  await page.goto(server.url + "/account");
  await screenshotsAt(page, "walk-plain-account");
  // The second factor's pages (the sign-in step is in two_factor.test.mjs).
  await page.goto(server.url + "/account/second-factor");
  await screenshotsAt(page, "walk-plain-second-factor");
  await page.click("button:has-text(\"Set up a second factor\")");
  await page.waitForSelector("#totp-secret");
  await screenshotsAt(page, "walk-plain-second-factor-setup");
  await finish("walk-plain-last", [/401/]);
});

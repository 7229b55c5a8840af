// Single sign-on end to end: the npm `oidc-provider` (the certified Node
// implementation, pinned in package.json) started here on a random port with
// its development login, and Chromium. The owner sets the provider up on the
// console's SSO page and proves the domain with their own verified address;
// a newcomer on that domain chooses "Sign in with single sign-on", logs in at
// the provider, comes back signed in, and is a member with the policy's
// default role (docs/sign-in.md).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import Provider from "oidc-provider";
import {
  startServer, signUp, openPage, closeBrowser, signIn, api, expectAccessible, screenshotsAt,
} from "./support.mjs";

after(closeBrowser);

const CLIENT_ID = "steward-browser";
const CLIENT_SECRET = "a-client-secret-for-the-browser-test";

/** oidc-provider on 127.0.0.1, any login accepted; the login is the address. */
async function startProvider(redirectUri) {
  const http = createServer();
  await new Promise((ok) => http.listen(0, "127.0.0.1", ok));
  const issuer = `http://127.0.0.1:${http.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    }],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    // The ID token itself carries the address (Steward reads no userinfo).
    conformIdTokenClaims: false,
    findAccount: async (_ctx, id) => ({
      accountId: id,
      claims: async () => ({ sub: id, email: id, email_verified: true, name: "Nia Newcomer" }),
    }),
    pkce: { required: () => true },
    cookies: { keys: ["sso-browser-test-cookie-key"] },
    features: { devInteractions: { enabled: true } },
  });
  // Quiet: the development interactions warn about themselves.
  provider.on("server_error", (_ctx, e) => console.error("oidc-provider:", e));
  http.on("request", provider.callback());
  return { issuer, stop: () => http.close() };
}

test("a newcomer on the organization's domain signs in through the provider and joins with the default role", async (t) => {
  const server = await startServer("operations");
  t.after(server.stop);
  const provider = await startProvider(`${server.url}/sso/callback`);
  t.after(provider.stop);
  const owner = await signUp(server, "owner@acme.test", "Olive Owner", "Acme");

  // The owner sets single sign-on up in the console, by keyboard.
  const { page, context, finish } = await openPage(t);
  await signIn(page, server, "owner@acme.test");
  await page.goto(`${server.url}/orgs/${owner.org}/settings/sso`);
  await expectAccessible(page, "the empty SSO settings page");
  assert.equal(await page.textContent("#sso-redirect-uri"), `${server.url}/sso/callback`);
  await page.focus("#sso-issuer");
  await page.keyboard.type(provider.issuer);
  await page.keyboard.press("Tab");
  await page.keyboard.type(CLIENT_ID);
  await page.keyboard.press("Tab");
  await page.keyboard.type(CLIENT_SECRET);
  await page.keyboard.press("Tab");
  await page.keyboard.type("acme.test");
  await page.keyboard.press("Enter");
  await page.getByText("Single sign-on saved.").waitFor();
  await page.getByText("Not proven").waitFor();
  await page.click("button:has-text(\"Prove acme.test\")");
  await page.getByText("Proven by owner@acme.test").waitFor();
  // The secret is stored, never shown.
  assert.equal(await page.inputValue("#sso-client-secret"), "");
  assert.ok(!(await page.content()).includes(CLIENT_SECRET));
  await screenshotsAt(page, "sso-settings");
  await context.clearCookies();

  // The newcomer: the sign-in page, then the provider, then back.
  await page.goto(server.url + "/sign-in");
  await page.fill("#email", "nia@acme.test");
  await page.click("button:has-text(\"Sign in with single sign-on\")");
  await page.waitForURL((u) => u.href.startsWith(provider.issuer));
  await page.fill("input[name=login]", "nia@acme.test");
  await page.fill("input[name=password]", "anything");
  await page.click("button:has-text(\"Sign-in\")");
  await page.click("button:has-text(\"Continue\")");
  await page.waitForURL(/\/orgs\/[^/]+\/(users|me)/);
  assert.ok(page.url().startsWith(server.url), page.url());

  const members = await api(server, "GET", `/api/v1/orgs/${owner.org}/members`, { token: owner.token });
  const nia = members.items.find((m) => m.email === "nia@acme.test");
  assert.ok(nia, `no membership: ${JSON.stringify(members.items)}`);
  assert.equal(nia.role, "viewer", "the operations policy's default role");
  const audit = await api(server, "GET", `/api/v1/orgs/${owner.org}/audit?type=sso.joined`, { token: owner.token });
  assert.equal(audit.items.length, 1);
  // oidc-provider's development login page asks Google for a font (the test
  // machine has no way out) and the browser for the provider's favicon (404).
  await finish("sso_sign_in", [/fonts\.googleapis\.com/, /ERR_NAME_NOT_RESOLVED/, /404/]);
});

// Passwords in the console: "Forgot your password?" to a mailed link (read from
// the log, as without --smtp-url), and the account page's change of password.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import {
  startServer, signUp, openPage, closeBrowser, signIn, login, api, mailedLink, PASSWORD,
} from "./support.mjs";

after(closeBrowser);

test("someone who forgot their password gets a link by mail, chooses a new one and signs in", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const { page, finish } = await openPage(t, { width: 390, height: 844 });
  await page.goto(server.url + "/sign-in");
  await page.click("text=Forgot your password?");
  await page.fill("#email", "olivia@example.com");
  await page.click("button[type=submit]");
  await page.getByText("If olivia@example.com has a Steward account").waitFor();

  const link = await mailedLink(server, "olivia@example.com", "/password-reset/");
  await page.goto(server.url + link);
  await page.fill("#password", "a brand new passphrase");
  await page.click("button[type=submit]");
  await page.getByText("Every session of the account was signed out").waitFor();

  await page.goto(server.url + "/sign-in");
  await page.fill("#email", "olivia@example.com");
  await page.fill("#password", "a brand new passphrase");
  await page.click("button[type=submit]");
  await page.waitForURL(/\/orgs\/[^/]+\/users/);
  // The link works once.
  const again = await page.goto(server.url + link);
  assert.equal(again.status(), 404);
  await finish("password_reset_by_mail", [/404/]);
});

test("the account page in the user menu changes the password and asks for the current one", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const { page, finish } = await openPage(t);
  await signIn(page, server, "olivia@example.com");
  await page.click("#user-menu summary");
  await page.click("text=Account and password");
  await page.waitForURL(/\/account$/);

  await page.fill("#current_password", "a wrong guess");
  await page.fill("#new_password", "a brand new passphrase");
  await page.click("button:has-text(\"Change password\")");
  await page.getByText("The current password is wrong.").waitFor();

  await page.fill("#current_password", PASSWORD);
  await page.fill("#new_password", "a brand new passphrase");
  await page.click("button:has-text(\"Change password\")");
  await page.getByText("Your password is changed").waitFor();
  // This browser stays signed in; the old password no longer works.
  await page.goto(server.url + "/");
  await page.waitForURL(/\/orgs\/[^/]+\/users/);
  await api(server, "POST", "/api/v1/auth/login", {
    body: { email: "olivia@example.com", password: PASSWORD }, expect: [401],
  });
  await finish("password_changed_on_the_account_page");
});

test("signing up in the console asks to confirm the address before signing in", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  const { page, finish } = await openPage(t);
  await page.goto(server.url + "/sign-up");
  await page.fill("#name", "Sam Signup");
  await page.fill("#email", "sam@example.com");
  await page.fill("#password", PASSWORD);
  await page.fill("#org_name", "Samco");
  await page.click("button[type=submit]");
  await page.getByText("We sent a link to sam@example.com").waitFor();
  await api(server, "POST", "/api/v1/auth/login", {
    body: { email: "sam@example.com", password: PASSWORD }, expect: [401],
  });
  const proof = await mailedLink(server, "sam@example.com", "/verify-email/");
  await page.goto(server.url + proof);
  await page.fill("#password", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/orgs\/[^/]+\/users/);
  assert.ok(await login(server, "sam@example.com"));
  await finish("sign_up_confirmed_by_mail");
});

// The second factor in the console (docs/two-factor.md): set up from the
// account page (the key read from the page, the code computed here as an
// authenticator app would, RFC 6238 over node:crypto), then a sign-in that
// asks for a code. Every new page passes axe-core.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import {
  startServer, signUp, openPage, closeBrowser, signIn, expectAccessible, PASSWORD,
} from "./support.mjs";

after(closeBrowser);

/** RFC 4648 base32, as the key is shown. */
function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of text.replace(/=+$/, "").toUpperCase()) {
    const v = alphabet.indexOf(c);
    assert.ok(v >= 0, `not base32: ${c}`);
    bits += v.toString(2).padStart(5, "0");
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The 6-digit TOTP code (RFC 6238: HMAC-SHA1, 30 s) `steps` steps from now. */
function totp(secret, steps = 0) {
  const counter = Math.floor(Date.now() / 1000 / 30) + steps;
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac("sha1", base32(secret)).update(message).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, "0");
}

test("a member sets up a second factor from the console, signs out, and signs in with a code", async (t) => {
  const server = await startServer();
  t.after(server.stop);
  await signUp(server, "olivia@example.com", "Olivia Owner", "Acme");
  const { page, finish } = await openPage(t);
  await signIn(page, server, "olivia@example.com");
  await page.goto(server.url + "/account");
  await page.click("text=Set up or turn off a second factor");
  await page.waitForURL(/\/account\/second-factor$/);
  await page.getByText("No second factor is set up").waitFor();
  await expectAccessible(page, "the second factor's page");

  await page.click("button:has-text(\"Set up a second factor\")");
  const secret = (await page.textContent("#totp-secret")).trim();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.equal(await page.locator(".qr svg").count(), 1, "the QR code is drawn on the page");
  await expectAccessible(page, "the set-up page");
  await page.fill("#code", "000000");
  await page.click("button:has-text(\"Turn on\")");
  await page.getByText("that code is not the one the app shows now", { exact: false }).waitFor();
  await page.fill("#code", totp(secret));
  await page.click("button:has-text(\"Turn on\")");
  await page.locator("#recovery-codes li").first().waitFor();
  assert.equal(await page.locator("#recovery-codes li").count(), 10);
  await expectAccessible(page, "the recovery codes");

  // Signed out, the password alone is not enough.
  await page.goto(server.url + "/");
  await page.click("#user-menu summary");
  await page.click("button:has-text(\"Sign out\")");
  await page.waitForURL(/\/sign-in/);
  await page.fill("#email", "olivia@example.com");
  await page.fill("#password", PASSWORD);
  await page.click("button[type=submit]");
  await page.getByText("Enter the 6-digit code").waitFor();
  await expectAccessible(page, "the sign-in's second step");
  await page.fill("#code", "000000");
  await page.click("button[type=submit]");
  await page.getByText("That code is not right.").waitFor();
  // The code of the next step: the current one was taken by the set-up.
  await page.fill("#code", totp(secret, 1));
  await page.click("button[type=submit]");
  await page.waitForURL(/\/orgs\/[^/]+\/users/);
  await finish("two_factor_sign_in");
});

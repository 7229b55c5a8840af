// The generated client against a live Steward (clients/check.sh starts it and
// sets STEWARD_URL): sign up, change a member's role, run a check, read the
// change back from the event feed. Compiled by tsc with the generated types, so a
// call the description no longer allows fails to build.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createStewardClient } from "../src/index.js";

const baseUrl = process.env.STEWARD_URL ?? "";
const PASSWORD = "correct horse battery staple";

/** The answer's data, after checking its status. */
function answered<T>(r: { data?: T; error?: unknown; response: Response }, status = 200): T {
  assert.equal(r.response.status, status, JSON.stringify(r.error));
  assert.ok(r.data !== undefined, "the answer has a body");
  return r.data;
}

/** The token of the newest `/verify-email/` link mailed to `to`, from the
 * server's log (no relay is configured, so mails are written there). */
async function mailedToken(to: string): Promise<string> {
  for (let i = 0; i < 100; i += 1) {
    const mails = readFileSync(process.env.STEWARD_LOG ?? "", "utf8").split("mail written to the log").slice(1);
    const found = mails.filter((m) => m.split("\n")[0].includes(` to=${to} `))
      .map((m) => m.match(/\/verify-email\/(\S+)/)?.[1]).filter((t): t is string => !!t).pop();
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no address link mailed to ${to} in the log`);
}

function present<T>(value: T | null | undefined, what: string): T {
  assert.ok(value !== null && value !== undefined, `${what} is in the answer`);
  return value;
}

test("a signed-up owner changes a member's role and a check sees it", { skip: !baseUrl && "STEWARD_URL is not set" }, async () => {
  const anonymous = createStewardClient({ baseUrl });
  const email = `ts-${Date.now()}@acme.test`;
  const signup = answered(await anonymous.POST("/api/v1/signup", {
    body: { email, name: "Owner", password: PASSWORD, org_name: "Acme TS" },
  }), 201);
  const org = signup.org.id;
  // A new account proves its address before it signs in: the mailed link
  // and the password together, which answer as a login does.
  const login = answered(await anonymous.POST("/api/v1/auth/verify-email/{token}", {
    params: { path: { token: await mailedToken(email) } },
    body: { password: PASSWORD },
  }));
  const owner = createStewardClient({ baseUrl, token: login.access_token });

  const invited = answered(await owner.POST("/api/v1/orgs/{org}/invitations", {
    params: { path: { org } },
    body: { email: `vera-${email}`, name: "Vera", role: "viewer" },
  }), 201);
  const accepted = answered(await anonymous.POST("/api/v1/invitations/{token}/accept", {
    params: { path: { token: present(invited.token, "the invitation's token") } },
    body: { password: PASSWORD },
  }));
  const vera = accepted.user_id;

  const key = answered(await owner.POST("/api/v1/orgs/{org}/api-keys", {
    params: { path: { org } },
    body: { name: "back-end", permissions: ["check", "events"] },
  }), 201);
  const backEnd = createStewardClient({ baseUrl, token: present(key.key, "the key's secret") });
  const ask = async () => answered(await backEnd.POST("/api/v1/orgs/{org}/check", {
    params: { path: { org } },
    body: { user_id: vera, action: "members:manage", object_id: org },
  }));
  assert.deepEqual(await ask(), { allowed: false, reason: "no_permission" });

  answered(await owner.PATCH("/api/v1/orgs/{org}/members/{user}", {
    params: { path: { org, user: vera } },
    body: { role: "admin" },
  }));
  assert.deepEqual(await ask(), { allowed: true, reason: `role:admin@${org}` });

  const admins = answered(await owner.GET("/api/v1/orgs/{org}/members", {
    params: { path: { org }, query: { role: "admin" } },
  }));
  assert.deepEqual(admins.items.map((m) => m.user_id), [vera]);

  // The back-end reacts to changes by following the feed, oldest first.
  const feed = answered(await backEnd.GET("/api/v1/orgs/{org}/events", {
    params: { path: { org }, query: { after: 0 } },
  }));
  // The same operation answers Server-Sent Events as text; JSON was asked for.
  assert.ok(typeof feed === "object", "the feed answers a JSON page");
  const roleChanges = feed.items.filter((e) => e.type === "user.role_changed" && e.target_id === vera);
  assert.equal(roleChanges.length, 1, JSON.stringify(feed.items.map((e) => e.type)));
  assert.ok(feed.items.every((e, i) => i === 0 || e.seq > feed.items[i - 1].seq), "oldest first");
});

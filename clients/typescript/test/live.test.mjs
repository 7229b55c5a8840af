// The generated client against a live Steward (clients/check.sh starts it and
// sets STEWARD_URL): sign up, change a member's role, run a check.
// TODO(issue 19 point 1): read the change back from the event feed once it exists.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createStewardClient } from "../dist/index.js";

const baseUrl = process.env.STEWARD_URL;
const PASSWORD = "correct horse battery staple";

test("a signed-up owner changes a member's role and a check sees it", { skip: !baseUrl && "STEWARD_URL is not set" }, async () => {
  const anonymous = createStewardClient({ baseUrl });
  const email = `ts-${Date.now()}@acme.test`;
  const signup = await anonymous.POST("/api/v1/signup", {
    body: { email, name: "Owner", password: PASSWORD, org_name: "Acme TS" },
  });
  assert.equal(signup.response.status, 201, JSON.stringify(signup.error));
  const org = signup.data.org.id;
  const login = await anonymous.POST("/api/v1/auth/login", { body: { email, password: PASSWORD } });
  const owner = createStewardClient({ baseUrl, token: login.data.access_token });

  const invited = await owner.POST("/api/v1/orgs/{org}/invitations", {
    params: { path: { org } },
    body: { email: `vera-${email}`, name: "Vera", role: "viewer" },
  });
  assert.equal(invited.response.status, 201, JSON.stringify(invited.error));
  const accept = await anonymous.POST("/api/v1/invitations/{token}/accept", {
    params: { path: { token: invited.data.token } },
    body: { password: PASSWORD },
  });
  assert.equal(accept.response.status, 200, JSON.stringify(accept.error));
  const vera = accept.data.user_id;

  const key = await owner.POST("/api/v1/orgs/{org}/api-keys", {
    params: { path: { org } },
    body: { name: "back-end", permissions: ["check"] },
  });
  const backEnd = createStewardClient({ baseUrl, token: key.data.key });
  const ask = () => backEnd.POST("/api/v1/orgs/{org}/check", {
    params: { path: { org } },
    body: { user_id: vera, action: "members:manage", object_id: org },
  });
  assert.deepEqual((await ask()).data, { allowed: false, reason: "no_permission" });

  const changed = await owner.PATCH("/api/v1/orgs/{org}/members/{user}", {
    params: { path: { org, user: vera } },
    body: { role: "admin" },
  });
  assert.equal(changed.response.status, 200, JSON.stringify(changed.error));
  assert.deepEqual((await ask()).data, { allowed: true, reason: `role:admin@${org}` });

  const listed = await owner.GET("/api/v1/orgs/{org}/members", {
    params: { path: { org }, query: { role: "admin" } },
  });
  assert.deepEqual(listed.data.items.map((m) => m.user_id), [vera]);
});

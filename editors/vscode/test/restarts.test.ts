import { strict as assert } from "node:assert";
import { describe, it } from "node:test";

import { RestartPolicy } from "../src/restarts";

describe("RestartPolicy", () => {
  it("gives up after repeated exits in the window", () => {
    const policy = new RestartPolicy(3, 1000);
    assert.equal(policy.exited(0), true);
    assert.equal(policy.exited(100), true);
    assert.equal(policy.exited(200), false);
  });

  it("forgets exits older than the window", () => {
    const policy = new RestartPolicy(3, 1000);
    policy.exited(0);
    policy.exited(100);
    assert.equal(policy.exited(5000), true);
    assert.equal(policy.exited(5100), true);
  });

  it("starts over after a manual restart", () => {
    const policy = new RestartPolicy(2, 1000);
    policy.exited(0);
    policy.reset();
    assert.equal(policy.exited(1), true);
  });
});

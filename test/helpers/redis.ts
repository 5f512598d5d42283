// The cluster specs' Redis: a real `redis-server` on 127.0.0.1 and a free port, started per spec
// file and stopped by PID. Where it is not installed the specs are skipped with a printed reason
// (`.ci/run` installs it; a user: `apt-get install -y redis-server`).
import { redisServerBinary } from "../../quota/redisServer.js";

export { startRedisServer, type RedisServerHandle } from "../../quota/redisServer.js";

const binary = redisServerBinary();

/** True when redis-server is installed; otherwise prints why the calling spec is skipped. */
export function redisAvailable(spec: string): boolean {
  if (binary === undefined) console.warn(`${spec}: skipped — redis-server is not installed (apt-get install -y redis-server)`);
  return binary !== undefined;
}

// Hyperliquid HTTP client (FACTS §1, §9): one undici Pool per origin with explicit connect /
// headers / body timeouts, an AbortSignal per request whose deadline runs on the scheduler,
// bodies always consumed. /exchange is never retried here: the executor reconciles first.
import { Pool } from "undici";
import { Observable, asyncScheduler, timer, type SchedulerLike } from "rxjs";
import { isRateLimitText, type HlInfoRequest } from "../../streams/index.js";
import { HlHttpError, HlTimeoutError, HlTransportError } from "./errors.js";

export interface HlHttpClientOptions {
  /** `https://api.hyperliquid.xyz`, or a paper venue's `http://127.0.0.1:port`. */
  readonly baseUrl: string;
  readonly scheduler?: SchedulerLike;
  /** Whole-request deadline, ms (default 10 000). */
  readonly timeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly headersTimeoutMs?: number;
  readonly bodyTimeoutMs?: number;
  readonly connections?: number;
  /** Response bodies larger than this are refused (default 16 MiB). */
  readonly maxResponseBytes?: number;
}

/** An /exchange answer as received: the venue answers 200 for success and for its own errors. */
export interface HlHttpAnswer {
  readonly status: number;
  readonly text: string;
  /** Parsed JSON, or undefined when the body is not JSON. */
  readonly body: unknown;
}

export class HlHttpClient {
  private readonly pool: Pool;
  private readonly prefix: string;
  private readonly scheduler: SchedulerLike;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;

  constructor(options: HlHttpClientOptions) {
    const url = new URL(options.baseUrl);
    this.prefix = url.pathname.replace(/\/+$/, "");
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 16 * 1024 * 1024;
    this.pool = new Pool(url.origin, {
      connections: options.connections ?? 4,
      connectTimeout: options.connectTimeoutMs ?? 5_000,
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      bodyTimeout: options.bodyTimeoutMs ?? 10_000,
      keepAliveTimeout: 30_000,
    });
  }

  /** POST {base}/info; emits the parsed JSON body; non-2xx → HlHttpError (429 → rateLimited). */
  info(body: HlInfoRequest | Record<string, unknown>): Observable<unknown> {
    return new Observable<unknown>((subscriber) => {
      const sub = this.request("/info", body).subscribe({
        next: (a) => {
          if (a.status < 200 || a.status >= 300) {
            subscriber.error(httpError(a));
            return;
          }
          if (a.body === undefined) {
            subscriber.error(new HlHttpError(`info ${String((body as { type?: unknown }).type)}: response is not JSON`, a.status, a.text.slice(0, 200), false));
            return;
          }
          subscriber.next(a.body);
          subscriber.complete();
        },
        error: (e: unknown) => subscriber.error(e),
      });
      return () => sub.unsubscribe();
    });
  }

  /** POST {base}/exchange once; emits the answer whatever its status (the caller maps 429). */
  exchange(body: object): Observable<HlHttpAnswer> {
    return this.request("/exchange", body);
  }

  private request(path: string, body: object): Observable<HlHttpAnswer> {
    return new Observable<HlHttpAnswer>((subscriber) => {
      const controller = new AbortController();
      let sent = false;
      let finished = false;
      const deadline = timer(this.timeoutMs, this.scheduler).subscribe(() => {
        if (finished) return;
        finished = true;
        controller.abort();
        subscriber.error(new HlTimeoutError(`POST ${path}: no answer within ${this.timeoutMs} ms${sent ? "; outcome unknown" : ""}`, sent));
      });
      const text = JSON.stringify(body);
      sent = true;
      this.pool
        .request({
          path: this.prefix + path,
          method: "POST",
          headers: { "content-type": "application/json" },
          body: text,
          signal: controller.signal,
        })
        .then(async (res) => {
          let received = 0;
          const chunks: Buffer[] = [];
          for await (const chunk of res.body) {
            received += (chunk as Buffer).length;
            if (received > this.maxResponseBytes) {
              res.body.destroy();
              throw new HlTransportError(`POST ${path}: response larger than ${this.maxResponseBytes} bytes`, true);
            }
            chunks.push(chunk as Buffer);
          }
          const bodyText = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown;
          try {
            parsed = bodyText.length > 0 ? JSON.parse(bodyText) : undefined;
          } catch {
            parsed = undefined;
          }
          return { status: res.statusCode, text: bodyText, body: parsed };
        })
        .then(
          (answer) => {
            if (finished) return;
            finished = true;
            deadline.unsubscribe();
            subscriber.next(answer);
            subscriber.complete();
          },
          (err: unknown) => {
            if (finished) return;
            finished = true;
            deadline.unsubscribe();
            const msg = err instanceof Error ? err.message : String(err);
            const reached = !connectFailure(err);
            subscriber.error(err instanceof HlTransportError ? err : new HlTransportError(`POST ${path} failed: ${msg}`, sent && reached, { cause: err }));
          },
        );
      return () => {
        deadline.unsubscribe();
        if (!finished) {
          finished = true;
          controller.abort();
        }
      };
    });
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Errors raised before a connection existed: the request cannot have reached the venue. */
const CONNECT_CODES = new Set(["ECONNREFUSED", "UND_ERR_CONNECT_TIMEOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
function connectFailure(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== null && typeof e === "object" && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && CONNECT_CODES.has(code)) return true;
  }
  return false;
}

function httpError(a: HlHttpAnswer): HlHttpError {
  const rateLimited = a.status === 429 || isRateLimitText(a.text);
  return new HlHttpError(`HTTP ${a.status}${a.text ? `: ${a.text.slice(0, 200)}` : ""}`, a.status, a.text.slice(0, 2000), rateLimited);
}

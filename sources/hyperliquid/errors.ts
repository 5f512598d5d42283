// Transport errors. `sent` tells the executor whether the exchange may have seen the request:
// false → safe to resend; true → outcome unknown, reconcile (orderStatus) before anything else.

export class HlTransportError extends Error {
  override readonly name: string = "HlTransportError";
  constructor(
    message: string,
    /** Whether the request left this process (the venue may have acted on it). */
    readonly sent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A WS post or HTTP request got no answer in time. */
export class HlTimeoutError extends HlTransportError {
  override readonly name = "HlTimeoutError";
}

/** The 101st post when `whenFull: "refuse"`: never sent. */
export class HlPostRefusedError extends HlTransportError {
  override readonly name = "HlPostRefusedError";
  constructor(message: string) {
    super(message, false);
  }
}

/** The socket closed while a post was in flight. */
export class HlConnectionLostError extends HlTransportError {
  override readonly name = "HlConnectionLostError";
}

/** The server answered a post with an error frame or `type: "error"`. */
export class HlServerError extends HlTransportError {
  override readonly name = "HlServerError";
  constructor(
    message: string,
    readonly serverText: string,
  ) {
    super(message, true);
  }
}

/** A non-2xx HTTP answer. `rateLimited` for 429 and rate-limit bodies. */
export class HlHttpError extends HlTransportError {
  override readonly name = "HlHttpError";
  constructor(
    message: string,
    readonly status: number,
    readonly bodyText: string,
    readonly rateLimited: boolean,
  ) {
    super(message, true);
  }
}

/** A socket close that the reconnect loop handles (code and reason for the log). */
export class HlSocketClosedError extends Error {
  override readonly name = "HlSocketClosedError";
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(`socket closed (code ${code}${reason ? `: ${reason}` : ""})`);
  }
}

import { CloseCode } from "graphql-ws";

/**
 * The WebSocket close codes this graph sends, in one place, chosen for how the stock graphql-ws
 * client treats them: it gives up on 4400, 4401, 4406, 4409, 4429, 4500, 4005 and 1002–1011, and
 * retries everything else (calling connectionParams again, so a fresh token is picked up).
 * Every code here is one it retries; a client then resumes each subscription with `after: <cursor>`.
 */
export const WsCloseCode = {
  /** The connection's token expired: reconnect with a fresh token (graphql-ws Forbidden, retried). */
  TOKEN_EXPIRED: CloseCode.Forbidden,
  /** More than SUBSCRIPTION_QUEUE_MAX events were waiting for this client: reconnect and resume. */
  SUBSCRIBER_TOO_SLOW: 4001,
  /** The server is stopping (rolling update): reconnect, to another replica, and resume. */
  SERVICE_RESTART: 1012,
} as const;
export type WsCloseCode = (typeof WsCloseCode)[keyof typeof WsCloseCode];

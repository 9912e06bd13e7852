import type { ComponentHealth, HealthContributor, HealthStatus } from '@venuekit/core';
import type { SessionStatus } from './user-session';

/** What the health contributors read from the manager. */
export interface TradingHealthSource {
  readonly closed: boolean;
  sessions(): SessionStatus[];
}

/** Users listed individually in `userConnections` (those with a problem first). */
const MAX_LISTED_USERS = 50;

function usable(session: SessionStatus): boolean {
  return session.state === 'active' && (session.userData === 'connected' || session.userData === 'off');
}

/**
 * `tradingSystem`: the seed's figures (`status`, `totalUsers`, `activeConnections`).
 * Degraded with no users connected (as the seed's health format has it) or when some
 * sessions cannot trade or follow their orders; unhealthy when none can, or when closed.
 */
export class TradingSystemHealth implements HealthContributor {
  readonly component = 'tradingSystem';
  readonly #source: TradingHealthSource;

  constructor(source: TradingHealthSource) {
    this.#source = source;
  }

  check(): ComponentHealth {
    const sessions = this.#source.sessions();
    let active = 0;
    let connecting = 0;
    let inFlight = 0;
    let queued = 0;
    for (const session of sessions) {
      if (usable(session)) active++;
      if (session.state === 'connecting') connecting++;
      inFlight += session.inFlight;
      queued += session.queued;
    }
    const settled = sessions.length - connecting;
    let status: HealthStatus;
    let reason: string | undefined;
    if (this.#source.closed) {
      status = 'unhealthy';
      reason = 'closed';
    } else if (sessions.length === 0) {
      status = 'degraded';
      reason = 'no users connected';
    } else if (settled > 0 && active === 0) {
      status = 'unhealthy';
      reason = 'no session can trade';
    } else if (active < settled) {
      status = 'degraded';
      reason = `${settled - active} of ${settled} sessions cannot trade or follow their orders`;
    } else {
      status = 'healthy';
    }
    return {
      status,
      ...(reason === undefined ? {} : { reason }),
      totalUsers: sessions.length,
      activeConnections: active,
      connecting,
      requestsInFlight: inFlight,
      requestsQueued: queued,
    };
  }
}

/**
 * `userConnections`: each user's session and user data stream. Healthy when every
 * stream is up; degraded when some are down, reconnecting or their credentials were
 * rejected; unhealthy when all are.
 */
export class UserConnectionsHealth implements HealthContributor {
  readonly component = 'userConnections';
  readonly #source: TradingHealthSource;

  constructor(source: TradingHealthSource) {
    this.#source = source;
  }

  check(): ComponentHealth {
    const sessions = this.#source.sessions();
    let connected = 0;
    let reconnecting = 0;
    let failed = 0;
    let unauthorized = 0;
    let reconnects = 0;
    let unknownOrders = 0;
    for (const session of sessions) {
      if (session.state === 'unauthorized') unauthorized++;
      else if (session.userData === 'connected' || session.userData === 'off') connected++;
      else if (session.userData === 'failed') failed++;
      else reconnecting++;
      reconnects += session.userDataReconnects;
      unknownOrders += session.unknownOrders;
    }
    const troubled = sessions.length - connected;
    const status: HealthStatus =
      sessions.length === 0 || troubled === 0 ? 'healthy' : connected === 0 ? 'unhealthy' : 'degraded';
    const listed = [...sessions]
      .sort((a, b) => Number(usable(a)) - Number(usable(b)))
      .slice(0, MAX_LISTED_USERS)
      .map((session) => ({
        userId: session.userId,
        exchange: session.exchange,
        state: session.state,
        userData: session.userData,
        userDataReconnects: session.userDataReconnects,
        openOrders: session.openOrders,
        unknownOrders: session.unknownOrders,
        ...(session.lastUserDataEventAt === undefined
          ? {}
          : { lastUserDataEventAt: session.lastUserDataEventAt }),
        ...(session.cooldownUntil === undefined ? {} : { cooldownUntil: session.cooldownUntil }),
        ...(session.lastError ? { lastError: session.lastError.code } : {}),
      }));
    return {
      status,
      total: sessions.length,
      userDataConnected: connected,
      userDataReconnecting: reconnecting,
      userDataFailed: failed,
      unauthorized,
      totalReconnects: reconnects,
      unknownOrders,
      users: listed,
      ...(sessions.length > MAX_LISTED_USERS ? { usersOmitted: sessions.length - MAX_LISTED_USERS } : {}),
    };
  }
}

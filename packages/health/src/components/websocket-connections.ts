import type { CircuitState, ConnectionKind, ConnectionState, HealthStatus } from '@venuekit/core';
import type { ExchangeConnections, WebsocketConnectionsHealth } from '../types';
import { type AdapterSnapshot, withFailures } from './adapter-snapshot';

const CIRCUIT_SEVERITY: Record<CircuitState, number> = { closed: 0, half_open: 1, open: 2 };

function worseCircuit(a: CircuitState, b: CircuitState): CircuitState {
  return CIRCUIT_SEVERITY[b] > CIRCUIT_SEVERITY[a] ? b : a;
}

/**
 * `websocketConnections`, summed over every adapter. Rules:
 * - unhealthy: there are connections and none of them is open (all down, reconnecting or held by an open circuit);
 * - degraded: some connection is not open, or some circuit breaker is not closed;
 * - healthy: every connection is open with a closed circuit, or there is no connection at all.
 */
export function checkWebsocketConnections(snapshot: AdapterSnapshot): WebsocketConnectionsHealth {
  let connected = 0;
  let total = 0;
  let totalReconnects = 0;
  let circuit: CircuitState = 'closed';
  const byState: Partial<Record<ConnectionState, number>> = {};
  const byKind: Partial<Record<ConnectionKind, number>> = {};
  const exchanges: Record<string, ExchangeConnections> = {};
  for (const status of snapshot.statuses) {
    let exConnected = 0;
    let exReconnects = 0;
    let exCircuit: CircuitState = 'closed';
    for (const connection of status.connections) {
      if (connection.state === 'open') exConnected++;
      exReconnects += connection.reconnects;
      exCircuit = worseCircuit(exCircuit, connection.circuitState);
      byState[connection.state] = (byState[connection.state] ?? 0) + 1;
      byKind[connection.kind] = (byKind[connection.kind] ?? 0) + 1;
    }
    exchanges[status.exchange] = {
      connected: exConnected,
      total: status.connections.length,
      circuitBreakerState: exCircuit,
      totalReconnects: exReconnects,
    };
    connected += exConnected;
    total += status.connections.length;
    totalReconnects += exReconnects;
    circuit = worseCircuit(circuit, exCircuit);
  }
  let health: HealthStatus = 'healthy';
  if (total > 0 && connected === 0) health = 'unhealthy';
  else if (connected < total || circuit !== 'closed') health = 'degraded';
  return withFailures(snapshot, {
    status: health,
    connected,
    total,
    circuitBreakerState: circuit,
    totalReconnects,
    byState,
    byKind,
    exchanges,
  });
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ComponentHealth, isVenuekitError, scrubSecrets, ValidationError } from '@venuekit/core';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics/metrics-registry';
import type { Readiness, SystemHealth } from '../types';

/** What the HTTP endpoints read from. A HealthMonitor is one. */
export interface HealthEndpoints {
  checkSystem(): Promise<SystemHealth>;
  checkComponent(name: string): Promise<ComponentHealth>;
  readiness(): Promise<Readiness>;
  metricsText(): Promise<string>;
}

/** A Node request listener; Express/Connect-style `next` is called for paths it does not serve. */
export type HealthRequestHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

export interface HealthHandlerOptions {
  /** A prefix the handler strips, e.g. `/ops` to serve `/ops/health`. Default none. */
  readonly basePath?: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** The HTTP status a health status maps to: 200 while the system can serve, 503 when it cannot or nobody knows. */
export function httpStatusOf(status: string): 200 | 503 {
  return status === 'healthy' || status === 'degraded' ? 200 : 503;
}

/**
 * Serves `/health` (system detail, 200 healthy/degraded, 503 unhealthy/unknown), `/health/<component>`,
 * `/ready` (200 ready, 503 not), `/live` (200 while the process answers) and `/metrics` (Prometheus text).
 * GET and HEAD only. It never throws: a failing check answers 500 with the error.
 */
export function createHealthHandler(
  endpoints: HealthEndpoints,
  options: HealthHandlerOptions = {},
): HealthRequestHandler {
  const base = (options.basePath ?? '').replace(/\/+$/, '');
  if (base !== '' && !base.startsWith('/')) {
    throw new ValidationError('INVALID_PARAMETER', { field: 'basePath', rule: 'must start with /' });
  }
  return (request, response, next) => {
    const rawPath = (request.url ?? '/').split('?', 1)[0] as string;
    let path = rawPath.length > 1 ? rawPath.replace(/\/+$/, '') : rawPath;
    if (base !== '') {
      if (path !== base && !path.startsWith(`${base}/`)) return notFound(response, next);
      path = path.slice(base.length) || '/';
    }
    const route = routeOf(path);
    if (!route) return notFound(response, next);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return send(response, request, 405, JSON_TYPE, JSON.stringify({ error: 'method not allowed' }), {
        Allow: 'GET, HEAD',
      });
    }
    serve(route, endpoints).then(
      ({ status, type, body }) => send(response, request, status, type, body),
      (error: unknown) => {
        if (error instanceof ValidationError && route.kind === 'component') {
          send(response, request, 404, JSON_TYPE, JSON.stringify({ error: error.message }));
          return;
        }
        const message = isVenuekitError(error) || error instanceof Error ? error.message : String(error);
        send(
          response,
          request,
          500,
          JSON_TYPE,
          JSON.stringify({ status: 'unknown', error: scrubSecrets(message) }),
        );
      },
    );
  };
}

type Route =
  | { kind: 'health' }
  | { kind: 'component'; name: string }
  | { kind: 'ready' }
  | { kind: 'live' }
  | { kind: 'metrics' };

function routeOf(path: string): Route | undefined {
  switch (path) {
    case '/health':
      return { kind: 'health' };
    case '/ready':
      return { kind: 'ready' };
    case '/live':
      return { kind: 'live' };
    case '/metrics':
      return { kind: 'metrics' };
  }
  if (path.startsWith('/health/')) {
    const encoded = path.slice('/health/'.length);
    if (encoded.includes('/')) return undefined;
    try {
      return { kind: 'component', name: decodeURIComponent(encoded) };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

async function serve(
  route: Route,
  endpoints: HealthEndpoints,
): Promise<{ status: number; type: string; body: string }> {
  switch (route.kind) {
    case 'health': {
      const health = await endpoints.checkSystem();
      return { status: httpStatusOf(health.status), type: JSON_TYPE, body: JSON.stringify(health) };
    }
    case 'component': {
      const health = await endpoints.checkComponent(route.name);
      return {
        status: httpStatusOf(health.status),
        type: JSON_TYPE,
        body: JSON.stringify({ component: route.name, ...health }),
      };
    }
    case 'ready': {
      const readiness = await endpoints.readiness();
      return { status: readiness.ready ? 200 : 503, type: JSON_TYPE, body: JSON.stringify(readiness) };
    }
    case 'live':
      return {
        status: 200,
        type: JSON_TYPE,
        body: JSON.stringify({ status: 'alive', uptimeMs: Math.round(process.uptime() * 1000) }),
      };
    case 'metrics':
      return { status: 200, type: PROMETHEUS_CONTENT_TYPE, body: await endpoints.metricsText() };
  }
}

function notFound(response: ServerResponse, next?: (error?: unknown) => void): void {
  if (next) {
    next();
    return;
  }
  if (response.headersSent || response.destroyed) return;
  response.writeHead(404, { 'Content-Type': JSON_TYPE, 'Cache-Control': 'no-store' });
  response.end(
    JSON.stringify({
      error: 'not found',
      paths: ['/health', '/health/<component>', '/ready', '/live', '/metrics'],
    }),
  );
}

function send(
  response: ServerResponse,
  request: IncomingMessage,
  status: number,
  type: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  // The client may have gone away while the checks ran.
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    ...headers,
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

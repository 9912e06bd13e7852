import type { Container } from 'inversify';
import type { ExchangeAdapter } from './adapter';
import type { MessageBus } from './bus';
import type { Clock } from './clock';
import { ConfigurationError } from './errors';
import type { HealthContributor } from './health';
import type { Lifecycle } from './lifecycle';
import type { Logger } from './logging';
import type { ExchangeRegistry } from './registry';

/** A typed container token. */
export type Token<T> = symbol & { readonly __venuekitToken?: T };

export function token<T>(name: string): Token<T> {
  return Symbol.for(name) as Token<T>;
}

export const CoreTokens = {
  Clock: token<Clock>('@venuekit/core/Clock'),
  Logger: token<Logger>('@venuekit/core/Logger'),
  Lifecycle: token<Lifecycle>('@venuekit/core/Lifecycle'),
  /** Multi-bound: every adapter module adds one. */
  ExchangeAdapter: token<ExchangeAdapter>('@venuekit/core/ExchangeAdapter'),
  ExchangeRegistry: token<ExchangeRegistry>('@venuekit/core/ExchangeRegistry'),
  MessageBus: token<MessageBus>('@venuekit/core/MessageBus'),
  /** Multi-bound: every package that has health to report adds one. */
  HealthContributor: token<HealthContributor>('@venuekit/core/HealthContributor'),
} as const;

/** Resolves a token, or throws a ConfigurationError naming the missing binding. */
export function resolve<T>(container: Container, id: Token<T>): T {
  if (!container.isBound(id)) {
    throw new ConfigurationError('MISSING_BINDING', {
      message: `nothing is bound to ${id.description ?? String(id)}: load the module of the package that provides it`,
    });
  }
  return container.get<T>(id);
}

/** Resolves every binding of a multi-bound token; an empty list when none is bound. */
export function resolveAll<T>(container: Container, id: Token<T>): T[] {
  return container.isBound(id) ? container.getAll<T>(id) : [];
}

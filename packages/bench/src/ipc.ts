import { type ChildProcess, fork } from 'node:child_process';

/** A request from the orchestrator to a child process, and its answer. */
interface Request {
  readonly id: number;
  readonly op: string;
  readonly args?: unknown;
}

interface Reply {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: string;
}

export type Handlers = Record<string, (args: never) => unknown>;

/**
 * In a child: answers the orchestrator's requests with `handlers`, then says hello with `info`.
 * Requests are handled in order of arrival, each as soon as it arrives (a slow one does not block the
 * next). The child ends when the orchestrator goes away.
 */
export function serve(handlers: Handlers, info: unknown): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error('run as a child process of the bench (it needs an IPC channel)');
  process.on('message', (message: Request) => {
    const handler = handlers[message.op] as ((args: unknown) => unknown) | undefined;
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown request ${message.op}`);
        return handler(message.args);
      })
      .then(
        (result) => send({ id: message.id, result } satisfies Reply),
        (error: unknown) =>
          send({
            id: message.id,
            error: error instanceof Error ? error.message : String(error),
          } satisfies Reply),
      );
  });
  process.on('disconnect', () => process.exit(0));
  send({ id: 0, result: info } satisfies Reply);
}

/** The orchestrator's side: a child process answering requests. */
export class Worker<Info> {
  readonly info: Info;
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  #next = 1;
  #exited: Promise<number | null>;

  private constructor(child: ChildProcess, info: Info, exited: Promise<number | null>) {
    this.#child = child;
    this.info = info;
    this.#exited = exited;
    child.on('message', (reply: Reply) => {
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      this.#pending.delete(reply.id);
      if (reply.error !== undefined) pending.reject(new Error(reply.error));
      else pending.resolve(reply.result);
    });
  }

  /** Forks `script` (plain JavaScript: the bench's bundles) and waits for its hello. */
  static async start<Info>(
    script: string,
    options: { env?: Record<string, string>; execArgv?: string[]; timeoutMs?: number } = {},
  ): Promise<Worker<Info>> {
    const child = fork(script, [], {
      execArgv: options.execArgv ?? [],
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const info = await new Promise<Info>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${script} did not start`)),
        options.timeoutMs ?? 60_000,
      );
      child.once('message', (reply: Reply) => {
        clearTimeout(timer);
        if (reply.error !== undefined) reject(new Error(reply.error));
        else resolve(reply.result as Info);
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited (${code}) before it started`));
      });
    });
    const worker = new Worker<Info>(child, info, exited);
    void exited.then((code) => {
      for (const pending of worker.#pending.values()) pending.reject(new Error(`${script} exited (${code})`));
      worker.#pending.clear();
    });
    return worker;
  }

  call<T>(op: string, args?: unknown, timeoutMs = 120_000): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${op} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.#child.send({ id, op, args } satisfies Request);
    });
  }

  /** Ends the child (by its own pid) and waits for it. */
  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.disconnect();
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
      await this.#exited;
      clearTimeout(timer);
    }
  }
}

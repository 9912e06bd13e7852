import { nowUs } from '../clock';
import { type LatencyStats, latencyStats } from '../stats';

export interface ArmOptions {
  /** Deliveries with an id in [fromId, toId] count; the one reaching toId ends the phase. */
  readonly fromId: number;
  readonly toId: number;
  /** Record, per delivery, the time since the server stamped the message. */
  readonly latency: boolean;
  /** Deliveries expected (sizes the latency buffer). */
  readonly capacity: number;
}

export interface Reached {
  /** Monotonic µs when the delivery reaching toId was in the subscriber's hands. */
  readonly doneUs: number;
  /** Deliveries counted in the phase (for a library that conflates, fewer than the messages sent). */
  readonly delivered: number;
  /** CPU time (user + system) the process spent from arming to the end of the phase, µs. */
  readonly cpuUs: number;
  readonly latency?: LatencyStats;
}

/**
 * What every library's subscriber calls, with the same cost for all: the message's id (trade id, or
 * the book's last update id) and the send time it carries. Outside a measured phase a delivery costs
 * one comparison.
 */
export class Sink {
  #from = Number.POSITIVE_INFINITY;
  #to = Number.POSITIVE_INFINITY;
  #latency = false;
  #samples = new Float64Array(0);
  #n = 0;
  #delivered = 0;
  #done: ((reached: Reached) => void) | undefined;
  #cpuAtArm: NodeJS.CpuUsage = process.cpuUsage();
  #reached: Promise<Reached> | undefined;

  deliver(id: number, sentUs: number): void {
    if (id < this.#from) return;
    this.#delivered++;
    if (this.#latency && this.#n < this.#samples.length) this.#samples[this.#n++] = nowUs() - sentUs;
    if (id >= this.#to) this.#finish();
  }

  arm(options: ArmOptions): void {
    this.#delivered = 0;
    this.#n = 0;
    this.#latency = options.latency;
    if (options.latency && this.#samples.length < options.capacity)
      this.#samples = new Float64Array(options.capacity);
    this.#reached = new Promise((resolve) => {
      this.#done = resolve;
    });
    this.#cpuAtArm = process.cpuUsage();
    this.#to = options.toId;
    this.#from = options.fromId;
  }

  /** Resolves when the armed phase ended. */
  reached(): Promise<Reached> {
    if (!this.#reached) throw new Error('the sink is not armed');
    return this.#reached;
  }

  #finish(): void {
    const doneUs = nowUs();
    const cpu = process.cpuUsage(this.#cpuAtArm);
    this.#from = this.#to = Number.POSITIVE_INFINITY;
    const reached: Reached = {
      doneUs,
      delivered: this.#delivered,
      cpuUs: cpu.user + cpu.system,
      ...(this.#latency ? { latency: latencyStats(this.#samples.subarray(0, this.#n)) } : {}),
    };
    this.#done?.(reached);
    this.#done = undefined;
  }
}

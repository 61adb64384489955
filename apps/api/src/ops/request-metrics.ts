import { Injectable } from '@nestjs/common';

/** Counts answered HTTP requests by method and status (fed by a Fastify onResponse hook). */
@Injectable()
export class RequestMetrics {
  private readonly byKey = new Map<string, number>();

  /** Records one answered request. */
  record(method: string, status: number): void {
    const key = `${method} ${status}`;
    this.byKey.set(key, (this.byKey.get(key) ?? 0) + 1);
  }

  /** The counts so far, sorted by key. */
  counts(): Array<[string, number]> {
    return [...this.byKey.entries()].sort(([a], [b]) => a.localeCompare(b));
  }
}

import { addSpent, isLoopback, processCpuNs, schedulerCpuNs, spent } from './cpu-meter';

describe('cpu meter', () => {
  it('given two readings, when a backend appeared and one ended in between, then the new one counts from its start and the ended one is not counted', () => {
    const before = {
      client: 1_000,
      server: new Map([
        [10, 500],
        [11, 700],
      ]),
    };
    const after = {
      client: 4_000,
      server: new Map([
        [10, 900],
        [12, 300],
      ]),
    };

    expect(spent(before, after)).toEqual({ client: 3_000, server: 400 + 300 });
  });

  it('given a reading without the server, then the server share is unknown, also once added to a known one', () => {
    const unknown = spent({ client: 0, server: null }, { client: 5, server: new Map() });

    expect(unknown).toEqual({ client: 5, server: null });
    expect(addSpent({ client: 1, server: 2 }, unknown)).toEqual({ client: 6, server: null });
    expect(addSpent({ client: 1, server: 2 }, { client: 3, server: 4 })).toEqual({ client: 4, server: 6 });
  });

  it('given connection strings, then only loopback hosts count as this machine', () => {
    expect(isLoopback('postgres://postgres@127.0.0.1:5432/test')).toBe(true);
    expect(isLoopback('postgres://postgres@localhost/test')).toBe(true);
    expect(isLoopback('postgres://postgres@db.internal:5432/test')).toBe(false);
  });

  it('given this process spins, then its scheduler time and its CPU usage both grow', () => {
    const sched = schedulerCpuNs(process.pid);
    const cpu = processCpuNs();
    const until = process.hrtime.bigint() + 20_000_000n;
    while (process.hrtime.bigint() < until) {
      // spin: CPU time is what is read
    }

    expect(sched).toBeGreaterThan(0);
    expect(schedulerCpuNs(process.pid)).toBeGreaterThan(sched as number);
    expect(processCpuNs()).toBeGreaterThan(cpu);
    expect(schedulerCpuNs(-1)).toBeUndefined();
  });
});

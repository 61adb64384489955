import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  createTemporaryPostgresDatabase,
  startTcpProxy,
  type TcpProxy,
  type TemporaryPostgresDatabase,
} from '@sanksi/testing';
import type { PseCaseCommand } from '@sanksi/domain';
import { AppendOutcomeUnknown, PostgresEventStore } from '@sanksi/event-store';
import { CaseCommandService, type CommandContext } from './case-command.service';
import { ManualClock } from './clock';

jest.setTimeout(60_000);

/**
 * An append whose reply is lost (the connection dies after the statement was sent): the command
 * service resolves it under the same command id — never applying it twice, never calling it "not applied".
 */
describe('CaseCommandService when an append outcome is unknown (PostgreSQL through a proxy)', () => {
  let database: TemporaryPostgresDatabase;
  let proxy: TcpProxy;
  let store: PostgresEventStore;
  let service: CaseCommandService;
  let admin: Client;
  const schema = 'cmd_unknown';

  beforeAll(async () => {
    database = await createTemporaryPostgresDatabase('sanksi_cmd_unknown');
    proxy = await startTcpProxy({ port: Number(new URL(database.url).port || 5432) });
    const url = new URL(database.url);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    store = new PostgresEventStore({ connectionString: url.toString(), schema, poolSize: 2 });
    await store.whenReady();
    service = new CaseCommandService(store, {
      defaultPolicy: 'pp43-2023',
      clock: new ManualClock('2024-03-01T02:00:00Z'),
    });
    admin = new Client({ connectionString: database.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await store.close();
    await proxy.close();
    await database.drop();
  });
  afterEach(() => {
    proxy.acceptConnections();
  });

  const identify = (pseId: string): PseCaseCommand => ({
    type: 'IdentifyPse',
    pseId,
    name: 'Example',
    origin: 'domestic',
    domains: [`${pseId}.example.id`],
    company: null,
    sector: null,
  });
  const context = (key: string): CommandContext => ({
    actor: { id: 'op-1', role: 'operator' },
    idempotencyKey: key,
  });
  const eventsOf = async (pseId: string) =>
    (
      await admin.query<{ type: string; command_id: string }>(
        `SELECT type, metadata->>'commandId' AS command_id FROM ${schema}.events WHERE stream_id = $1 ORDER BY revision`,
        [`pse-${pseId}`],
      )
    ).rows;
  const committed = async (pseId: string): Promise<void> => {
    while ((await eventsOf(pseId)).length === 0) await new Promise((r) => setTimeout(r, 5));
  };
  // The name of the store's prepared append statement, in every message that runs it (Parse the
  // first time on a connection, Bind after): the trap springs on the append and nothing else.
  const APPEND = `${schema}-appendOne`;

  it('given the reply to a committed append is lost and the database stays up, then the command answers the committed outcome and the case holds it once', async () => {
    const pseId = `u-${randomUUID().slice(0, 8)}`;
    const trap = proxy.trap(APPEND, 'reply');
    const executing = service.execute(identify(pseId), context('key-after-commit'));
    await trap.sprung;
    await committed(pseId);
    proxy.cutAll();
    const outcome = await executing;
    expect(outcome).toMatchObject({ pseId, version: 1, state: 'unregistered', duplicate: true });
    expect(await eventsOf(pseId)).toEqual([{ type: 'PseIdentified', command_id: 'key-after-commit' }]);
  });

  it('given the connection dies after the append was sent but before the server got it (not committed), then the command is applied once', async () => {
    const pseId = `u-${randomUUID().slice(0, 8)}`;
    const trap = proxy.trap(APPEND, 'request');
    const executing = service.execute(identify(pseId), context('key-before-commit'));
    await trap.sprung;
    expect(await eventsOf(pseId)).toEqual([]);
    proxy.cutAll();
    const outcome = await executing;
    expect(outcome).toMatchObject({ pseId, version: 1, duplicate: false });
    expect(await eventsOf(pseId)).toEqual([{ type: 'PseIdentified', command_id: 'key-before-commit' }]);
  });

  it('given the reply is lost and the database stays unreachable, then the caller is told the outcome is unknown, and the retry with the same key once it is back answers the first outcome', async () => {
    const pseId = `u-${randomUUID().slice(0, 8)}`;
    const trap = proxy.trap(APPEND, 'reply');
    const executing = service.execute(identify(pseId), context('key-unreachable')).then(
      () => new Error('expected the command to fail'),
      (e: unknown) => e,
    );
    await trap.sprung;
    await committed(pseId);
    proxy.refuseConnections();
    proxy.cutAll();
    const error = await executing;
    expect(error).toBeInstanceOf(AppendOutcomeUnknown);
    proxy.acceptConnections();
    const retried = await service.execute(identify(pseId), context('key-unreachable'));
    expect(retried).toMatchObject({ version: 1, duplicate: true });
    expect(await eventsOf(pseId)).toHaveLength(1);
  });
});

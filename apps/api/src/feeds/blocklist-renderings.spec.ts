import { gunzipSync } from 'node:zlib';
import type { Blocklist } from '@sanksi/read-models';
import { blocklistEtag, BlocklistRenderings, renderBlocklistBody } from './blocklist-renderings';

const since = '2022-07-30T06:00:00+07:00';

/** A blocklist source whose list moves on when told, counting the whole reads it answers. */
function source() {
  const state = {
    reads: 0,
    list: {
      position: 10,
      lastChange: 7,
      entries: [
        { domain: 'paypal.com', pseId: 'pse-1', since },
        { domain: 'store.steampowered.com', pseId: 'pse-2', since },
      ],
    } as Blocklist,
  };
  return {
    state,
    getBlocklistVersion: async () => state.list.lastChange,
    getBlocklist: async () => {
      state.reads += 1;
      return structuredClone(state.list);
    },
  };
}

describe('the kept renderings of the whole blocklist', () => {
  it('when a format is asked twice with no change between, then both answers are the same bytes, read, rendered and encoded once', async () => {
    const s = source();
    const renderings = new BlocklistRenderings(s, (e) => e);
    const first = await renderings.current('txt');
    const second = await renderings.current('txt');
    const text = renderBlocklistBody('txt', s.state.list.entries, 7);
    expect(Buffer.isBuffer(first.body)).toBe(true);
    expect(first.body.toString('utf8')).toBe(text);
    expect(first.etag).toBe(blocklistEtag(7, text));
    expect(second.body).toBe(first.body);
    expect(s.state.reads).toBe(1);
  });

  it('when the list changes, then the next answer is rendered anew at the new position; concurrent asks share one read', async () => {
    const s = source();
    const renderings = new BlocklistRenderings(s, (e) => e);
    const before = await renderings.current('json');
    s.state.list = {
      position: 12,
      lastChange: 12,
      entries: [...s.state.list.entries, { domain: 'epicgames.com', pseId: 'pse-3', since }],
    };
    const [a, b] = await Promise.all([renderings.current('json'), renderings.current('json')]);
    expect(a).toBe(b);
    expect(s.state.reads).toBe(2);
    expect(a.position).toBe(12);
    expect(a.etag).not.toBe(before.etag);
    expect(JSON.parse(a.body.toString('utf8'))).toEqual({ position: 12, entries: s.state.list.entries });
  });

  it('when gzip is asked of a rendering, then it inflates to the same bytes and is compressed once', async () => {
    const renderings = new BlocklistRenderings(source(), (e) => e);
    const rendering = await renderings.current('rpz');
    const gzipped = await renderings.gzipOf(rendering);
    expect(gunzipSync(gzipped).equals(rendering.body)).toBe(true);
    expect(await renderings.gzipOf(rendering)).toBe(gzipped);
  });
});

import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { deterministicUuid, sha256Hex } from './hash';

// Stored hashes and event ids are verified against these functions forever: whatever computes them must
// give the very bytes the streaming createHash API gave when they were recorded.
const NAMESPACE = Buffer.from('6f2c1b9e4d3a4c5e9b8a7f6e5d4c3b2a', 'hex');

describe('the hashes that seal the log', () => {
  it('given any text (unicode included), then sha256Hex is createHash sha256 of its UTF-8 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), (text) => {
        expect(sha256Hex(text)).toBe(createHash('sha256').update(text).digest('hex'));
      }),
      { numRuns: 500 },
    );
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('given any name, then deterministicUuid is the version-5-shaped SHA-1 of the namespace and the name', () => {
    fc.assert(
      // Up to 1,200 units: names longer than the reused buffer holds (340 units) take another path.
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.string({ unit: 'binary', minLength: 330, maxLength: 1200 }),
        ),
        (name) => {
          const bytes = createHash('sha1').update(NAMESPACE).update(name).digest().subarray(0, 16);
          bytes[6] = (bytes[6] & 0x0f) | 0x50;
          bytes[8] = (bytes[8] & 0x3f) | 0x80;
          const hex = bytes.toString('hex');
          const expected = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
          expect(deterministicUuid(name)).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});

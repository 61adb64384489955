import { placeOf, ranked, selfTimeBy } from './cpuprofile-summary';

const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });

describe('cpuprofile summary', () => {
  it('names a place by package for node_modules and by repository path for the project', () => {
    expect(placeOf('file:///work/main/node_modules/xstate/dist/x.cjs.js')).toBe('npm:xstate');
    expect(placeOf('file:///work/main/node_modules/@nestjs/core/a.js')).toBe('npm:@nestjs/core');
    expect(placeOf('file:///work/main/libs/domain/dist/history/hash.js')).toBe(
      'libs/domain/dist/history/hash.js',
    );
    expect(placeOf('node:internal/crypto/hash')).toBe('node:internal/crypto/hash');
    expect(placeOf('')).toBe('(native)');
  });

  it('sums self time per sample, charges a native function to its JS caller, and keeps GC apart', () => {
    // given root → store.js:append → (native) run, and root → (garbage collector)
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 4] },
        { id: 2, callFrame: frame('append', 'file:///r/libs/event-store/dist/store.js', 9), children: [3] },
        { id: 3, callFrame: frame('run', '') },
        { id: 4, callFrame: frame('(garbage collector)', '') },
      ],
      samples: [3, 3, 2, 4, 3],
      timeDeltas: [100, 100, 50, 25, 100],
    };
    const { functions, places, total } = selfTimeBy([profile, profile]);
    expect(total).toBe(750);
    expect(places.get('libs/event-store/dist/store.js')).toBe(700);
    expect(places.get('(native)')).toBe(50);
    expect(functions.get('run (native, in libs/event-store/dist/store.js)')).toBe(600);
    expect(functions.get('append libs/event-store/dist/store.js:10')).toBe(100);
    expect(ranked(functions, 1)).toEqual([['run (native, in libs/event-store/dist/store.js)', 600]]);
  });
});

// `node apps/bench/dist/cpuprofile-summary.js [--top N] <file.cpuprofile>...`: where V8 CPU profiles (from
// `node --cpu-prof` or the benches' BENCH_CPU_PROFILE; several are added up) spent their time — self time summed by function and by file (node_modules packages
// folded into one line each; native functions charged to the file that called them), as shares of the profile's sampled time. docs/benchmarks.md, "Profiling".
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time (µs) per node id: each sample's delta is charged to the node it landed on. */
export function selfTimes(profile: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  return self;
}

/** A short place for a script URL: the package for node_modules, the path from the repository root otherwise. */
export function placeOf(url: string): string {
  if (url === '') return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = path.slice(modules + 'node_modules/'.length).split('/');
    return `npm:${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const repo = path.search(/\/(libs|apps)\//);
  return repo >= 0
    ? path.slice(repo + 1)
    : path.startsWith('node:')
      ? path
      : path.split('/').slice(-2).join('/');
}

/** Self time (µs) by function (name + place) and by place, added up over `profiles`. */
export function selfTimeBy(profiles: CpuProfile[]): {
  functions: Map<string, number>;
  places: Map<string, number>;
  total: number;
} {
  const functions = new Map<string, number>();
  const places = new Map<string, number>();
  let total = 0;
  for (const profile of profiles) {
    const self = selfTimes(profile);
    const parents = new Map<number, ProfileNode>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node);
    // A native function (a SQLite statement, a hash, a JSON parse) is charged to the file that called it:
    // "which part of Sanksi pays for it" is the question. GC, idle and the program itself stay apart.
    const placeCharged = (node: ProfileNode): string => {
      if (node.callFrame.url !== '' || node.callFrame.functionName.startsWith('('))
        return placeOf(node.callFrame.url);
      for (let up = parents.get(node.id); up; up = parents.get(up.id)) {
        if (up.callFrame.url !== '') return placeOf(up.callFrame.url);
      }
      return placeOf('');
    };
    for (const node of profile.nodes) {
      const us = self.get(node.id) ?? 0;
      if (us === 0) continue;
      total += us;
      const place = placeCharged(node);
      const own = node.callFrame.url ? `${place}:${node.callFrame.lineNumber + 1}` : `(native, in ${place})`;
      const name = `${node.callFrame.functionName || '(anonymous)'} ${own}`;
      functions.set(name, (functions.get(name) ?? 0) + us);
      places.set(place, (places.get(place) ?? 0) + us);
    }
  }
  return { functions, places, total };
}

/** The largest `top` entries of a self-time map, largest first. */
export function ranked(times: Map<string, number>, top: number): Array<[string, number]> {
  return [...times.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
}

function main(): void {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args[topAt + 1]) : 30;
  const files = args.filter((_, i) => topAt < 0 || (i !== topAt && i !== topAt + 1));
  if (files.length === 0 || files.some((f) => f.startsWith('-')) || !Number.isInteger(top) || top < 1) {
    console.error('usage: cpuprofile-summary [--top N] <file.cpuprofile>...');
    process.exit(2);
  }
  const { functions, places, total } = selfTimeBy(
    files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as CpuProfile),
  );
  const line = ([name, us]: [string, number]) =>
    `${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`;
  console.log(
    `sampled ${(total / 1000).toFixed(0)} ms in ${files.length} profile(s)\n\nself time by file / package:`,
  );
  for (const entry of ranked(places, top)) console.log(line(entry));
  console.log('\nself time by function:');
  for (const entry of ranked(functions, top)) console.log(line(entry));
}

if (require.main === module) main();

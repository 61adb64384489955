import { consoleOutput } from './cli-output';
import { colours } from './colours';
import { terminalSafeCell, terminalSafeJson, terminalSafeLines, terminalSafeText } from './terminal-safe';

// Text recorded before control characters were refused at the edge must not drive the terminal when
// `cases show` (or any command) prints it.
const HOSTILE_NAME = 'PayPal\u001b[2J\u001b[H\u001b]0;owned\u0007\rFAKE\u009b31m\u202eevil';

describe('terminal-safe output', () => {
  it('given a stored name with ESC, OSC, BEL, CR, CSI and a bidi override, when shown, then each is spelled out', () => {
    expect(terminalSafeText(HOSTILE_NAME)).toBe(
      'PayPal\\x1b[2J\\x1b[H\\x1b]0;owned\\x07\\x0dFAKE\\x9b31m\\u202eevil',
    );
  });

  it("given a line with the CLI's own colours and line breaks, then those stay and injected ones do not", () => {
    const c = colours(true);
    const line = `${c.bold(HOSTILE_NAME)} (reg-1)\n  state ${c.red('blocked')}`;
    const safe = terminalSafeLines(line);
    expect(safe).toBe(
      '\u001b[1mPayPal\\x1b[2J\\x1b[H\\x1b]0;owned\\x07\\x0dFAKE\\x9b31m\\u202eevil\u001b[22m (reg-1)\n  state \u001b[31mblocked\u001b[39m',
    );
    expect(c.red(c.bold('x'))).toBe('\u001b[31m\u001b[1mx\u001b[22m\u001b[39m');
  });

  it('given a table cell with the CLI’s colours, a line break and injected controls, then only the colours stay', () => {
    const c = colours(true);
    expect(terminalSafeCell(`${c.red('blocked')}\n${HOSTILE_NAME}`)).toBe(
      '\u001b[31mblocked\u001b[39m\\x0aPayPal\\x1b[2J\\x1b[H\\x1b]0;owned\\x07\\x0dFAKE\\x9b31m\\u202eevil',
    );
  });

  it('given JSON with C1 controls and DEL, then they are escaped and the value is unchanged', () => {
    const value = { name: 'a\u009b31m\u007fb\u202e' };
    const json = terminalSafeJson(JSON.stringify(value));
    expect(json).not.toMatch(/[\u007f-\u009f\u202e]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('consoleOutput', () => {
  let written: string[];
  let errors: string[];
  beforeEach(() => {
    written = [];
    errors = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    jest.spyOn(console, 'error').mockImplementation((text: string) => {
      errors.push(text);
    });
  });
  afterEach(() => jest.restoreAllMocks());

  // Any control character but the line feeds the CLI writes, or the bidi override.
  const noControl = (text: string) => expect(text.replace(/\n/g, '')).not.toMatch(/[\p{Cc}\u202e]/u);

  it('given stored text with controls, when written as lines, a table, JSON and an error, then none reaches the terminal', () => {
    const out = consoleOutput({ json: false, stdoutIsTty: false });
    out.line(`${HOSTILE_NAME} (reg-1)`);
    out.table(['#', 'what happened'], [['1', `Warning ${HOSTILE_NAME}`]]);
    out.error(`warning: ${HOSTILE_NAME}`);
    consoleOutput({ json: true }).data({ name: HOSTILE_NAME });
    for (const text of [...written, ...errors]) noControl(text);
    expect(written[0]).toBe('PayPal\\x1b[2J\\x1b[H\\x1b]0;owned\\x07\\x0dFAKE\\x9b31m\\u202eevil (reg-1)\n');
    expect(JSON.parse(written[2])).toEqual({ name: HOSTILE_NAME });
  });

  const RED = '\\u001b\\[(?:31|39)m';

  it('given a coloured cell holding stored text with controls, when written as a table, then only the colour codes are raw', () => {
    const out = consoleOutput({ json: false, stdoutIsTty: false });
    out.table(['state'], [[colours(true).red(HOSTILE_NAME)]]);
    const withoutOwnColours = written.join('').replace(new RegExp(RED, 'g'), '');
    noControl(withoutOwnColours);
    expect(written.join('')).toContain('\u001b[31mPayPal\\x1b[2J');
  });
});

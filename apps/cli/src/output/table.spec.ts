import { colours } from './colours';
import { renderTable, visibleWidth } from './table';

const SGR = '\\u001b\\[[0-9;]*m';

describe('renderTable', () => {
  it('given rows of different widths, when rendered, then columns align under a ruled header', () => {
    const text = renderTable(
      ['id', 'state'],
      [
        ['reg-1', 'registered'],
        ['reg-10740', 'suspended'],
      ],
    );
    expect(text.split('\n')).toEqual([
      'id         state',
      '---------  ----------',
      'reg-1      registered',
      'reg-10740  suspended',
    ]);
  });

  it('given no rows, then only the header', () => {
    expect(renderTable(['a'], [])).toBe('a\n-');
  });

  it('given coloured cells, when rendered, then columns align by what shows, colour codes excluded', () => {
    // given
    const c = colours(true);
    // when
    const text = renderTable(
      ['id', 'state', 'blocklisted'],
      [
        ['reg-1', c.red('blocked'), c.bold('yes')],
        [c.dim('reg-10740'), 'registered', 'no'],
      ],
    );
    // then: without the codes, the very table of plain cells
    const plain = text.replace(new RegExp(SGR, 'g'), '');
    expect(plain.split('\n')).toEqual([
      'id         state       blocklisted',
      '---------  ----------  -----------',
      'reg-1      blocked     yes',
      'reg-10740  registered  no',
    ]);
    expect(text).toContain('\u001b[31mblocked\u001b[39m     ');
  });

  it('given text with and without colour, then its visible width counts characters shown', () => {
    expect(visibleWidth(colours(true).green('applied'))).toBe(7);
    expect(visibleWidth('Rp 1.000.000')).toBe(12);
    expect(visibleWidth('')).toBe(0);
  });
});

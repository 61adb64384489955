import { renderTable } from './table';

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
});

import {
  apiQuery,
  EMPTY_FILTERS,
  filtersFrom,
  filtersToSearch,
  orderFrom,
  sortParam,
  toggled,
} from './case-table';

describe('the case search: filters and order in the URL, sorted by the server', () => {
  it('given a query string, then the filters read back what the form wrote, and a malformed date is dropped', () => {
    const filters = {
      state: 'blocked',
      policy: 'pp43-2023',
      origin: 'foreign',
      q: 'steam',
      deadlineBefore: '2022-08-01',
      sort: '-updated',
    };
    expect(filtersFrom(new URLSearchParams(filtersToSearch(filters)))).toEqual(filters);
    expect(filtersFrom(new URLSearchParams('deadlineBefore=tomorrow')).deadlineBefore).toBe('');
    expect(filtersToSearch(EMPTY_FILTERS)).toBe('');
  });

  it('given filters, then the API query has the policy and a deadline before that day begins in WIB', () => {
    expect(
      apiQuery({ ...EMPTY_FILTERS, policy: 'pp43-2023', q: '  paypal ', deadlineBefore: '2022-08-01' }),
    ).toEqual({
      state: undefined,
      policy: 'pp43-2023',
      origin: undefined,
      q: 'paypal',
      deadlineBefore: '2022-08-01T00:00:00+07:00',
    });
  });

  it('given a column heading pressed, then the server is asked for that column ascending, then descending; traffic as it is', () => {
    const byDeadline = toggled(null, 'deadline');
    expect(sortParam(byDeadline)).toBe('deadline');
    expect(sortParam(toggled(byDeadline, 'deadline'))).toBe('-deadline');
    expect(sortParam(toggled(toggled(byDeadline, 'deadline'), 'deadline'))).toBe('deadline');
    expect(sortParam(toggled(byDeadline, 'outstanding'))).toBe('outstanding');
    expect(sortParam(toggled(null, 'pseId'))).toBe('id');
    expect(sortParam(toggled({ key: 'traffic' }, 'name'))).toBe('name');
    expect(sortParam({ key: 'traffic' })).toBe('traffic');
    expect(sortParam(null)).toBeUndefined();
  });

  it('given a sort in the URL, then it reads back as the same order, an unknown one as none, and reaches the API query', () => {
    for (const sort of [
      'id',
      '-id',
      'name',
      '-state',
      'policy',
      '-deadline',
      'updated',
      '-outstanding',
      'traffic',
    ])
      expect(sortParam(orderFrom(sort))).toBe(sort);
    expect(orderFrom('colour')).toBeNull();
    expect(orderFrom('-traffic')).toBeNull();
    expect(filtersFrom(new URLSearchParams('sort=-name')).sort).toBe('-name');
    expect(filtersFrom(new URLSearchParams('sort=visits')).sort).toBe('');
    expect(apiQuery({ ...EMPTY_FILTERS, sort: '-deadline' }).sort).toBe('-deadline');
    expect(apiQuery(EMPTY_FILTERS).sort).toBeUndefined();
  });
});

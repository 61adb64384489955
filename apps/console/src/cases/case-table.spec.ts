import type { CaseView } from '../api/sanksi-api';
import { apiQuery, filtersFrom, filtersToSearch, sortCases } from './case-table';

const view = (pseId: string, over: Partial<CaseView>): CaseView => ({
  pseId,
  name: pseId,
  origin: 'foreign',
  company: null,
  sector: null,
  domains: [],
  state: 'warned',
  substate: null,
  since: '2022-07-23T10:00:00+07:00',
  onBlocklist: false,
  registrationNumber: null,
  warnings: 1,
  blocks: 0,
  fines: { imposedIdr: 0, paidIdr: 0, annulledIdr: 0, outstandingIdr: 0 },
  nextDeadline: null,
  escalation: { pending: false, allowed: [], since: null },
  policy: 'kominfo-2022',
  version: 2,
  openedAt: '2022-07-18T09:00:00+07:00',
  updatedAt: '2022-07-23T10:00:00+07:00',
  ...over,
});

describe('the case search: filters in the URL, sorting the page', () => {
  it('given a query string, then the filters read back what the form wrote, and a malformed date is dropped', () => {
    const filters = {
      state: 'blocked',
      policy: 'pp43-2023',
      origin: 'foreign',
      q: 'steam',
      deadlineBefore: '2022-08-01',
    };
    expect(filtersFrom(new URLSearchParams(filtersToSearch(filters)))).toEqual(filters);
    expect(filtersFrom(new URLSearchParams('deadlineBefore=tomorrow')).deadlineBefore).toBe('');
    expect(filtersToSearch({ state: '', policy: '', origin: '', q: '', deadlineBefore: '' })).toBe('');
  });

  it('given filters, then the API query has the policy and a deadline before that day begins in WIB', () => {
    expect(
      apiQuery({ state: '', policy: 'pp43-2023', origin: '', q: '  paypal ', deadlineBefore: '2022-08-01' }),
    ).toEqual({
      state: undefined,
      policy: 'pp43-2023',
      origin: undefined,
      q: 'paypal',
      deadlineBefore: '2022-08-01T00:00:00+07:00',
    });
  });

  it('given cases, then sorting by deadline puts cases without one last, descending reverses, ties keep the API order', () => {
    const cases = [
      view('none', {}),
      view('late', {
        nextDeadline: { kind: 'finePayment', dueAt: '2022-09-30T23:59:59+07:00', fineId: 'f' },
      }),
      view('soon', {
        nextDeadline: { kind: 'warningResponse', dueAt: '2022-07-29T23:59:59+07:00', fineId: null },
      }),
    ];
    expect(sortCases(cases, 'deadline', 'ascending').map((c) => c.pseId)).toEqual(['soon', 'late', 'none']);
    expect(sortCases(cases, 'deadline', 'descending').map((c) => c.pseId)).toEqual(['none', 'late', 'soon']);
    expect(sortCases(cases, 'policy', 'ascending').map((c) => c.pseId)).toEqual(['none', 'late', 'soon']);
  });
});

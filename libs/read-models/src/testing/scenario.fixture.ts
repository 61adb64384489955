import type { SourceEvent } from '../events/event-source.port';
import { GlobalLog } from './case-history.fixture';

/**
 * A small population modelled on July–August 2022 (docs/regulation.md §10) plus a PP 43/2023 fine case:
 * PayPal blocked, temporarily restored, re-blocked, then registered; Steam blocked; Xandr exempted;
 * Tokopedia registered on time; a fined case; a case awaiting escalation; a revoked registration;
 * a case with a warning still running.
 */
export function julyAugust2022(): { log: GlobalLog; events: SourceEvent[] } {
  const log = new GlobalLog();
  const paypal = log.case('paypal', {
    name: 'PayPal',
    domains: ['paypal.com', 'www.paypal.com'],
    company: 'PayPal Pte. Ltd.',
  });
  const steam = log.case('steam', {
    name: 'Steam',
    domains: ['store.steampowered.com', 'steamcommunity.com'],
  });
  const xandr = log.case('xandr', { name: 'Xandr', domains: ['xandr.com'] });
  const toko = log.case('tokopedia', {
    name: 'Tokopedia',
    domains: ['tokopedia.com'],
    origin: 'domestic',
    company: 'PT Tokopedia',
  });
  const finco = log.case('finco', { name: 'FinCo', domains: ['finco.id'], origin: 'domestic' });
  const slow = log.case('slowco', { name: 'SlowCo', domains: ['slow.example'] });
  const liar = log.case('liar', { name: 'Liar App', domains: ['liar.example'], origin: 'domestic' });
  const newco = log.case('newco', { name: 'NewCo', domains: ['newco.example'] });

  toko.identified('2022-07-01T09:00:00+07:00');
  toko.submitted('2022-07-05T09:00:00+07:00', 'oss');
  toko.confirmed('2022-07-10T09:00:00+07:00', '000123.01/DJAI.PSE/07/2022', false);
  paypal.identified('2022-07-21T09:00:00+07:00');
  steam.identified('2022-07-21T09:30:00+07:00');
  xandr.identified('2022-07-21T10:00:00+07:00');
  slow.identified('2022-07-21T11:00:00+07:00');
  liar.identified('2022-07-21T12:00:00+07:00');
  liar.confirmed('2022-07-22T12:00:00+07:00', '000456.01/DJAI.PSE/07/2022', false);
  paypal.warned('2022-07-25T09:00:00+07:00', 'B-100/2022', '2022-07-29T23:59:00+07:00');
  steam.warned('2022-07-25T09:30:00+07:00', 'B-101/2022', '2022-07-29T23:59:00+07:00');
  slow.warned('2022-07-26T09:00:00+07:00', 'B-102/2022', '2022-08-02T23:59:00+07:00');
  paypal.deadlineElapsed('2022-07-30T00:00:00+07:00', ['BlockAccess']);
  steam.deadlineElapsed('2022-07-30T00:00:00+07:00', ['BlockAccess']);
  paypal.blocked('2022-07-30T10:00:00+07:00', '123/2022');
  steam.blocked('2022-07-30T10:05:00+07:00', '124/2022');
  xandr.exempted('2022-07-31T09:00:00+07:00');
  paypal.temporarilyRestored('2022-07-31T08:00:00+07:00', '2022-08-05T23:59:00+07:00');
  slow.deadlineElapsed('2022-08-03T00:00:00+07:00', ['BlockAccess']);
  paypal.reBlocked('2022-08-06T00:00:00+07:00');
  paypal.submitted('2022-08-08T09:00:00+07:00', 'oss');
  paypal.confirmed('2022-08-10T12:00:00+07:00', '000789.01/DJAI.PSE/08/2022', true);
  liar.suspended('2022-09-01T09:00:00+07:00', 'TAKEL', '2022-09-08T23:59:00+07:00');
  liar.revoked('2022-09-09T09:00:00+07:00');
  newco.identified('2022-08-30T09:00:00+07:00');
  newco.warned('2022-09-01T09:00:00+07:00', 'B-200/2022', '2022-09-08T23:59:00+07:00');
  finco.identified('2023-01-02T09:00:00+07:00');
  finco.warned('2023-01-03T09:00:00+07:00', 'B-1/2023', '2023-01-10T23:59:00+07:00');
  finco.fined('2023-01-12T09:00:00+07:00', 'F1', 5_000_000, '2023-02-12T23:59:00+07:00');
  finco.paid('2023-02-10T09:00:00+07:00', 'F1', 2_000_000);
  finco.annulled('2023-03-01T09:00:00+07:00', 'F1', 3_000_000);
  return { log, events: log.all() };
}

/**
 * Late records around business date 1 August 2022, appended in record order: Steam's block took
 * effect on 30 July but was recorded on 6 August; Xandr's identification (21 July) and exemption
 * (31 July) were both learnt on 2 August; PayPal's block was recorded as it happened; Tokopedia
 * registered in early July; NewCo appeared only on 3 August.
 */
export function lateRecords2022(): { log: GlobalLog; events: SourceEvent[] } {
  const log = new GlobalLog();
  const toko = log.case('tokopedia', { name: 'Tokopedia', origin: 'domestic' });
  const paypal = log.case('paypal', { name: 'PayPal' });
  const steam = log.case('steam', { name: 'Steam' });
  const xandr = log.case('xandr', { name: 'Xandr' });
  const newco = log.case('newco', { name: 'NewCo' });

  toko.identified('2022-07-01T09:00:00+07:00');
  toko.submitted('2022-07-05T09:00:00+07:00', 'oss');
  toko.confirmed('2022-07-10T09:00:00+07:00', '000123.01/DJAI.PSE/07/2022', false);
  paypal.identified('2022-07-21T09:00:00+07:00');
  steam.identified('2022-07-21T09:30:00+07:00');
  paypal.warned('2022-07-25T09:00:00+07:00', 'B-100/2022', '2022-07-29T23:59:00+07:00');
  steam.warned('2022-07-25T09:30:00+07:00', 'B-101/2022', '2022-07-29T23:59:00+07:00');
  paypal.deadlineElapsed('2022-07-30T00:00:00+07:00', ['BlockAccess']);
  steam.deadlineElapsed('2022-07-30T00:00:00+07:00', ['BlockAccess']);
  paypal.blocked('2022-07-30T10:00:00+07:00', '123/2022');
  xandr.learntAt('2022-08-02T11:00:00+07:00').identified('2022-07-21T10:00:00+07:00');
  xandr.learntAt('2022-08-02T11:00:00+07:00').exempted('2022-07-31T09:00:00+07:00');
  newco.identified('2022-08-03T09:00:00+07:00');
  steam.learntAt('2022-08-06T14:00:00+07:00').blocked('2022-07-30T10:05:00+07:00', '124/2022');
  steam.submitted('2022-08-09T09:00:00+07:00', 'oss');
  steam.confirmed('2022-08-11T09:00:00+07:00', '000900.01/DJAI.PSE/08/2022', true);
  return { log, events: log.all() };
}

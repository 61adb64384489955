import type { HolidayYear } from '../holiday.types';

// No SKB for 2027 could be verified when this table was written, so every entry is provisional:
// fixed-date holidays follow Keppres/UU practice (1 Jan, 1 May, 1 Jun, 17 Aug, 25 Dec); Christian
// moveable feasts follow Easter (28 March 2027); Imlek, Nyepi, Waisak and the Islamic holidays are
// astronomical estimates (Hijri dates depend on the isbat). No cuti bersama is listed because
// cuti bersama exists only by decree. Replace this file with the SKB's list once it is published.
export const HOLIDAYS_2027: HolidayYear = {
  year: 2027,
  source: 'provisional estimate; SKB for 2027 not yet verified',
  holidays: [
    { date: '2027-01-01', name: 'Tahun Baru 2027 Masehi', kind: 'national', provisional: true },
    { date: '2027-01-05', name: 'Isra Mikraj Nabi Muhammad SAW', kind: 'national', provisional: true },
    { date: '2027-02-06', name: 'Tahun Baru Imlek 2578 Kongzili', kind: 'national', provisional: true },
    { date: '2027-03-09', name: 'Hari Suci Nyepi Tahun Baru Saka 1949', kind: 'national', provisional: true },
    { date: '2027-03-10', name: 'Idul Fitri 1448 H', kind: 'national', provisional: true },
    { date: '2027-03-11', name: 'Idul Fitri 1448 H', kind: 'national', provisional: true },
    { date: '2027-03-26', name: 'Wafat Yesus Kristus', kind: 'national', provisional: true },
    { date: '2027-03-28', name: 'Kebangkitan Yesus Kristus (Paskah)', kind: 'national', provisional: true },
    { date: '2027-05-01', name: 'Hari Buruh Internasional', kind: 'national', provisional: true },
    { date: '2027-05-06', name: 'Kenaikan Yesus Kristus', kind: 'national', provisional: true },
    { date: '2027-05-17', name: 'Idul Adha 1448 H', kind: 'national', provisional: true },
    { date: '2027-05-20', name: 'Hari Raya Waisak 2571 BE', kind: 'national', provisional: true },
    { date: '2027-06-01', name: 'Hari Lahir Pancasila', kind: 'national', provisional: true },
    { date: '2027-06-06', name: '1 Muharam Tahun Baru Islam 1449 H', kind: 'national', provisional: true },
    { date: '2027-08-15', name: 'Maulid Nabi Muhammad SAW', kind: 'national', provisional: true },
    { date: '2027-08-17', name: 'Proklamasi Kemerdekaan', kind: 'national', provisional: true },
    { date: '2027-12-25', name: 'Kelahiran Yesus Kristus', kind: 'national', provisional: true },
  ],
};

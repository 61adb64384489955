import type { HolidayYear } from '../holiday.types';

// SKB Menag/Menaker/MenPAN-RB No. 1066/2022, 3/2022, 3/2022 (Hari Libur Nasional dan Cuti Bersama
// Tahun 2023), first amended by No. 327/2023, 1/2023, 1/2023 (Idul Fitri cuti bersama moved to
// 19–21 and 24–25 April) and then by No. 624/2023, 2/2023, 2/2023 (June 2023: Idul Adha cuti
// bersama on 28 and 30 June, to accommodate the Muhammadiyah date of 28 June).
export const HOLIDAYS_2023: HolidayYear = {
  year: 2023,
  source:
    'SKB No. 1066/2022, 3/2022, 3/2022 as amended by SKB No. 327/2023, 1/2023, 1/2023 and No. 624/2023, 2/2023, 2/2023',
  holidays: [
    { date: '2023-01-01', name: 'Tahun Baru 2023 Masehi', kind: 'national' },
    { date: '2023-01-22', name: 'Tahun Baru Imlek 2574 Kongzili', kind: 'national' },
    { date: '2023-01-23', name: 'Cuti Bersama Tahun Baru Imlek', kind: 'cutiBersama' },
    { date: '2023-02-18', name: 'Isra Mikraj Nabi Muhammad SAW', kind: 'national' },
    { date: '2023-03-22', name: 'Hari Suci Nyepi Tahun Baru Saka 1945', kind: 'national' },
    { date: '2023-03-23', name: 'Cuti Bersama Hari Suci Nyepi', kind: 'cutiBersama' },
    { date: '2023-04-07', name: 'Wafat Isa Al Masih', kind: 'national' },
    { date: '2023-04-19', name: 'Cuti Bersama Hari Raya Idul Fitri 1444 H', kind: 'cutiBersama' },
    { date: '2023-04-20', name: 'Cuti Bersama Hari Raya Idul Fitri 1444 H', kind: 'cutiBersama' },
    { date: '2023-04-21', name: 'Cuti Bersama Hari Raya Idul Fitri 1444 H', kind: 'cutiBersama' },
    { date: '2023-04-22', name: 'Hari Raya Idul Fitri 1444 H', kind: 'national' },
    { date: '2023-04-23', name: 'Hari Raya Idul Fitri 1444 H', kind: 'national' },
    { date: '2023-04-24', name: 'Cuti Bersama Hari Raya Idul Fitri 1444 H', kind: 'cutiBersama' },
    { date: '2023-04-25', name: 'Cuti Bersama Hari Raya Idul Fitri 1444 H', kind: 'cutiBersama' },
    { date: '2023-05-01', name: 'Hari Buruh Internasional', kind: 'national' },
    { date: '2023-05-18', name: 'Kenaikan Isa Al Masih', kind: 'national' },
    { date: '2023-06-01', name: 'Hari Lahir Pancasila', kind: 'national' },
    { date: '2023-06-02', name: 'Cuti Bersama Hari Raya Waisak', kind: 'cutiBersama' },
    { date: '2023-06-04', name: 'Hari Raya Waisak 2567 BE', kind: 'national' },
    { date: '2023-06-28', name: 'Cuti Bersama Hari Raya Idul Adha 1444 H', kind: 'cutiBersama' },
    { date: '2023-06-29', name: 'Hari Raya Idul Adha 1444 H', kind: 'national' },
    { date: '2023-06-30', name: 'Cuti Bersama Hari Raya Idul Adha 1444 H', kind: 'cutiBersama' },
    { date: '2023-07-19', name: 'Tahun Baru Islam 1445 H', kind: 'national' },
    { date: '2023-08-17', name: 'Hari Kemerdekaan Republik Indonesia', kind: 'national' },
    { date: '2023-09-28', name: 'Maulid Nabi Muhammad SAW', kind: 'national' },
    { date: '2023-12-25', name: 'Hari Raya Natal', kind: 'national' },
    { date: '2023-12-26', name: 'Cuti Bersama Hari Raya Natal', kind: 'cutiBersama' },
  ],
};

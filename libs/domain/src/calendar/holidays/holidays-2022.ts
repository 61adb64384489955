import type { HolidayYear } from '../holiday.types';

// SKB Menag/Menaker/MenPAN-RB No. 963/2021, 3/2021, 4/2021 (Hari Libur Nasional dan Cuti Bersama
// Tahun 2022), as amended by No. 375/2022, 1/2022, 1/2022 (7 April 2022), which set the Idul Fitri
// cuti bersama to 29 April and 4–6 May; the original decree kept only 26 December.
// Idul Adha 1443 H: the SKB listed Saturday 9 July; the Minister of Religious Affairs' isbat fixed
// Sunday 10 July, which is what was observed. Both are weekend days, so no deadline moves.
export const HOLIDAYS_2022: HolidayYear = {
  year: 2022,
  source: 'SKB No. 963/2021, 3/2021, 4/2021 as amended by SKB No. 375/2022, 1/2022, 1/2022',
  holidays: [
    { date: '2022-01-01', name: 'Tahun Baru 2022 Masehi', kind: 'national' },
    { date: '2022-02-01', name: 'Tahun Baru Imlek 2573 Kongzili', kind: 'national' },
    { date: '2022-02-28', name: 'Isra Mikraj Nabi Muhammad SAW', kind: 'national' },
    { date: '2022-03-03', name: 'Hari Suci Nyepi Tahun Baru Saka 1944', kind: 'national' },
    { date: '2022-04-15', name: 'Wafat Isa Al Masih', kind: 'national' },
    { date: '2022-04-29', name: 'Cuti Bersama Hari Raya Idul Fitri 1443 H', kind: 'cutiBersama' },
    { date: '2022-05-01', name: 'Hari Buruh Internasional', kind: 'national' },
    { date: '2022-05-02', name: 'Hari Raya Idul Fitri 1443 H', kind: 'national' },
    { date: '2022-05-03', name: 'Hari Raya Idul Fitri 1443 H', kind: 'national' },
    { date: '2022-05-04', name: 'Cuti Bersama Hari Raya Idul Fitri 1443 H', kind: 'cutiBersama' },
    { date: '2022-05-05', name: 'Cuti Bersama Hari Raya Idul Fitri 1443 H', kind: 'cutiBersama' },
    { date: '2022-05-06', name: 'Cuti Bersama Hari Raya Idul Fitri 1443 H', kind: 'cutiBersama' },
    { date: '2022-05-16', name: 'Hari Raya Waisak 2566 BE', kind: 'national' },
    { date: '2022-05-26', name: 'Kenaikan Isa Al Masih', kind: 'national' },
    { date: '2022-06-01', name: 'Hari Lahir Pancasila', kind: 'national' },
    { date: '2022-07-10', name: 'Hari Raya Idul Adha 1443 H', kind: 'national' },
    { date: '2022-07-30', name: 'Tahun Baru Islam 1444 H', kind: 'national' },
    { date: '2022-08-17', name: 'Hari Kemerdekaan Republik Indonesia', kind: 'national' },
    { date: '2022-10-08', name: 'Maulid Nabi Muhammad SAW', kind: 'national' },
    { date: '2022-12-25', name: 'Hari Raya Natal', kind: 'national' },
    { date: '2022-12-26', name: 'Cuti Bersama Hari Raya Natal', kind: 'cutiBersama' },
  ],
};

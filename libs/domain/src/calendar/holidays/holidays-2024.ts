import type { HolidayYear } from '../holiday.types';

// SKB Menag/Menaker/MenPAN-RB No. 855/2023, 3/2023, 4/2023 (Hari Libur Nasional dan Cuti Bersama
// Tahun 2024): 17 national holidays (Paskah added from this year) and 10 days of cuti bersama.
export const HOLIDAYS_2024: HolidayYear = {
  year: 2024,
  source: 'SKB No. 855/2023, 3/2023, 4/2023',
  holidays: [
    { date: '2024-01-01', name: 'Tahun Baru 2024 Masehi', kind: 'national' },
    { date: '2024-02-08', name: 'Isra Mikraj Nabi Muhammad SAW', kind: 'national' },
    { date: '2024-02-09', name: 'Cuti Bersama Tahun Baru Imlek', kind: 'cutiBersama' },
    { date: '2024-02-10', name: 'Tahun Baru Imlek 2575 Kongzili', kind: 'national' },
    { date: '2024-03-11', name: 'Hari Suci Nyepi Tahun Baru Saka 1946', kind: 'national' },
    { date: '2024-03-12', name: 'Cuti Bersama Hari Suci Nyepi', kind: 'cutiBersama' },
    { date: '2024-03-29', name: 'Wafat Isa Al Masih', kind: 'national' },
    { date: '2024-03-31', name: 'Hari Paskah', kind: 'national' },
    { date: '2024-04-08', name: 'Cuti Bersama Hari Raya Idul Fitri 1445 H', kind: 'cutiBersama' },
    { date: '2024-04-09', name: 'Cuti Bersama Hari Raya Idul Fitri 1445 H', kind: 'cutiBersama' },
    { date: '2024-04-10', name: 'Hari Raya Idul Fitri 1445 H', kind: 'national' },
    { date: '2024-04-11', name: 'Hari Raya Idul Fitri 1445 H', kind: 'national' },
    { date: '2024-04-12', name: 'Cuti Bersama Hari Raya Idul Fitri 1445 H', kind: 'cutiBersama' },
    { date: '2024-04-15', name: 'Cuti Bersama Hari Raya Idul Fitri 1445 H', kind: 'cutiBersama' },
    { date: '2024-05-01', name: 'Hari Buruh Internasional', kind: 'national' },
    { date: '2024-05-09', name: 'Kenaikan Isa Al Masih', kind: 'national' },
    { date: '2024-05-10', name: 'Cuti Bersama Kenaikan Isa Al Masih', kind: 'cutiBersama' },
    { date: '2024-05-23', name: 'Hari Raya Waisak 2568 BE', kind: 'national' },
    { date: '2024-05-24', name: 'Cuti Bersama Hari Raya Waisak', kind: 'cutiBersama' },
    { date: '2024-06-01', name: 'Hari Lahir Pancasila', kind: 'national' },
    { date: '2024-06-17', name: 'Hari Raya Idul Adha 1445 H', kind: 'national' },
    { date: '2024-06-18', name: 'Cuti Bersama Hari Raya Idul Adha 1445 H', kind: 'cutiBersama' },
    { date: '2024-07-07', name: 'Tahun Baru Islam 1446 H', kind: 'national' },
    { date: '2024-08-17', name: 'Hari Kemerdekaan Republik Indonesia', kind: 'national' },
    { date: '2024-09-16', name: 'Maulid Nabi Muhammad SAW', kind: 'national' },
    { date: '2024-12-25', name: 'Hari Raya Natal', kind: 'national' },
    { date: '2024-12-26', name: 'Cuti Bersama Hari Raya Natal', kind: 'cutiBersama' },
  ],
};

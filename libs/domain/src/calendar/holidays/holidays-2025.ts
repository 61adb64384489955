import type { HolidayYear } from '../holiday.types';

// SKB Menag/Menaker/MenPAN-RB No. 1017/2024, 2/2024, 2/2024 (Hari Libur Nasional dan Cuti Bersama
// Tahun 2025), as amended by No. 933/2025, 1/2025, 3/2025 (7 August 2025), which added 18 August
// as cuti bersama for the 80th anniversary of independence.
export const HOLIDAYS_2025: HolidayYear = {
  year: 2025,
  source: 'SKB No. 1017/2024, 2/2024, 2/2024 as amended by SKB No. 933/2025, 1/2025, 3/2025',
  holidays: [
    { date: '2025-01-01', name: 'Tahun Baru 2025 Masehi', kind: 'national' },
    { date: '2025-01-27', name: 'Isra Mikraj Nabi Muhammad SAW', kind: 'national' },
    { date: '2025-01-28', name: 'Cuti Bersama Tahun Baru Imlek', kind: 'cutiBersama' },
    { date: '2025-01-29', name: 'Tahun Baru Imlek 2576 Kongzili', kind: 'national' },
    { date: '2025-03-28', name: 'Cuti Bersama Hari Suci Nyepi', kind: 'cutiBersama' },
    { date: '2025-03-29', name: 'Hari Suci Nyepi Tahun Baru Saka 1947', kind: 'national' },
    { date: '2025-03-31', name: 'Hari Raya Idul Fitri 1446 H', kind: 'national' },
    { date: '2025-04-01', name: 'Hari Raya Idul Fitri 1446 H', kind: 'national' },
    { date: '2025-04-02', name: 'Cuti Bersama Hari Raya Idul Fitri 1446 H', kind: 'cutiBersama' },
    { date: '2025-04-03', name: 'Cuti Bersama Hari Raya Idul Fitri 1446 H', kind: 'cutiBersama' },
    { date: '2025-04-04', name: 'Cuti Bersama Hari Raya Idul Fitri 1446 H', kind: 'cutiBersama' },
    { date: '2025-04-07', name: 'Cuti Bersama Hari Raya Idul Fitri 1446 H', kind: 'cutiBersama' },
    { date: '2025-04-18', name: 'Wafat Yesus Kristus', kind: 'national' },
    { date: '2025-04-20', name: 'Kebangkitan Yesus Kristus (Paskah)', kind: 'national' },
    { date: '2025-05-01', name: 'Hari Buruh Internasional', kind: 'national' },
    { date: '2025-05-12', name: 'Hari Raya Waisak 2569 BE', kind: 'national' },
    { date: '2025-05-13', name: 'Cuti Bersama Hari Raya Waisak', kind: 'cutiBersama' },
    { date: '2025-05-29', name: 'Kenaikan Yesus Kristus', kind: 'national' },
    { date: '2025-05-30', name: 'Cuti Bersama Kenaikan Yesus Kristus', kind: 'cutiBersama' },
    { date: '2025-06-01', name: 'Hari Lahir Pancasila', kind: 'national' },
    { date: '2025-06-06', name: 'Hari Raya Idul Adha 1446 H', kind: 'national' },
    { date: '2025-06-09', name: 'Cuti Bersama Hari Raya Idul Adha 1446 H', kind: 'cutiBersama' },
    { date: '2025-06-27', name: 'Tahun Baru Islam 1447 H', kind: 'national' },
    { date: '2025-08-17', name: 'Hari Kemerdekaan Republik Indonesia', kind: 'national' },
    { date: '2025-08-18', name: 'Cuti Bersama HUT ke-80 Republik Indonesia', kind: 'cutiBersama' },
    { date: '2025-09-05', name: 'Maulid Nabi Muhammad SAW', kind: 'national' },
    { date: '2025-12-25', name: 'Kelahiran Yesus Kristus', kind: 'national' },
    { date: '2025-12-26', name: 'Cuti Bersama Kelahiran Yesus Kristus', kind: 'cutiBersama' },
  ],
};

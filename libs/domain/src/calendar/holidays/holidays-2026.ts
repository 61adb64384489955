import type { HolidayYear } from '../holiday.types';

// SKB Menag/Menaker/MenPAN-RB No. 1497/2025, 2/2025, 5/2025 (19 September 2025): 17 national
// holidays and 8 days of cuti bersama. The decree says 1 Ramadan, Idul Fitri and Idul Adha 1447 H
// follow the Minister of Religious Affairs' isbat, so those dates (and the cuti bersama tied to
// them) are marked provisional until checked against the isbat outcome.
export const HOLIDAYS_2026: HolidayYear = {
  year: 2026,
  source: 'SKB No. 1497/2025, 2/2025, 5/2025',
  holidays: [
    { date: '2026-01-01', name: 'Tahun Baru 2026 Masehi', kind: 'national' },
    { date: '2026-01-16', name: 'Isra Mikraj Nabi Muhammad SAW', kind: 'national' },
    { date: '2026-02-16', name: 'Cuti Bersama Tahun Baru Imlek', kind: 'cutiBersama' },
    { date: '2026-02-17', name: 'Tahun Baru Imlek 2577 Kongzili', kind: 'national' },
    { date: '2026-03-18', name: 'Cuti Bersama Hari Suci Nyepi', kind: 'cutiBersama' },
    { date: '2026-03-19', name: 'Hari Suci Nyepi Tahun Baru Saka 1948', kind: 'national' },
    { date: '2026-03-20', name: 'Cuti Bersama Idul Fitri 1447 H', kind: 'cutiBersama', provisional: true },
    { date: '2026-03-21', name: 'Idul Fitri 1447 H', kind: 'national', provisional: true },
    { date: '2026-03-22', name: 'Idul Fitri 1447 H', kind: 'national', provisional: true },
    { date: '2026-03-23', name: 'Cuti Bersama Idul Fitri 1447 H', kind: 'cutiBersama', provisional: true },
    { date: '2026-03-24', name: 'Cuti Bersama Idul Fitri 1447 H', kind: 'cutiBersama', provisional: true },
    { date: '2026-04-03', name: 'Wafat Yesus Kristus', kind: 'national' },
    { date: '2026-04-05', name: 'Kebangkitan Yesus Kristus (Paskah)', kind: 'national' },
    { date: '2026-05-01', name: 'Hari Buruh Internasional', kind: 'national' },
    { date: '2026-05-14', name: 'Kenaikan Yesus Kristus', kind: 'national' },
    { date: '2026-05-15', name: 'Cuti Bersama Kenaikan Yesus Kristus', kind: 'cutiBersama' },
    { date: '2026-05-27', name: 'Idul Adha 1447 H', kind: 'national', provisional: true },
    { date: '2026-05-28', name: 'Cuti Bersama Idul Adha 1447 H', kind: 'cutiBersama', provisional: true },
    { date: '2026-05-31', name: 'Hari Raya Waisak 2570 BE', kind: 'national' },
    { date: '2026-06-01', name: 'Hari Lahir Pancasila', kind: 'national' },
    { date: '2026-06-16', name: '1 Muharam Tahun Baru Islam 1448 H', kind: 'national' },
    { date: '2026-08-17', name: 'Proklamasi Kemerdekaan', kind: 'national' },
    { date: '2026-08-25', name: 'Maulid Nabi Muhammad SAW', kind: 'national' },
    { date: '2026-12-24', name: 'Cuti Bersama Kelahiran Yesus Kristus', kind: 'cutiBersama' },
    { date: '2026-12-25', name: 'Kelahiran Yesus Kristus', kind: 'national' },
  ],
};

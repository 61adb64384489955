/** A day off that the national business calendar observes. */
export interface Holiday {
  /** Local calendar date, `YYYY-MM-DD`. */
  date: string;
  /** The name as the decree gives it (Indonesian). */
  name: string;
  /** `national` = hari libur nasional; `cutiBersama` = collective leave decreed alongside it. */
  kind: 'national' | 'cutiBersama';
  /** True where the date is not yet fixed by a decree we could verify (Hijri/isbat, future years). */
  provisional?: boolean;
}

/** One year of the calendar with the decree(s) it comes from. */
export interface HolidayYear {
  year: number;
  /** Citation of the SKB 3 Menteri (and amendments) the entries are taken from. */
  source: string;
  holidays: readonly Holiday[];
}

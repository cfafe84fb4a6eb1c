import type { CalendarRecord } from '../../artifacts/ios/calendar.js';
import { defineRule } from '../rule.js';

export default [
  defineRule<CalendarRecord>({
    id: 'ios.calendar.quadream_invitation',
    version: 1,
    artifact: 'ios.calendar',
    level: 'high',
    title: 'Calendar event shaped like a QuaDream exploit invitation',
    why: 'QuaDream\'s spyware (Reign) infected iPhones through a zero-click exploit, ENDOFDAYS, delivered as an iCloud calendar invitation that the victim never saw. The leftover events found on infected phones were titled "Meeting" with the description "Notes". An event with exactly these values matches that trace.',
    innocent: '"Meeting" with the note "Notes" is also what someone might type for an ordinary event. Check whether the user remembers creating it, who the organiser is, and whether the event dates fall in 2021 (when ENDOFDAYS was used).',
    source: 'https://citizenlab.ca/2023/04/spyware-vendor-quadream-exploits-victims-customers/ (reference-spec §7.3.23)',
    scope: 'record',
    check(r) {
      if (r.summary !== 'Meeting' || r.description !== 'Notes') return [];
      return [{ message: `Potential Quadream exploit event identified: ${r.uuid ?? 'None'}`, eventTime: r.start_date }];
    },
  }),
];

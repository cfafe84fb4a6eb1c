/**
 * Keeping CSV outputs inert when an analyst opens them in a spreadsheet.
 *
 * A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab or carriage return first) gets a
 * leading `'`, so it shows as text (OWASP "CSV injection"). Phone content is attacker-controlled: a Safari tab
 * titled `=HYPERLINK(…)` must not become a live link in the analyst's spreadsheet.
 */
export function neutraliseFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

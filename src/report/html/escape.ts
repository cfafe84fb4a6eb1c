/**
 * Escaping for text and attribute values in HTML (and inline SVG). Every string that reaches the page goes
 * through `esc`: evidence is hostile, and a `<script>`, `</style>` or quote in a message must show as text.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(text: string): string {
  // Control characters other than tab and newline have no business in a report and some break rendering.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point here
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd');
}

// Small DOM helpers: build elements without innerHTML, and format values for people.

/**
 * h('button', { class: 'primary', onclick: fn, disabled: true }, 'Text', child, [more])
 * Attributes starting with "on" become listeners; booleans set or omit the attribute;
 * null, undefined and false children are skipped.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'value' || name === 'checked') {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  el.append(...flatten(children));
  return el;
}

/** Replace an element's children; arrays are flattened, null and false skipped. */
export function replace(el, ...children) {
  el.replaceChildren(...flatten(children));
}

function flatten(children) {
  return children
    .flat(Infinity)
    .filter((c) => c !== null && c !== undefined && c !== false)
    .map((c) => (c instanceof Node ? c : document.createTextNode(String(c))));
}

const longFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short',
});
const shortFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const shortFormatWithYear = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
});

const THIS_YEAR = new Date().getFullYear();
// Intl loads its locale and time zone data on first use: pay that now, not while a page renders.
for (const format of [longFormat, shortFormat, shortFormatWithYear]) format.format(0);

/** The viewer's time zone, e.g. "Asia/Kolkata". */
export const TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** "2026-11-25 07:04:34 UTC" */
export function utcText(date) {
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/**
 * A <time> in the viewer's time zone, with UTC on hover (title). `short` drops the
 * zone name (and the year when it is this year), for tables that state the zone once.
 */
export function time(iso, { short = false } = {}) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  const date = new Date(iso);
  let format = longFormat;
  if (short) format = date.getFullYear() === THIS_YEAR ? shortFormat : shortFormatWithYear;
  return h('time', { datetime: date.toISOString(), title: utcText(date) }, format.format(date));
}

/** "in 3 hours", "2 days ago" */
export function relative(iso, now = Date.now()) {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  const units = [['day', 86400], ['hour', 3600], ['minute', 60]];
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
  }
  return rtf.format(Math.round(seconds), 'second');
}

const integers = new Intl.NumberFormat();

/** ["1.5 KiB", "1,536 bytes"] */
export function bytesText(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return [unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`, `${integers.format(n)} bytes`];
}

export function bytes(n) {
  if (n === null || n === undefined) return h('span', { class: 'muted' }, '—');
  const [text, exact] = bytesText(n);
  return h('span', { title: exact }, text);
}

/** "1 snapshot", "57 snapshots" */
export function count(n, noun) {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function badge(text, kind = text) {
  return h('span', { class: `badge ${kind}` }, text);
}

/** A loading line that screen readers announce. */
export function loading(text) {
  return h('p', { class: 'status', role: 'status' }, text);
}

export function empty(...text) {
  return h('p', { class: 'empty' }, ...text);
}

export function notice(kind, ...children) {
  return h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : null }, ...children);
}

/** A table with a header row; rows are arrays of cells (nodes or text). */
export function table(caption, headers, rows, attrs = {}) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      attrs,
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, headers.map((th) => h('th', { scope: 'col' }, th)))),
      h('tbody', {}, rows),
    ),
  );
}

export const ROLE_NAMES = {
  PROJECT_OWNER: 'Project Owner',
  PROJECT_CLUSTER_MANAGER: 'Cluster Manager',
  PROJECT_DATA_ACCESS_ADMIN: 'Data Access Admin',
  PROJECT_READ_ONLY: 'Read only',
  ORG_OWNER: 'Organization Owner',
  ORG_MEMBER: 'Organization Member',
};

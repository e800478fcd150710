// Builds the page from elements and text nodes only. Nothing the API returns (database names, messages, server
// names: user data) is ever parsed as markup: there is no innerHTML anywhere in the portal.

/**
 * h('tr', {class: 'x', attrs: {scope: 'row'}, on: {click: f}}, 'text', child, [more])
 * props: class, id, text, attrs (set with setAttribute), props (set as properties), on (event listeners), dataset.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    if (props.class) el.className = props.class;
    if (props.id) el.id = props.id;
    if (props.text !== undefined && props.text !== null) el.textContent = String(props.text);
    for (const [k, v] of Object.entries(props.attrs || {})) {
      if (v === false || v === null || v === undefined) continue;
      el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const [k, v] of Object.entries(props.props || {})) el[k] = v;
    for (const [k, v] of Object.entries(props.on || {})) el.addEventListener(k, v);
    for (const [k, v] of Object.entries(props.dataset || {})) el.dataset[k] = String(v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** Replaces the children of el. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
/** A unique id for label/aria links. */
export function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A labelled form field: label, control, hint and an error slot linked by aria-describedby. */
export function field(labelText, control, hint) {
  const id = control.id || nextId('f');
  control.id = id;
  const hintEl = hint ? h('p', {class: 'hint', id: `${id}-hint`, text: hint}) : null;
  const errorEl = h('p', {class: 'field-error', id: `${id}-error`, attrs: {'aria-live': 'polite'}});
  control.setAttribute('aria-describedby', [hintEl ? hintEl.id : null, errorEl.id].filter(Boolean).join(' '));
  const wrap = h('div', {class: 'field'}, h('label', {attrs: {for: id}, text: labelText}), control, hintEl, errorEl);
  wrap.control = control;
  wrap.setError = (message) => {
    errorEl.textContent = message || '';
    if (message) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
  };
  return wrap;
}

/** A table in a horizontally scrolling region, so that a narrow window scrolls the table, not the page. */
export function scrollTable(caption, table) {
  const region = h('div', {class: 'table-scroll', attrs: {role: 'region', tabindex: '0', 'aria-label': caption}}, table);
  return region;
}

/**
 * A table whose rows become labelled cards on a narrow window: each cell gets its column's heading as data-label
 * (the stylesheet shows it before the value).
 */
export function cardTable(props, headings, rows) {
  for (const row of rows) {
    let i = 0;
    for (const cell of row.children) {
      if (cell.hasAttribute('colspan')) continue;
      if (i < headings.length) cell.dataset.label = headings[i];
      i += 1;
      // one box for the value, next to its label
      const value = document.createElement('div');
      value.append(...cell.childNodes);
      cell.append(value);
    }
  }
  const table = h('table', props,
    props.caption ? h('caption', {class: 'visually-hidden', text: props.caption}) : null,
    h('thead', null, h('tr', null, headings.map((c) => h('th', {attrs: {scope: 'col'}, text: c})))),
    h('tbody', null, rows));
  table.classList.add('cards');
  return table;
}
